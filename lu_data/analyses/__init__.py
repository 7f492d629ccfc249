"""Analyses: computations on sessions frames (capacity, tutors, clashes, forecast, demand)."""
