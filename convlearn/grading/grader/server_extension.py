"""convlearn's Jupyter server extension: the course's fixes to nbgrader's Formgrader and student tools.

Enabled for the whole environment by ``jupyter_server_config.d/convlearn.json`` (installed from ``book/_lab``
by ``pip install -r requirements.txt``), or by hand with
``jupyter server extension enable convlearn.grading.server_extension`` (that name is a stable entry point that
leads here). It

- serves the book's vendored MathJax at ``<base_url>convlearn/mathjax/`` and gives the Formgrader an exporter
  that uses it and shows student output inert (:mod:`convlearn.grading.grader.formgrader`);
- answers *Validate* on a notebook that is not an assignment with a sentence, and makes the *Assignment List*
  name the exchange directory and ``CONVLEARN_EXCHANGE`` when there is none
  (:mod:`convlearn.grading.grader.student_ui`).

nbgrader's own extensions load after this one (Jupyter loads extensions in name order), so its handlers
registered here come first; the Formgrader's settings are replaced once every extension has loaded.
"""

from __future__ import annotations

from jupyter_server.utils import url_path_join
from tornado import web

from .formgrader import MATHJAX_DIR, MATHJAX_URL, FormgradeExporter
from .student_ui import ExchangeHintAssignmentList, KindValidateHandler


def _jupyter_server_extension_points():
    return [{"module": "convlearn.grading.grader.server_extension"}]


def _load_jupyter_server_extension(serverapp) -> None:
    web_app = serverapp.web_app
    base_url = web_app.settings.get("base_url", "/")
    web_app.add_handlers(".*$", [
        (url_path_join(base_url, MATHJAX_URL, "(.*)"), web.StaticFileHandler, {"path": str(MATHJAX_DIR)}),
        (url_path_join(base_url, "assignments/validate"), KindValidateHandler),
    ])
    serverapp.log.info("convlearn: Formgrader and Validate additions loaded")


async def _start_jupyter_server_extension(serverapp) -> None:
    """After every extension loaded: replace nbgrader's Formgrader exporter and Assignment List manager."""
    settings = serverapp.web_app.settings
    exporter = settings.get("nbgrader_exporter")
    if exporter is not None:
        settings["nbgrader_exporter"] = FormgradeExporter(config=exporter.config)
    manager = settings.get("assignment_list_manager")
    if manager is not None:
        hinting = ExchangeHintAssignmentList(parent=manager.parent)
        hinting.root_dir = manager.root_dir
        settings["assignment_list_manager"] = hinting
    serverapp.log.info("convlearn: Formgrader exporter and Assignment List replaced")
