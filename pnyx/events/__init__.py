"""The broker: carries events from services to live readers and caches on every node."""
