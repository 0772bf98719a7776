"""Output allocated with np.zeros_like(x): integer inputs give an integer (truncating) result.

loses: test_full
"""
# %% conv_full
def convolve_full(x, k):
    y = np.zeros_like(np.concatenate([x, k[1:]]))
    for i in range(len(x)):
        for j in range(len(k)):
            y[i + j] += x[i] * k[j]
    return y
