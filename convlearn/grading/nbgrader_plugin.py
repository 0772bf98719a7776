"""nbgrader's side of grading: run a submission in a sandboxed kernel and decide its scores outside it.

The course's ``nbgrader_config.py`` calls :func:`configure`, which makes ``nbgrader autograde`` (and
``nbgrader validate``) use the ``convlearn-sandbox`` kernel (:mod:`convlearn.grading.sandbox`) and replaces
nbgrader's ``Execute`` step of autograding by :class:`SandboxedGrade`:

1. the student's code cells (everything but the test cells) run in the sandboxed kernel, in order, each with
   the cell time limit (``Execute.timeout``); a cell that times out or kills the kernel records an error,
   the kernel is started again with the cells before it, and grading goes on with the next cell;
2. each test cell — its code taken from the **gradebook**, never from the submission — runs in this process
   (:func:`convlearn.grading.harness.run_test_cell`), calling the student's functions in the kernel; its
   outputs in the graded notebook become the ``[PASS]/[FAIL] why`` report and the points, and nothing the
   kernel printed;
3. :class:`RecordScores`, after nbgrader's ``SaveAutoGrades``, writes those points into the gradebook
   directly, so no output of the notebook can change a score.

A submission can only lose its own points: it cannot reach the grader, the gradebook, other students' files
or the course, and a kernel that hangs, exits, floods its output or dies costs the checks that needed it.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import os
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer

from . import GradingError, harness, sandbox, scan, wire

__all__ = ["SandboxedGrade", "RestoreMetadata", "RecordScores", "InlineMathJax", "configure"]

_RESOURCE_KEY = "convlearn_scores"


def _forbidden_lists(code: str) -> set[str]:
    """The dotted names of every ``forbidden=`` list a test cell passes to ``Checks`` (evaluated safely)."""
    import convlearn.grading as grading

    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.keyword) and node.arg == "forbidden":
            try:
                value = eval(compile(ast.Expression(node.value), "<forbidden>", "eval"),  # noqa: S307
                             {"__builtins__": {"tuple": tuple, "list": list}}, vars(grading))
                names.update(str(v) for v in value)
            except Exception:  # noqa: BLE001 - an unusual expression: nothing to add
                continue
    return names


def _free_names(code: str, defined: set[str]) -> set[str]:
    """Names a test cell reads that neither it, the set-up cells nor Python's builtins define."""
    tree = ast.parse(code)
    own = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            own.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            own.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            own.add(node.arg)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - own - defined - set(vars(builtins))


def _defined_names(codes: list[str]) -> set[str]:
    names = set()
    for code in codes:
        tree = ast.parse(code)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


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

    # --- kernel ----------------------------------------------------------------------------------------
    def _start(self) -> None:
        self.km = self.create_kernel_manager()
        self.km.connection_file = str(self._runtime / "kernel.json")
        self.start_new_kernel(cwd=self._cwd)
        self.start_new_kernel_client()
        self._output_total = 0

    def _stop(self) -> None:
        if getattr(self, "km", None) is not None:
            try:
                self._cleanup_kernel()
            except Exception:  # noqa: BLE001 - already dead
                self.km = None
                self.kc = None

    def _restart(self) -> None:
        """A new kernel with the student's cells that ran before run again (their outputs are not kept)."""
        self._stop()
        self._start()
        for code in self._ran:
            try:
                self._send(code, float(self.timeout or 60), want_reply=False)
            except harness.KernelLost:
                self.log.warning("a cell that ran before did not run again after a restart")
                self._stop()
                self._start()
                break

    async def _async_send(self, code: str, timeout: float, want_reply: bool) -> str:
        """Run ``code``; return the last agent reply it published. Raises KernelLost on time-out or death."""
        kc = self.kc
        if kc is None:
            raise harness.KernelLost("the kernel is not running")
        msg_id = kc.execute(code, silent=False, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        reply_text, budget = None, 64 << 20

        async def next_message(get):
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise harness.KernelLost(f"no answer within {timeout:.3g} s (time limit)")
                try:
                    msg = await asyncio.wait_for(get(), timeout=min(remaining, 1.0))
                except TimeoutError:
                    if not await self.km.is_alive():
                        raise harness.KernelLost("the kernel died") from None
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    return msg

        while True:
            msg = await next_message(kc.get_iopub_msg)
            kind = msg["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                break
            if kind in ("display_data", "execute_result") and want_reply:
                data = msg["content"].get("data", {})
                if isinstance(data.get(wire.MIME), str):
                    reply_text = data[wire.MIME]
            elif kind == "stream":
                budget -= len(msg["content"].get("text", ""))
                if budget < 0:
                    raise harness.KernelLost("the kernel flooded its output")
        await next_message(kc.get_shell_msg)
        if want_reply and reply_text is None:
            raise harness.NoAnswer("the kernel sent no answer")
        return reply_text or ""

    def _send(self, code: str, timeout: float, want_reply: bool = True) -> str:
        return run_sync(self._async_send)(code, timeout, want_reply)

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``output_limit`` characters per cell; give up on the kernel past ``flood_limit`` in all."""
        content = msg["content"]
        size = len(content.get("text", "")) + len(str(content.get("data", ""))) + len(str(content.get("traceback", "")))
        self._output_total += size
        if self._output_total > self.flood_limit:
            raise harness.KernelLost("the kernel flooded its output")
        kept = sum(len(o.get("text", "")) + len(str(o.get("data", ""))) for o in outs)
        if kept + size > self.output_limit:
            note = "\n[output cut: too long]\n"
            if not outs or outs[-1].get("text") != note:
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=note))
            return None
        return super().output(outs, msg, display_id, cell_index)

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
        self._cwd = resources.get("metadata", {}).get("path") or os.getcwd()
        self._runtime = sandbox.private_runtime_dir()
        self._ran: list[str] = []
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
        self._start()
        self.log.info("sandboxed kernel started in %.2f s", time.monotonic() - started)
        try:
            for index in student_cells:
                self._run_student_cell(index)
            self.log.info("student cells ran in %.2f s", time.monotonic() - started)
            flags = scan.scan([nb.cells[i].source for i in student_cells
                               if not nb.cells[i].metadata.get("nbgrader", {}).get("locked")],
                              setup, set().union(*(_forbidden_lists(code) for code, _ in tests.values())))
            setup_names = _defined_names(setup)
            for gid, index in test_cells.items():
                code, points = tests[gid]
                outcome = harness.run_test_cell(
                    code, points, trusted_ns=lambda: self._trusted_namespace(setup),
                    student_names=_free_names(code, setup_names), send=self._send, restart=self._restart,
                    flags=flags, filename=f"<test cell {gid}>")
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
            self._stop()
        resources[_RESOURCE_KEY] = scores
        return nb, resources

    def _run_student_cell(self, index: int) -> None:
        cell = self.nb.cells[index]
        if not cell.source.strip():
            return
        try:
            self.execute_cell(cell, index, store_history=True)
        except CellTimeoutError:
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="CellTimeoutError", evalue=f"this cell did not finish within {self.timeout} s",
                traceback=[f"CellTimeoutError: this cell did not finish within {self.timeout} s"]))
            self._restart()
            return
        except DeadKernelError:
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="DeadKernelError", evalue="the kernel stopped while running this cell",
                traceback=["DeadKernelError: the kernel stopped while running this cell"]))
            self._restart()
            return
        except Exception as exc:  # noqa: BLE001 - e.g. the output flood stopped the kernel
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=type(exc).__name__, evalue=str(exc)[:500], traceback=[f"{type(exc).__name__}"]))
            self._restart()
            return
        if self.km is None or not run_sync(self.km.is_alive)():
            self._restart()
            return
        self._ran.append(cell.source)

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
    """Feedback: give the template the book's vendored MathJax (``tex-svg.js``) to inline: formulas render offline."""

    def preprocess(self, nb, resources):
        import convlearn

        path = Path(convlearn.__file__).resolve().parents[1] / "book" / "_extra" / "_vendor" / "mathjax" / "tex-svg.js"
        if path.is_file():
            resources["convlearn_mathjax"] = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
        else:
            self.log.warning("MathJax not found at %s: formulas in the feedback show as TeX", path)
            resources["convlearn_mathjax"] = ""
        return nb, resources


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
    if sandbox.available()[0]:
        c.Execute.kernel_name = sandbox.KERNEL_NAME  # nbgrader validate too
        c.KernelManager.connection_file = str(kernels / "runtime" / "kernel.json")
        (kernels / "runtime").mkdir(mode=0o711)
