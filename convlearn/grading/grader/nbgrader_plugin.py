"""nbgrader's side of grading: run a submission in a sandboxed kernel and decide its scores outside it.

The course's ``nbgrader_config.py`` calls :func:`configure`, which makes ``nbgrader autograde`` (and
``nbgrader validate``) use the ``convlearn-sandbox`` kernel (:mod:`convlearn.grading.grader.sandbox`) and replaces
nbgrader's ``Execute`` step of autograding by :class:`SandboxedGrade`:

1. the student's code cells (everything but the test cells) run in the sandboxed kernel, in order, each with
   the cell time limit (``Execute.timeout``); a cell that times out or kills the kernel records an error,
   the kernel is started again with the cells before it, and grading goes on with the next cell;
2. each test cell — its code taken from the **gradebook**, never from the submission — runs in this process
   (:func:`convlearn.grading.grader.harness.run_test_cell`), calling the student's functions in the kernel; its
   outputs in the graded notebook become the ``[PASS]/[FAIL] why`` report and the points, and nothing the
   kernel printed;
3. :class:`RecordScores`, after nbgrader's ``SaveAutoGrades``, writes those points into the gradebook
   directly, so no output of the notebook can change a score.

A submission can only lose its own points: it cannot reach the grader, the gradebook, other students' files
or the course, and a kernel that hangs, exits, floods its output or dies costs the checks that needed it.
"""

from __future__ import annotations

import ast
import functools
import os
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import is_ignored
from traitlets import Bool, Float, Integer, TraitError, Unicode, validate

from .. import rules
from ..checks import GradingError
from ..limits import CELL_SECONDS
from ..names import bound_names, free_names
from . import harness, sandbox, scan, submission
from .channel import MESSAGE_LIMIT, KernelChannel, message_size

__all__ = ["SandboxedGrade", "RestoreMetadata", "RecordScores", "InlineMathJax", "SafeCollect", "exchange_classes",
           "configure", "stamp_gradebooks_in_process"]

_RESOURCE_KEY = "convlearn_scores"


def _forbidden_lists(code: str) -> set[str]:
    """The dotted names of every ``forbidden=`` list a test cell passes to ``Checks`` (evaluated safely)."""
    names: set[str] = set()
    for node in ast.walk(scan.parse(code)):
        if isinstance(node, ast.keyword) and node.arg == "forbidden":
            try:
                value = eval(compile(ast.Expression(node.value), "<forbidden>", "eval"),  # noqa: S307
                             {"__builtins__": {"tuple": tuple, "list": list}}, vars(rules))
                names.update(str(v) for v in value)
            except Exception:  # noqa: BLE001 - an unusual expression: nothing to add
                continue
    return names


def _scrub_test_text(nb, cells: list[int], tests: list[str]) -> None:
    """Remove outputs of the student's cells that quote hidden test code (they would reach the feedback).

    The kernel cannot read the test cells (they never enter the sandbox); this is the second line, for a
    quotation that reached the kernel some other way.
    """
    lines = set()
    for code in tests:
        hidden = code.split("### BEGIN HIDDEN TESTS")[1:]
        for part in hidden:
            lines.update(line.strip() for line in part.split("### END HIDDEN TESTS")[0].splitlines()
                         if len(line.strip()) >= 16)
    if not lines:
        return
    for index in cells:
        cell = nb.cells[index]
        text = "".join(str(o.get("text", "")) + str(o.get("evalue", "")) + "".join(map(str, o.get("traceback", ())))
                       + "".join(map(str, (o.get("data") or {}).values())) for o in cell.get("outputs", ()))
        if any(line in text for line in lines):
            cell.outputs = [nbformat.v4.new_output(
                "stream", name="stdout", text="[output removed by the grader: it quoted hidden test code]\n")]


class SandboxedGrade(Execute):
    """Autograde step: student cells in a sandboxed kernel, test cells in the grader (see the module docstring)."""

    allow_unsandboxed = Bool(
        False, help="Grade without a sandbox where none can be made. UNSAFE: a submission can then change "
                    "grades, read the hidden tests and harm the machine. Only for trying the course out."
    ).tag(config=True)
    output_limit = Integer(200_000, help="Characters of output kept per cell (more is cut, with a note).").tag(
        config=True)
    flood_limit = Integer(20_000_000, help="Characters of output in all before the kernel is stopped.").tag(
        config=True)
    message_limit = Integer(MESSAGE_LIMIT, help="Bytes of one message from the kernel: a larger one is refused "
                                                "while it is read, and the kernel is stopped at once.").tag(config=True)
    read_limit = Integer(256 << 20, help="Bytes the grader reads from the kernel for one cell or one call "
                                         "(outputs, replies, widget messages); past it the kernel is treated as "
                                         "lost.").tag(config=True)
    submission_seconds = Float(900.0, help="Wall-clock seconds one submission may take to grade in all (its "
                                           "cells and checks); what has not run by then scores 0, with the "
                                           "reason.").tag(config=True)
    interrupt_grace = Float(5.0, help="After a call runs out of time, seconds to wait for the interrupted "
                                      "kernel before it is replaced by a new one.").tag(config=True)
    time_scale = Float(1.0, help="Multiplies every time limit of a check (Checks(seconds=...), and the 1 s a "
                                 "function that ran out of time gets in its later calls): above 1 where the "
                                 "grading machine is much slower than the one the limits were set on, below 1 to "
                                 "grade a class faster where they are generous. Reports state the limit that "
                                 "applied.").tag(config=True)

    @validate("time_scale")
    def _positive_scale(self, proposal):
        if not proposal["value"] > 0:
            raise TraitError(f"SandboxedGrade.time_scale must be positive, not {proposal['value']!r}")
        return proposal["value"]

    # --- what the kernel sends while a student cell runs (nbclient calls these) ------------------------------
    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``output_limit`` characters per cell; give up on the kernel past ``flood_limit`` in all."""
        size = self._channel.charge_output(msg)
        kept = sum(message_size(o) for o in outs)
        if kept + size > self.output_limit:
            note = "\n[output cut: too long]\n"
            if not outs or outs[-1].get("text") != note:
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=note))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        """``update_display_data`` replaces an output already kept: the same limits apply to the new one."""
        size = self._channel.charge_output(msg)
        if size > self.output_limit:
            msg["content"]["data"] = {"text/plain": "[output cut: too long]"}
            msg["content"]["metadata"] = {}
        return super()._update_display_id(display_id, msg)

    def handle_comm_msg(self, outs, msg, cell_index):
        """Widget and other comm traffic: counted, never kept (grading needs no widget state)."""
        self._channel.charge(msg)

    # --- the steps --------------------------------------------------------------------------------------
    def preprocess(self, nb, resources, retries=None):
        ok, why = sandbox.available()
        if ok:
            self.kernel_name = sandbox.KERNEL_NAME
        elif not self.allow_unsandboxed:
            raise GradingError(
                f"refusing to grade: no sandbox can be made on this machine ({why}). Submissions would run "
                "with the grader's rights. Install bubblewrap (Linux), or, only to try the course out, pass "
                "--SandboxedGrade.allow_unsandboxed=True")
        else:
            self.log.warning("GRADING WITHOUT A SANDBOX (%s): submissions can change grades and files", why)
            self.kernel_name = "python3"
        self.interrupt_on_timeout = False  # a cell that times out gets a new kernel instead
        info = resources["nbgrader"]
        tests, setup = self._trusted_cells(info)
        self.nb, self.resources = nb, resources
        self._budget = harness.Budget(float(self.submission_seconds) if self.submission_seconds else None,
                                      time_scale=float(self.time_scale))
        self._cell_timeout = float(self.timeout or CELL_SECONDS)
        self._channel = KernelChannel(
            self, runtime=sandbox.private_runtime_dir(), cwd=resources.get("metadata", {}).get("path") or os.getcwd(),
            budget=self._budget, cell_timeout=self._cell_timeout, read_limit=self.read_limit,
            flood_limit=self.flood_limit, message_limit=self.message_limit, interrupt_grace=self.interrupt_grace,
            log=self.log)
        self.store_widget_state = False
        student_cells = []
        test_cells = {}
        for index, cell in enumerate(nb.cells):
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "code" and gid in tests and gid not in test_cells:
                test_cells[gid] = index
            elif cell.cell_type == "code":
                student_cells.append(index)
        scores = {}
        started = time.monotonic()
        self._channel.start()
        self.log.info("sandboxed kernel started in %.2f s", time.monotonic() - started)
        try:
            watch = set().union(*(_forbidden_lists(code) for code, _ in tests.values()))
            declared = self._declared_student_names(info)
            setup_names = set().union(*(bound_names(scan.parse(code)) for code in setup))
            for index in student_cells:
                self._run_student_cell(index)
            self.log.info("student cells ran in %.2f s", time.monotonic() - started)
            _scrub_test_text(nb, student_cells, [code for code, _ in tests.values()])
            flags = scan.scan([nb.cells[i].source for i in student_cells
                               if not nb.cells[i].metadata.get("nbgrader", {}).get("locked")], setup, watch)
            for gid, index in test_cells.items():
                code, points = tests[gid]
                outcome = harness.run_test_cell(
                    code, points, trusted_ns=lambda: self._trusted_namespace(setup),
                    student_names=declared if declared is not None else free_names(scan.parse(code), setup_names),
                    send=self._channel.send, restart=self._channel.restart,
                    flags=flags, filename=f"<test cell {gid}>", budget=self._budget)
                scores[gid] = (outcome.score, outcome.points)
                cell = nb.cells[index]
                cell.source = code
                cell.outputs = [
                    nbformat.v4.new_output("stream", name="stdout", text=outcome.report + "\n"),
                    nbformat.v4.new_output("execute_result", data={"text/plain": repr(outcome.score)},
                                           execution_count=None),
                ]
                self.log.info("%s: %g of %g points (%d run%s, %.2f s so far)", gid, outcome.score, outcome.points,
                              outcome.runs, "" if outcome.runs == 1 else "s", time.monotonic() - started)
            for gid in tests:
                scores.setdefault(gid, (0.0, tests[gid][1]))
        finally:
            self._channel.stop()
            self.timeout = int(self._cell_timeout)
        resources[_RESOURCE_KEY] = scores
        return nb, resources

    def _run_student_cell(self, index: int) -> None:
        cell = self.nb.cells[index]
        if not cell.source.strip():
            return
        locked = cell.metadata.get("nbgrader", {}).get("locked")
        why = None if locked else scan.refusal(cell.source)
        if why is None and self._budget.remaining() <= 0:
            why = self._budget.spent_reason()
        if why is not None:
            cell.outputs = [nbformat.v4.new_output(
                "error", ename="NotRunByTheGrader", evalue=why, traceback=[f"Not run by the grader: {why}"])]
            return
        began = time.monotonic()
        self._channel.read_total = 0
        self.timeout = max(1, int(min(self._cell_timeout, self._budget.remaining())))
        try:
            self.execute_cell(cell, index, store_history=True)
        except CellTimeoutError:
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="CellTimeoutError", evalue=f"this cell did not finish within {self.timeout} s",
                traceback=[f"CellTimeoutError: this cell did not finish within {self.timeout} s"]))
            self._channel.restart()
            return
        except DeadKernelError:
            why, self._channel.lost_reason = self._channel.lost_reason, None
            why = f"the kernel was stopped while running this cell: {why}" if why else \
                "the kernel stopped while running this cell"
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="DeadKernelError", evalue=why, traceback=[f"DeadKernelError: {why}"]))
            self._channel.restart()
            return
        except Exception as exc:  # noqa: BLE001 - e.g. the output flood stopped the kernel
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=type(exc).__name__, evalue=str(exc)[:500], traceback=[f"{type(exc).__name__}"]))
            self._channel.restart()
            return
        if not self._channel.alive():
            self._channel.restart()
            return
        self._channel.ran.append((cell.source, time.monotonic() - began))

    def _trusted_cells(self, info: dict) -> tuple[dict, list[str]]:
        """From the gradebook: ``{test grade_id: (code, points)}`` and the set-up cells' code, in order."""
        tests, setup = {}, []
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            grade_cells = {c.name: c for c in notebook.grade_cells}
            for source_cell in notebook.source_cells:
                if source_cell.cell_type != "code":
                    continue
                grade = grade_cells.get(source_cell.name)
                if grade is not None and grade.cell_type == "code" and not any(
                        s.name == source_cell.name for s in notebook.solution_cells):
                    tests[source_cell.name] = (source_cell.source, float(grade.max_score))
                elif source_cell.locked and grade is None:
                    setup.append(source_cell.source)
        return tests, setup

    def _declared_student_names(self, info: dict) -> set[str] | None:
        """The names the test cells take from the student, as the instructor's source notebook declares them.

        ``exercises/build.py`` checks them against the cells and stores them in the notebook's metadata
        (``metadata.convlearn.student_names``). They are read from the course's ``source/`` notebook, never
        from the submission (whose metadata the student controls). ``None`` (no such notebook or no list):
        the names are inferred from each test cell's free names instead.
        """
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", info["assignment"])
        path = Path(folder) / f"{info['notebook']}.ipynb"
        try:
            declared = nbformat.read(path, as_version=4).metadata.get("convlearn", {}).get("student_names")
        except (OSError, ValueError):
            declared = None
        if not isinstance(declared, list) or not all(isinstance(n, str) and n.isidentifier() for n in declared):
            self.log.info("%s declares no student_names: inferring them from the test cells", path)
            return None
        return set(declared)

    def _trusted_namespace(self, setup: list[str]) -> dict:
        """A fresh namespace with the instructor's set-up cells run in this process (cached per notebook)."""
        cache = getattr(self, "_setup_cache", None)
        if cache is None or cache[0] is not setup:
            ns = {"__name__": "__convlearn_grading__"}
            for i, code in enumerate(setup):
                exec(compile(code, f"<set-up cell {i}>", "exec"), ns)  # noqa: S102 - the instructor's code
            self._setup_cache = cache = (setup, ns)
        return dict(cache[1])


class RestoreMetadata(NbGraderPreprocessor):
    """Before nbgrader's ``OverwriteCells``: reset every cell's nbgrader flags from the gradebook.

    A submission may edit its notebook's metadata: turn a test cell into a solution cell, give a cell new
    points or an unknown ``grade_id``. nbgrader then stops with "Inconsistent checksums" for that student;
    here the flags of known cells are put back (so ``OverwriteCells`` restores their source) and cells with
    an unknown ``grade_id`` become ordinary cells. A locked cell left as released (the gradebook's source minus
    its hidden tests) gets the gradebook's source back, so ``OverwriteCells`` warns only about edited cells.
    """

    def preprocess(self, nb, resources):
        from .released import is_as_released

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            grades = {c.name: float(c.max_score) for c in notebook.grade_cells}
            solutions = {c.name for c in notebook.solution_cells}
            tasks = {c.name: float(c.max_score) for c in notebook.task_cells}
            sources = {c.name: c for c in notebook.source_cells}
            for cell in nb.cells:
                if "nbgrader" not in cell.metadata:
                    continue
                meta = cell.metadata["nbgrader"]
                gid = meta.get("grade_id") if isinstance(meta, dict) else None
                if gid not in sources:
                    del cell.metadata["nbgrader"]
                    continue
                meta["grade"] = gid in grades
                meta["solution"] = gid in solutions
                meta["locked"] = bool(sources[gid].locked)
                meta["task"] = gid in tasks
                if meta["locked"] and cell.source != sources[gid].source and is_as_released(
                        cell.source, sources[gid].source, self):
                    cell.source = sources[gid].source  # untouched: no "checksum has changed" (released.py)
                if gid in grades or gid in tasks:
                    meta["points"] = grades.get(gid, tasks.get(gid))
                else:
                    meta.pop("points", None)
        return nb, resources


class RecordScores(NbGraderPreprocessor):
    """After ``SaveAutoGrades``: write the grader's points into the gradebook, whatever the notebook shows."""

    def preprocess(self, nb, resources):
        scores = resources.get(_RESOURCE_KEY)
        if scores is None:
            raise GradingError("no scores from SandboxedGrade: check Autograde.autograde_preprocessors")
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            for gid, (score, points) in scores.items():
                grade = gb.find_grade(gid, info["notebook"], info["assignment"], info["student"])
                grade.auto_score = max(0.0, min(float(score), float(points)))
                grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
        return nb, resources


class InlineMathJax(NbGraderPreprocessor):
    """Feedback: give the template a MathJax 3 ``tex-svg.js`` to inline, so that formulas render offline.

    The course's ``nbgrader_config.py`` sets :attr:`mathjax_path` to the book's vendored copy
    (``book/_extra/_vendor/mathjax/tex-svg.js``); without it the feedback shows formulas as TeX.
    """

    mathjax_path = Unicode("", help="The MathJax 3 tex-svg.js file inlined into the feedback (empty: formulas "
                                    "show as TeX).").tag(config=True)

    def preprocess(self, nb, resources):
        path = Path(self.mathjax_path) if self.mathjax_path else None
        if path is not None and path.is_file():
            resources["convlearn_mathjax"] = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
        else:
            self.log.warning("MathJax not found at %r (InlineMathJax.mathjax_path): formulas in the feedback show "
                             "as TeX", self.mathjax_path)
            resources["convlearn_mathjax"] = ""
        return nb, resources


# --- what grading takes from a submission folder (convlearn.grading.grader.submission) ----------------------------
class SafeCollect(ExchangeCollect):
    """``nbgrader collect`` that takes only regular files from the exchange (see :mod:`.submission`)."""

    def do_copy(self, src, dest, log=None):
        accepted, refused = submission.inspect(
            src, max_file=min(submission.MAX_FILE_BYTES, 1000 * int(self.coursedir.max_file_size)),
            ignore=lambda rel: is_ignored(os.path.join(src, rel), self.coursedir.ignore))
        for rel, why in refused.items():
            self.log.warning("collect %s: refused %s: %s (only regular files inside the submission are taken)",
                             os.path.basename(src), rel, why)
        if "." in refused:
            self.log.error("collect %s: not collected: %s", os.path.basename(src), refused["."])
            return
        os.makedirs(dest, exist_ok=True)
        for rel in accepted:
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            submission.copy_regular(os.path.join(src, rel), os.path.join(dest, rel))
            if self.coursedir.groupshared:
                os.chmod(os.path.join(dest, rel), 0o664)


def _guard_autograde() -> None:
    """Make ``nbgrader autograde`` take only regular files from ``submitted/`` (see :mod:`.submission`).

    nbgrader copies every file of a submission into ``autograded/`` with ``shutil.copy``, which follows
    symbolic links (to the instructor's files, to ``/dev/zero``) and has no size bound. Here, before a
    submission is graded, its folder is inspected: refused entries are logged with the reason and never
    opened; a refused notebook is graded as missing (0 points); a folder or ``timestamp.txt`` that is refused
    stops that submission only, with the reason. nbgrader offers no hook for this, so two of its methods are
    wrapped (once per process).
    """
    if getattr(Autograde, "_convlearn_guarded", False):
        return
    init_destination, init_assignment = Autograde.init_destination, Autograde.init_assignment
    base_init_assignment = BaseConverter.init_assignment

    def refused_notebooks(self, source, refused) -> dict:
        return {nb: refused[rel] for nb in self.notebooks
                if (rel := Path(nb).relative_to(source).as_posix()) in refused}

    def grade_as_missing(self, assignment_id, student_id, bad: dict) -> None:
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            gb.update_or_create_student(student_id)
            gb.update_or_create_submission(assignment_id, student_id)
            for nb, why in bad.items():
                name = Path(nb).stem
                self.log.warning("%s/%s: notebook %s refused (%s): graded as missing, 0 points",
                                 student_id, assignment_id, name, why)
                try:
                    for grade in gb.find_submission_notebook(name, assignment_id, student_id).grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                except Exception:  # noqa: BLE001 - not a notebook of the assignment
                    continue
            gb.db.commit()

    def guarded_init_destination(self, assignment_id, student_id):
        source = self._format_source(assignment_id, student_id)
        accepted, refused = submission.inspect(
            source, ignore=lambda rel: is_ignored(os.path.join(source, rel), self.coursedir.ignore))
        for rel, why in refused.items():
            self.log.warning("%s/%s: refused %s: %s (only regular files inside the submission are graded)",
                             student_id, assignment_id, rel, why)
        for critical in (".", "timestamp.txt"):
            if critical in refused:
                raise submission.SubmissionError(
                    f"not graded: the submission of {student_id} ({critical}) is {refused[critical]}")
        self._convlearn_submission = (source, accepted, refused)
        bad = refused_notebooks(self, source, refused)
        if bad and len(bad) == len(self.notebooks):  # nothing left to grade: as if no notebook was submitted
            grade_as_missing(self, assignment_id, student_id, bad)
            return False
        return init_destination(self, assignment_id, student_id)

    def safe_base_init_assignment(self, assignment_id, student_id):
        taken = getattr(self, "_convlearn_submission", None)
        if not isinstance(self, Autograde) or taken is None:
            return base_init_assignment(self, assignment_id, student_id)
        source, accepted, _ = taken
        dest = self._format_dest(assignment_id, student_id)
        for rel in accepted:
            if rel.endswith(".ipynb"):
                continue
            target = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.remove(target)
            submission.copy_regular(os.path.join(source, rel), target)

    def guarded_init_assignment(self, assignment_id, student_id):
        source, _, refused = self._convlearn_submission
        bad = refused_notebooks(self, source, refused)
        self.notebooks = [nb for nb in self.notebooks if nb not in bad]
        init_assignment(self, assignment_id, student_id)
        if bad:
            grade_as_missing(self, assignment_id, student_id, bad)

    Autograde.init_destination = guarded_init_destination
    Autograde.init_assignment = guarded_init_assignment
    BaseConverter.init_assignment = safe_base_init_assignment
    Autograde._convlearn_guarded = True


def stamp_gradebooks_in_process() -> None:
    """Let nbgrader find the schema revision of a new gradebook without starting a process (once per process).

    nbgrader stamps every gradebook it creates with the head revision of its database migrations, which it learns
    by running the ``alembic heads`` command (``nbgrader.api.get_alembic_version``): a new Python process, about
    1.3 s of CPU, each time a course, a grader's copy of a course or a parallel run creates a gradebook. The same
    revision is read here from the same migration scripts with alembic's ``ScriptDirectory``, once per process;
    should that fail (or find several heads), nbgrader's own command answers as before.
    """
    import nbgrader.api as api

    if getattr(api.get_alembic_version, "_convlearn", False):
        return
    command = api.get_alembic_version

    @functools.cache
    def head() -> str:
        try:
            from alembic.script import ScriptDirectory
            from nbgrader.dbutil import ALEMBIC_DIR

            found = ScriptDirectory(ALEMBIC_DIR).get_current_head()
        except Exception:  # noqa: BLE001 - several heads, or alembic changed: nbgrader's own way
            found = None
        return found or command()

    head._convlearn = True
    api.get_alembic_version = head


def exchange_classes(root: str, course_id: str) -> dict[str, str]:
    """The ``ExchangeFactory`` classes for the exchange at ``root`` (step -> dotted class name).

    An exchange laid out by ``python -m convlearn.grading.grader.exchange`` (an ``inbound/`` that others cannot write,
    with a private folder per student: the JupyterHub set-up) uses every class of
    :mod:`convlearn.grading.grader.exchange`; nbgrader's own layout (a shared, world-writable ``inbound/``: a local
    try-out) keeps nbgrader's classes but collects with :class:`SafeCollect` and releases feedback with
    :class:`convlearn.grading.grader.steps.ReleaseFeedbackOrFail`. Either way collect takes regular files only, and
    releasing feedback that was never generated fails with a reason.
    """
    from . import exchange

    inbound = Path(root) / course_id / "inbound"
    try:
        private = not inbound.stat().st_mode & 0o002
    except OSError:
        private = False
    if private:
        return {step: f"{exchange.__name__}.{cls.__name__}" for step, cls in exchange.EXCHANGE_CLASSES.items()}
    return {"collect": f"{__name__}.SafeCollect",
            "release_feedback": "convlearn.grading.grader.steps.ReleaseFeedbackOrFail"}


def configure(c) -> None:
    """Make nbgrader grade in sandboxes; called by the course's ``nbgrader_config.py`` with its ``c``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    kernels = sandbox.private_runtime_dir()
    sandbox.install_kernelspec(kernels)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kernels), os.environ.get("JUPYTER_PATH")]))
    c.Autograde.sanitize_preprocessors = [
        ClearOutput, DeduplicateIds, RestoreMetadata, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
    ]
    from .inert import InertOutputs  # student output can run no script in the Formgrader or the feedback

    c.Autograde.autograde_preprocessors = [
        SandboxedGrade, InertOutputs, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
        RecordScores, AssignLatePenalties, CheckCellMetadata,
    ]
    c.KernelManager.transport = "ipc"
    _guard_autograde()
    stamp_gradebooks_in_process()
    if sandbox.available()[0]:
        c.Execute.kernel_name = sandbox.KERNEL_NAME  # nbgrader validate too
        c.KernelManager.connection_file = str(kernels / "runtime" / "kernel.json")
        (kernels / "runtime").mkdir(mode=0o711)
