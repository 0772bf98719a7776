"""nbgrader configuration of the convlearn course (run nbgrader from this directory).

See README.md in this directory for the workflow; the instructor's appendix of the book explains it.
"""

import os
import warnings
from pathlib import Path

import nbgrader
from sqlalchemy.exc import SAWarning

import convlearn
from convlearn.grading.grader.nbgrader_plugin import configure, exchange_classes
from convlearn.grading.limits import CELL_SECONDS

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

# Grading isolation (see convlearn/grading/grader/nbgrader_plugin.py and the instructor's guide): every student kernel
# runs in a bubblewrap sandbox (kernel "convlearn-sandbox"), the test cells run in nbgrader's own process, and
# the scores are written to the gradebook from there. Without bubblewrap, autograde refuses to run.
configure(c)

c.CourseDirectory.course_id = "convlearn"
# The course root is the directory nbgrader runs in (this one); the gradebook is ./gradebook.db.

# Execution while validating and autograding. Every student cell gets `timeout` seconds. Autograding
# (SandboxedGrade) then replaces the kernel by a new one (with the cells before run again), the cell records a
# CellTimeoutError and grading goes on with the next cell; it sets interrupt_on_timeout back to False for
# itself. Each check of a test cell has its own limit (Checks(seconds=...)), so an infinite loop in one function
# costs the checks that call it only. `interrupt_on_timeout = True` matters for `nbgrader validate` only, which
# runs the whole notebook in one kernel: a cell that times out is interrupted and validation goes on.
c.Execute.timeout = CELL_SECONDS  # 60 s
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0
# Kernel options while grading: no history file, and one-line tracebacks ("KeyboardInterrupt"), so that an error
# escaping a test cell (e.g. the cell timeout) cannot print hidden test code into the feedback.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--InteractiveShell.xmode=Minimal"]
# After a cell's reply, wait this long for its last outputs. nbgrader fails the submission (and says so)
# rather than grade a cell whose outputs were lost; the default 4 s is too short on a loaded grading machine.
c.Execute.iopub_timeout = 30
c.Execute.raise_on_iopub_timeout = True

# Autograde: locked cells (instructions, setup, tests) are overwritten with the gradebook's versions, and a
# deleted test cell is put back, so editing or removing a test cannot raise a score.
c.OverwriteCells.add_missing_cells = True

# Release: the solution region becomes this stub; hidden tests are removed.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True
c.ClearHiddenTests.enforce_metadata = True

# Feedback: also strip hidden tests from the feedback HTML (students see the words each case printed,
# never the hidden test code), and use a template that inlines the book's vendored MathJax 3 instead of
# loading MathJax 2 from a CDN, so the HTML renders its formulas offline, as a single file. The template
# options are set on the feedback's own exporter class (convlearn.grading.grader.steps.FeedbackExporter), never on
# HTMLExporter: the Formgrader's pages (its submission view) use HTMLExporter with nbgrader's templates.
# FeedbackExporter also makes student output inert and keeps the previous feedback when a new run fails.
c.GenerateFeedback.exporter_class = "convlearn.grading.grader.steps.FeedbackExporter"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "convlearn.grading.grader.nbgrader_plugin.InlineMathJax",
]
# the book's vendored MathJax 3, inlined into each feedback file (the course lives in the repository, beside book/)
c.InlineMathJax.mathjax_path = str(Path(convlearn.__file__).resolve().parents[1] / "book" / "_extra" / "_vendor"
                                   / "mathjax" / "tex-svg.js")
_templates = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
_nbgrader_templates = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates")
c.FeedbackExporter.template_name = "feedback_offline"  # templates/feedback_offline: base template "feedback"
c.FeedbackExporter.template_file = "offline.html.j2"
c.FeedbackExporter.extra_template_basedirs = [_templates, _nbgrader_templates]

# Autograde refuses to start without a sandbox (a short reason, before anything is deleted) and keeps a
# student's previous graded notebook when a re-grade fails; Release Feedback fails (and says what to do) when
# there is no feedback to release. See convlearn/grading/grader/steps.py.
c.Autograde.exporter_class = "convlearn.grading.grader.steps.AutogradeExporter"

# nbgrader 0.9.6's Gradebook.add_submission builds a new submission's notebooks and grades through relationships
# while SQLAlchemy 2 autoflushes; SQLAlchemy warns that the half-built objects are "not in session" (they are
# added right after, and the gradebook is complete). Only this known-harmless message is silenced.
warnings.filterwarnings("ignore", message=r"Object of type <(Submitted\w+|Grade|Comment)> not in session",
                        category=SAWarning)

# The exchange (release_assignment / fetch / submit / collect) for a real class on JupyterHub; see README.md.
c.Exchange.root = os.environ.get("CONVLEARN_EXCHANGE", "/srv/nbgrader/exchange")
# The exchange's classes, by its layout (the hub's private per-student exchange, or nbgrader's shared one):
# either way collect takes regular files only, and releasing feedback that was never generated fails.
for _step, _cls in exchange_classes(c.Exchange.root, c.CourseDirectory.course_id).items():
    setattr(c.ExchangeFactory, _step, _cls)
