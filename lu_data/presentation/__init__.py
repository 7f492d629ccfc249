"""Presentation: how values are told (the display zone, time and session text, colours)."""
