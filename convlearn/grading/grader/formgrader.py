"""convlearn's additions to nbgrader's Formgrader (a Jupyter server extension, enabled for the environment).

The Formgrader's submission view (*Manual Grading* → a submission) is an HTML page that nbgrader makes from the
graded notebook with its ``formgrade`` template. Two things in it do not fit the course:

- the template loads MathJax 2 from a CDN: the course works offline. :class:`FormgradeExporter` swaps that
  ``<script>`` for the book's vendored MathJax 3 (``book/_extra/_vendor/mathjax``), served by this extension
  at ``<base_url>convlearn/mathjax/``;
- a student's output could run a script in the instructor's page (and, e.g., call the Formgrader's API to
  set its own grades): :class:`FormgradeExporter` makes student output inert
  (:class:`convlearn.grading.grader.inert.InertOutputs`) before rendering, in addition to ``nbgrader autograde``
  doing so when it writes the graded notebook.

Everything else stays nbgrader's: the template (``formgrade``), its options, its handlers. Installed by the
server extension :mod:`convlearn.grading.grader.server_extension`; checked by ``tests/test_formgrader_browser.py``.
"""

from __future__ import annotations

from pathlib import Path

from jupyter_server.utils import url_path_join
from nbconvert.exporters import HTMLExporter

from .inert import InertOutputs

__all__ = ["FormgradeExporter", "MATHJAX_DIR", "MATHJAX_URL"]

#: the book's vendored MathJax 3 (tex-chtml.js and its fonts)
MATHJAX_DIR = Path(__file__).resolve().parents[3] / "book" / "_extra" / "_vendor" / "mathjax"
#: where this extension serves it, below the server's base URL
MATHJAX_URL = "convlearn/mathjax/"
#: the MathJax 2 script of nbconvert's ``mathjax()`` macro, which nbgrader's ``formgrade`` template calls
_CDN_MATHJAX = ('<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js'
                '?config=TeX-AMS_CHTML-full,Safe"> </script>')
#: MathJax 3, and the one piece of MathJax 2's API that nbgrader's formgrade.js calls (``Hub.Startup.signal``)
_LOCAL_MATHJAX = """<script>
window.MathJax = {{tex: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true}}}};
</script>
<script src="{src}"></script>
<script>
window.MathJax.Hub = {{Startup: {{signal: {{Interest: function (callback) {{
  window.MathJax.startup.promise.then(function () {{ callback("End"); }});
}}}}}}}};
</script>"""


class FormgradeExporter(HTMLExporter):
    """The Formgrader's exporter with inert student output and MathJax from this server (module docstring)."""

    def __init__(self, config=None, **kw):
        super().__init__(config=config, **kw)
        self.register_preprocessor(InertOutputs(parent=self), enabled=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        output, resources = super().from_notebook_node(nb, resources=resources, **kw)
        base_url = (resources or {}).get("base_url") or "/"
        if _CDN_MATHJAX in output:
            src = url_path_join(base_url, MATHJAX_URL, "tex-chtml.js")
            output = output.replace(_CDN_MATHJAX, _LOCAL_MATHJAX.format(src=src))
        elif "cdnjs.cloudflare.com" in output:
            self.log.warning("convlearn: the Formgrader's page still loads MathJax from a CDN (template changed?)")
        return output, resources

