"""pnyx: reader engagement for news and opinion sites."""

__version__ = "0.1.0"
