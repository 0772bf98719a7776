"""Correlation that flips the kernel (a convolution): c[n] = Σ x[n + m] k[M − 1 − m].

loses: test_correlate
"""
# %% correlate
# replace:         raise ValueError(f"k (length {len(k)}) must not be longer than x (length {len(x)})")
# with:         raise ValueError("k longer than x")

# replace:             c[n] += x[n + m] * k[m]
# with:             c[n] += x[n + m] * k[len(k) - 1 - m]
