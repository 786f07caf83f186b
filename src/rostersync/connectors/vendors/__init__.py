"""rostersync.connectors.vendors."""
