"""Ingest: the one normaliser, raw records into typed frames, and loading a source."""
