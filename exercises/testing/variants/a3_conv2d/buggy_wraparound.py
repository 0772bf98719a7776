"""No bounds check: negative indices wrap around to the far side of the image instead of giving zero.

loses: test_centred
"""
# %% centred
# replace:             if 0 <= r < I.shape[0] and 0 <= c < I.shape[1]:
# with:             if r < I.shape[0] and c < I.shape[1]:
