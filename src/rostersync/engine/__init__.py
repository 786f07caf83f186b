"""rostersync.engine."""
