"""Exports of any sessions view: CSV, iCalendar and Excel."""
