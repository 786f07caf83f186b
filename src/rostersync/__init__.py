"""rostersync: self-hosted HRIS integration (joiners, movers, leavers)."""

__version__ = "0.1.0"
