"""Planning: proposed sessions and merges from a solver, proved by the clash checks."""
