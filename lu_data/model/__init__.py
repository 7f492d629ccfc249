"""The model: one normaliser into typed frames, identity, time zones and the quality report."""
