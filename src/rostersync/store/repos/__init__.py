"""rostersync.store.repos."""
