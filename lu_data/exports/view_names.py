"""The names of the CSV export views, without pandas: the command line lists them in --help."""

from __future__ import annotations

EXPORT_VIEWS = ("sessions", "trainings", "tutors", "double-bookings", "room-clashes")
