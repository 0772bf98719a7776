"""No flip: evaluates g(τ − t) instead of g(t − τ); invisible with symmetric g, wrong for exp * step.

loses: test_riemann_flip
"""
# %% riemann
# replace:     return width * np.sum(f(tau) * g(t[..., None] - tau), axis=-1)
# with:     return width * np.sum(f(tau) * g(tau - t[..., None]), axis=-1)
