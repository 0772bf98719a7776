"""The Jupyter server extension's enabled name (``book/_lab/jupyter_server_config.d/convlearn.json``).

A stable entry point, so that configurations already installed into an environment keep working: the
extension itself is :mod:`convlearn.grading.grader.server_extension` (instructor's side, extra ``grading``).
"""

from .grader.server_extension import _jupyter_server_extension_points, _load_jupyter_server_extension

__all__ = ["_jupyter_server_extension_points", "_load_jupyter_server_extension"]
