"""Hostile-input tests: reading a config never runs code it was not allowed to, and every limit is one clear message."""
