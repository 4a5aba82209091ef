"""Copies schema and data from the source to the target; never writes to the source."""
