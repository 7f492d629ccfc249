"""Analyses of a sessions frame: filters, capacity, tutors, forecast, calendar events."""
