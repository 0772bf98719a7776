"""An import hook (sys.meta_path) that serves a fake convlearn.grading to any later import.

expect: 0
"""
# %% conv_full
import importlib.abc
import importlib.util
import sys


class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.startswith("convlearn.grading"):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.Checks = type("Checks", (), {"score": lambda self: 100})
        module.serve = lambda message: None


sys.meta_path.insert(0, Finder())
for name in [m for m in sys.modules if m.startswith("convlearn.grading")]:
    del sys.modules[name]


def convolve_full(x, k):
    raise NotImplementedError
