"""An experiment left at the top of the solution cell loops forever: the cell timeout stops it.

loses: test_riemann_basics, test_riemann_flip, test_riemann_accuracy, test_properties
"""
# %% riemann
# replace: def riemann_convolve(f, g, t, support, h):
# with: x = 0.0
# with: while x < 1.0:  # the increment was forgotten
# with:     x * 0.1
# with: def riemann_convolve(f, g, t, support, h):
