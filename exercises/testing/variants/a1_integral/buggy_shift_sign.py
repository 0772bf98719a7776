"""Shift in the wrong direction: shifted(f, s) returns x ↦ f(x + s), moving the graph left.

loses: test_helpers, test_properties
"""
# %% helpers
# replace:     """The function x ↦ f(x − s)."""
# replace:     return lambda x: f(np.asarray(x, dtype=float) - s)
# with:     return lambda x: f(np.asarray(x, dtype=float) + s)
