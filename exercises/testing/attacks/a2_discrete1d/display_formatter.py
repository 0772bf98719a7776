"""Display formatters that show 3.0 for every value, and a display publisher that swallows everything.

expect: 0
"""
# %% conv_full
ip = get_ipython()
for kind in (float, int, object):
    ip.display_formatter.formatters["text/plain"].for_type(kind, lambda obj, p, cycle: p.text("3.0"))
ip.display_pub.publish = lambda *args, **kwargs: None


def convolve_full(x, k):
    raise NotImplementedError
