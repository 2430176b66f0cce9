"""Entities and rules of pnyx: pure functions and frozen dataclasses."""
