"""Degenerate: shifted(f, s) returns the zero function.

loses: test_helpers, test_properties
"""
# %% helpers
# replace:     """The function x ↦ f(x − s)."""
# replace:     return lambda x: f(np.asarray(x, dtype=float) - s)
# with:     return lambda x: np.zeros(np.shape(x))
