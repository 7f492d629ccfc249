"""Benchmarks for the "Fast at 100,000 sessions" targets; run `python -m benchmarks.run`. The
planner against its greedy baseline: `python -m benchmarks.planner`."""
