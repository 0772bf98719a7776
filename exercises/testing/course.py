"""Drive the course end to end: copy it, release, fill in submissions from variant files, grade, read scores.

Used by ``tests/test_exercises_nbgrader.py`` and ``benchmarks/bench_grading.py``; usable by hand::

    python exercises/testing/course.py a2_discrete1d      # grade every variant of one assignment, print a table

A *variant* is a Python file in ``testing/variants/<assignment>/`` whose sections replace solution cells::

    \"\"\"Off by one: ... (first line: what the mistake is)

    loses: test_conv_full, test_modes     # test cells that must score less than full marks
    \"\"\"
    # %% conv_full                        # grade_id of the solution cell this section replaces
    def convolve_full(x, k):
        ...

Solution cells without a section get the reference solution (the source notebook's solution region), so a
variant isolates one mistake. The file name says what kind it is: ``buggy_*``, ``cheat_*`` or ``hang_*``.

Where the mistake is local, a section is a *patch* against that reference region instead of a copy of it:
``# replace: <line>`` lines (one or more, consecutive: a block of reference lines, matched exactly up to
trailing spaces) followed by the ``# with: <line>`` lines that take its place (none: the block is deleted);
a blank line ends a pair::

    # %% conv_layer
    # replace:         self.dW = np.zeros_like(self.W)
    # with:            self.dW = getattr(self, "dW", np.zeros_like(self.W))

A block that is absent from the reference, or found more than once (add a neighbouring line to it), is an
error, so a renamed attribute in the reference solution fails loudly instead of silently grading something
else. Whole-cell sections stay for structural mistakes (another algorithm, a hang, a cheat).

An *attack* (``testing/attacks/<assignment>/*.py``, same format) tries to forge its grade or harm the course
from a solution cell. Its cells without a section stay as released (blank), and its docstring says what it must
score, ``expect: 0`` or ``expect: test_full=3`` (the named cells get those points, every other cell 0): exactly
what its honest part deserves. Its code may contain ``__COURSE__``, ``__REPO__``, ``__HOME__`` and ``__PORT__``,
which the attack test replaces by the real paths and the port of a loopback listener. Two more docstring lines
serve attacks on the submission folder and on isolation: ``link: NAME -> TARGET`` puts a symbolic link NAME
(the notebook's own name included) into the submitted folder, and ``shows: TEXT`` says that the graded
notebook's outputs must contain TEXT (what the attack prints when it finds nothing to use). IPython syntax
(magics, ``!cmd``) is written as a comment, ``#ipython: %%capture``, and becomes that line in the cell.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

EXERCISES = Path(__file__).resolve().parents[1]
REPO = EXERCISES.parent
VARIANTS = EXERCISES / "testing" / "variants"
ATTACKS = EXERCISES / "testing" / "attacks"
NOTEBOOK_VERSION = 4
_SECTION = re.compile(r"^# %% (\w+)\s*$", re.MULTILINE)
#: One line of a patch section: ``# replace: <reference line>`` or ``# with: <new line>``.
_PATCH_LINE = re.compile(r"^# (replace|with):(?: (.*))?$")
#: A line ``#ipython: %%capture`` in a variant is the IPython line ``%%capture`` in the cell (the file stays Python).
_IPYTHON_LINE = re.compile(r"^#ipython: ", re.MULTILINE)
#: Per-cell time limit when the tests grade (the course itself allows 60 s: exercises/nbgrader_config.py). The
#: course's student cells only import and define (a6's, which train, about a second on an idle machine), so 10 s
#: holds on a loaded CI machine, while every submission that hangs in a cell (a1's hang_cell_loop, attacks that
#: stop the kernel answering) waits it out in full: the tests' cost of a hang, not a statement about students.
CELL_TIMEOUT = 10
#: ``SandboxedGrade.time_scale`` when the tests grade a class: a check's limit of 10 s is 2.5 s (a6's training,
#: 15 s). The reference's checks take milliseconds (the training under half a second) on an idle machine; a
#: submission that hangs in a check spins a core for the whole limit.
TIME_SCALE = 0.25
_COPY_IGNORE = shutil.ignore_patterns(
    "release", "submitted", "autograded", "feedback", "gradebook.db", "*.csv", "__pycache__", "testing",
    ".ipynb_checkpoints",
)


def assignments() -> list[str]:
    """Assignment names, in course order."""
    return sorted(p.name for p in (EXERCISES / "source").iterdir() if p.is_dir())


@dataclasses.dataclass(frozen=True)
class Variant:
    """A simulated submission: replacement code for some solution cells, and the cells it must lose."""

    name: str
    kind: str  # buggy | cheat | hang | attack
    description: str
    loses: tuple[str, ...]
    sections: dict
    expect: dict = dataclasses.field(default_factory=dict)  # attacks: {test grade_id: points}, others 0
    links: dict = dataclasses.field(default_factory=dict)  # attacks: {file name in the submission: link target}
    shows: tuple[str, ...] = ()  # attacks: texts the graded notebook's outputs must contain
    patches: dict = dataclasses.field(default_factory=dict)  # {solution grade_id: [(old lines, new lines)]}

    @classmethod
    def from_file(cls, path: Path, attack: bool = False) -> Variant:
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        loses, expect, has_expect, links, shows = (), {}, False, {}, []
        for line in doc.splitlines():
            key, _, value = line.strip().partition(":")
            if key == "link":
                name, _, target = value.partition("->")
                links[name.strip()] = target.strip()
            elif key == "shows":
                shows.append(value.strip())
            elif key == "loses":
                loses = tuple(s.strip() for s in value.split(",") if s.strip())
            elif key == "expect":
                has_expect = True
                for item in value.split(","):
                    if "=" in item:
                        gid, points = item.split("=")
                        expect[gid.strip()] = float(points)
        parts = _SECTION.split(text)
        sections, patches = {}, {}
        for i in range(1, len(parts), 2):
            pairs = parse_patch(parts[i + 1], f"{path} section {parts[i]}")
            if pairs is None:
                sections[parts[i]] = _IPYTHON_LINE.sub("", parts[i + 1].strip("\n")) + "\n"
            else:
                patches[parts[i]] = pairs
        if not sections and not patches:
            raise ValueError(f"{path}: no '# %% <grade_id>' section")
        if attack:
            if not has_expect:
                raise ValueError(f"{path}: an attack's docstring must say what it scores ('expect: ...')")
            if patches:
                raise ValueError(f"{path}: an attack's sections are whole cells (its other cells stay blank)")
            return cls(path.stem, "attack", doc.splitlines()[0], (), sections, expect, links, tuple(shows))
        if not loses:
            raise ValueError(f"{path}: the docstring must say which test cells it loses ('loses: ...')")
        kind = path.stem.split("_", 1)[0]
        if kind not in ("buggy", "cheat", "hang"):
            raise ValueError(f"{path}: file name must start with buggy_, cheat_ or hang_")
        return cls(path.stem, kind, doc.splitlines()[0] if doc else path.stem, loses, sections, patches=patches)

    def code(self, reference: dict[str, str]) -> dict[str, str]:
        """``{solution grade_id: code}`` of every section: whole cells as written, patches applied to ``reference``."""
        unknown = (set(self.sections) | set(self.patches)) - set(reference)
        if unknown:
            raise ValueError(f"{self.name}: no solution cell {sorted(unknown)}")
        patched = {gid: apply_patch(reference[gid], pairs, f"{self.name} section {gid}")
                   for gid, pairs in self.patches.items()}
        return {**self.sections, **patched}

    def substituted(self, **values: str) -> Variant:
        """The same variant with ``__KEY__`` placeholders in its code replaced by ``values``."""
        def fill(text: str) -> str:
            for key, value in values.items():
                text = text.replace(f"__{key}__", str(value))
            return text

        return dataclasses.replace(self, sections={gid: fill(code) for gid, code in self.sections.items()},
                                   links={name: fill(target) for name, target in self.links.items()})


def parse_patch(text: str, where: str) -> list[tuple[list[str], list[str]]] | None:
    """A section's ``(old lines, new lines)`` pairs, or ``None`` if it is a whole cell (see the module docstring)."""
    lines = text.strip("\n").splitlines()
    if not lines or not lines[0].startswith("# replace:"):
        return None
    pairs, previous = [], None
    for line in lines:
        if not line.strip():
            previous = None
            continue
        match = _PATCH_LINE.match(line.rstrip())
        if match is None:
            raise ValueError(f"{where}: a patch holds only '# replace: <line>' and '# with: <line>' lines, "
                             f"not {line!r}")
        key, body = match.group(1), match.group(2) or ""
        if key == "replace" and previous != "replace":
            pairs.append(([], []))
        elif key == "with" and previous is None:
            raise ValueError(f"{where}: '# with: {body}' follows no '# replace:' line")
        pairs[-1][0 if key == "replace" else 1].append(body)
        previous = key
    return pairs


def apply_patch(reference: str, pairs, where: str) -> str:
    """``reference`` with each block of old lines, found exactly once, replaced by its new lines."""
    lines = reference.splitlines()
    for old, new in pairs:
        want = [line.rstrip() for line in old]
        hits = [i for i in range(len(lines) - len(old) + 1)
                if [line.rstrip() for line in lines[i:i + len(old)]] == want]
        if len(hits) != 1:
            how = "is not in" if not hits else f"is {len(hits)} times in"
            raise ValueError(f"{where}: '# replace: {old[0].strip()}'{' ...' if len(old) > 1 else ''} {how} the "
                             "reference solution" + ("" if not hits else " (add a neighbouring line to the block)"))
        lines[hits[0]:hits[0] + len(old)] = new
    return "\n".join(lines) + "\n"


def variants(assignment: str) -> list[Variant]:
    return [Variant.from_file(p) for p in sorted((VARIANTS / assignment).glob("*.py"))]


def attacks(assignment: str) -> list[Variant]:
    return [Variant.from_file(p, attack=True) for p in sorted((ATTACKS / assignment).glob("*.py"))]


def reference_code(source: str) -> str:
    """A solution cell's source with the BEGIN/END SOLUTION marker lines removed (the solution kept)."""
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line) + "\n"


def reference_solutions(source_nb) -> dict[str, str]:
    """``{solution grade_id: reference code}`` of a source notebook (what variants patch or replace)."""
    return {c.metadata["nbgrader"]["grade_id"]: reference_code(c.source) for c in source_nb.cells if is_solution(c)}


def is_solution(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def is_test(cell) -> bool:
    nbg = cell.metadata.get("nbgrader", {})
    return bool(nbg.get("grade")) and not nbg.get("solution")


def environment() -> dict:
    """Environment for nbgrader, as parallel grading makes it, with this checkout's convlearn importable."""
    from convlearn.grading.grader.gradetask import environment as grading_environment

    return grading_environment(REPO)


#: Variables of the environment that nbgrader and the course read only while a command runs: ``HOME`` (where
#: jupyter_core and IPython look for their folders) and ``CONVLEARN_EXCHANGE`` (read by the course's
#: ``nbgrader_config.py``). :meth:`Course.nbgrader` runs a command that changes only these in the preloaded nbgrader.
READ_WHILE_RUNNING = frozenset({"HOME", "CONVLEARN_EXCHANGE"})


class Course:
    """A throw-away copy of ``exercises/`` in ``root`` (never grades in the repository itself)."""

    def __init__(self, root: Path, *, copy: bool = True, timeout: int | None = None,
                 time_scale: float | None = None):
        self.root = Path(root)
        if copy:
            shutil.copytree(EXERCISES, self.root, ignore=_COPY_IGNORE, dirs_exist_ok=True)
        self.timeout = timeout  # a student cell's limit while grading (--Execute.timeout)
        self.time_scale = time_scale  # the checks' limits are multiplied by it (--SandboxedGrade.time_scale)

    def nbgrader(self, *args: str, check: bool = True, db: str | None = None,
                 env: dict | None = None) -> subprocess.CompletedProcess:
        """Run ``nbgrader <args>`` in the course, as its command line does.

        ``env`` holds changes to this process's environment. Without it, or when it changes only variables that
        are read while a command runs (:data:`READ_WHILE_RUNNING`), the command runs in a child forked from a
        process that has imported nbgrader and the course's plugin already
        (:func:`convlearn.grading.grader.gradetask.run_nbgrader`, how parallel grading runs it), with that
        environment: that saves each command about 1.4 s of imports. Otherwise, as a new ``python -m nbgrader``
        process, since what nbgrader and the plugin read of the environment when they are imported (whether
        bubblewrap is on PATH, say) must then be read afresh.
        """
        argv = list(args)
        if self.timeout is not None and args and args[0] in ("autograde", "validate"):
            argv.append(f"--Execute.timeout={self.timeout}")
        if self.time_scale is not None and args and args[0] == "autograde":
            argv.append(f"--SandboxedGrade.time_scale={self.time_scale}")
        if db is not None and args and args[0] != "validate":
            argv.append(f"--CourseDirectory.db_url=sqlite:///{db}")
        cmd = [sys.executable, "-m", "nbgrader", *argv]
        if env is None or set(env) <= READ_WHILE_RUNNING:
            from convlearn.grading.grader.gradetask import run_nbgrader

            code, out, err = run_nbgrader(argv, self.root, env={**environment(), **(env or {})})
            proc = subprocess.CompletedProcess(cmd, code, out, err)
        else:
            proc = subprocess.run(cmd, cwd=self.root, env={**environment(), **env}, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def source_notebook(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "source" / assignment / f"{assignment}.ipynb", NOTEBOOK_VERSION)

    def release_notebook(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "release" / assignment / f"{assignment}.ipynb", NOTEBOOK_VERSION)

    def submission(self, assignment: str, variant: Variant | str) -> nbformat.NotebookNode:
        """A student notebook: the release with its solution cells filled in.

        ``variant`` is a :class:`Variant`, ``"reference"`` (all reference solutions), ``"blank"`` (the release
        untouched) or ``"tampered"`` (reference solutions, but every visible test replaced by a forged full
        score and one test cell deleted — nbgrader must restore them).
        """
        release = self.release_notebook(assignment)
        if variant == "blank":
            return release
        reference = reference_solutions(self.source_notebook(assignment))
        sections = variant.code(reference) if isinstance(variant, Variant) else {}
        cells = []
        deleted = False
        blank_base = isinstance(variant, Variant) and variant.kind == "attack"
        for cell in release.cells:
            if is_solution(cell):
                gid = cell.metadata["nbgrader"]["grade_id"]
                cell.source = sections.get(gid, cell.source if blank_base else reference[gid])
            elif variant == "tampered" and is_test(cell):
                if not deleted:
                    deleted = True
                    continue
                cell.source = f"{cell.metadata['nbgrader']['points']}  # all good, full marks"
            cells.append(cell)
        release.cells = cells
        return release

    def submit(self, student: str, assignment: str, nb: nbformat.NotebookNode) -> None:
        path = self.root / "submitted" / student / assignment / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)

    def link(self, student: str, assignment: str, links: dict) -> None:
        """Put symbolic links into a submitted folder (replacing a file of the same name)."""
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, target in links.items():
            path = folder / name
            if path.exists() or path.is_symlink():
                path.unlink()
            path.symlink_to(target)

    def scores(self, assignment: str, student: str, db: str | None = None) -> dict[str, tuple[float, float]]:
        """``{test cell grade_id: (score, max_score)}`` from the gradebook."""
        from nbgrader.api import Gradebook

        url = f"sqlite:///{db or self.root / 'gradebook.db'}"
        with Gradebook(url) as gb:
            nb = gb.find_submission_notebook(assignment, assignment, student)
            return {g.name: (float(g.score), float(g.max_score)) for g in nb.grades}


def grade_all(assignment: str, root: Path, timeout: int = 40) -> list[tuple[str, str, dict]]:
    """Release one assignment in ``root``, submit and autograde every variant; return (name, kind, scores)."""
    course = Course(root, timeout=timeout)
    course.nbgrader("generate_assignment", assignment, "--force")
    subs = [("reference", "reference"), ("blank", "blank"), ("tampered", "tampered")]
    subs += [(v.name, v) for v in variants(assignment)]
    for name, sub in subs:
        course.submit(name, assignment, course.submission(assignment, sub))
    course.nbgrader("autograde", assignment, "--force")
    return [(name, sub.kind if isinstance(sub, Variant) else name, course.scores(assignment, name))
            for name, sub in subs]


def main(argv=None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="Grade every variant of one or more assignments.")
    parser.add_argument("assignment", nargs="*", default=None)
    args = parser.parse_args(argv)
    for assignment in args.assignment or assignments():
        with tempfile.TemporaryDirectory() as tmp:
            for name, kind, scores in grade_all(assignment, Path(tmp)):
                got = sum(s for s, _ in scores.values())
                top = sum(m for _, m in scores.values())
                lost = ", ".join(k for k, (s, m) in scores.items() if s < m) or "-"
                print(f"{assignment:16s} {name:28s} {kind:9s} {got:5.2f}/{top:5.2f}  lost: {lost}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
