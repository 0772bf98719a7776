"""Replace convlearn.grading and its agent in sys.modules by fakes that report success.

expect: 0
"""
# %% conv_full
import sys
import types

import numpy as np

fake = types.ModuleType("convlearn.grading")


class Checks:
    def __init__(self, points, **kwargs):
        self.points = points

    def case(self, *args, **kwargs):
        import contextlib
        return contextlib.nullcontext()

    def score(self):
        return self.points


fake.Checks = Checks
fake.expect_close = lambda *a, **k: None
fake.CONV_1D = ()
sys.modules["convlearn.grading"] = fake


class FakeAgent(types.ModuleType):
    def serve(self, message):
        from IPython.display import publish_display_data
        publish_display_data({"application/vnd.convlearn.grading+base64": "AAAA"})


sys.modules["convlearn.grading.agent"] = FakeAgent("convlearn.grading.agent")


def convolve_full(x, k):
    return np.convolve(x, k)
