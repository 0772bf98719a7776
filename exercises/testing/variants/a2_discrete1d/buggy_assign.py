"""`=` instead of `+=`: each output keeps only the last product written to it.

loses: test_full
"""
# %% conv_full
# replace:             y[i + j] += x[i] * k[j]
# with:             y[i + j] = x[i] * k[j]
