"""Degenerate: shifted(f, s) returns f itself, not moved at all.

loses: test_helpers, test_properties
"""
# %% helpers
# replace:     """The function x ↦ f(x − s)."""
# replace:     return lambda x: f(np.asarray(x, dtype=float) - s)
# with:     return f
