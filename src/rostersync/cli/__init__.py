"""rostersync.cli."""
