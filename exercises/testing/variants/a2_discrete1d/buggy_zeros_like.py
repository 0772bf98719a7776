"""Output allocated with np.zeros_like(x): integer inputs give an integer (truncating) result.

loses: test_full
"""
# %% conv_full
# replace:     """Full discrete convolution y[n] = Σ_m x[m] k[n − m], length len(x) + len(k) − 1, float64."""
# replace:     x = np.asarray(x, dtype=float)
# replace:     k = np.asarray(k, dtype=float)
# replace:     y = np.zeros(len(x) + len(k) - 1)
# with:     y = np.zeros_like(np.concatenate([x, k[1:]]))
