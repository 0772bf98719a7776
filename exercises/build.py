"""Generate the nbgrader source notebooks, and the tables of assignments, from ``exercises/authoring/``.

    python exercises/build.py           # write exercises/source/<assignment>/<assignment>.ipynb and the tables
    python exercises/build.py --check   # exit 1 if a source notebook or a table is missing or out of date

The authoring files are the one place to edit: the list of assignments is the list of files, and the tables
of assignments in ``exercises/README.md`` and in the book's instructor's guide (between the lines
``<!-- assignments table -->`` and ``<!-- end of assignments table -->``) are written from the ``course``
block of each file's front matter (``topic``, ``student_writes``, ``chapters`` as book paths) and from the
points of its test cells.

Each ``authoring/<assignment>.md`` is a MyST Markdown notebook (jupytext). A code cell becomes an nbgrader
cell through two options in its header::

    ```{code-cell} ipython3
    :nbgrader: solution        # solution | tests | readonly
    :grade_id: conv_full       # unique within the notebook
    ```

Every course fact is declared once and checked here, so that a slip fails the build, naming the cell:

- a test cell's points are its own ``Checks(points=N, ...)`` (a positive number written as a literal),
  read with :mod:`ast` and written into nbgrader's cell metadata;
- the ``course`` block's ``student_names: [...]`` lists the names the test cells take from the student
  (grading binds exactly these to the student's kernel). Each must be defined at the top level of the
  solution cells and not by a ``readonly`` (set-up) cell, and every name a test cell reads must be one of
  them, a builtin, defined by a set-up cell or bound in the test cell itself. The list is stored in the
  notebook's metadata, ``metadata.convlearn.student_names``, where the grader reads it from the source
  notebook.

``solution`` is an autograded answer (the text between ``### BEGIN SOLUTION`` / ``### END SOLUTION`` is
replaced by ``raise NotImplementedError()`` in the release); ``tests`` is a locked autograder test cell
(``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` is removed from the release); ``readonly`` is
locked (restored from the gradebook if a student edits it). Markdown cells may be locked the same way with
``+++ {"nbgrader": "readonly", "grade_id": "..."}``. Cells without the option are ordinary cells.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

import jupytext
import nbformat

from convlearn.grading.names import free_names, top_level_names

HERE = Path(__file__).resolve().parent
AUTHORING = HERE / "authoring"
SOURCE = HERE / "source"

KINDS = {
    "solution": {"grade": False, "locked": False, "solution": True, "task": False},
    "tests": {"grade": True, "locked": True, "solution": False, "task": False},
    "readonly": {"grade": False, "locked": True, "solution": False, "task": False},
}


def _parse(source: str, where: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{where}: not Python ({exc.msg}, line {exc.lineno})") from None


def checks_points(source: str, where: str) -> float:
    """A test cell's points: the ``points=`` of its ``Checks(...)`` calls, a positive literal (all equal)."""
    found = []
    for node in ast.walk(_parse(source, where)):
        func = getattr(node, "func", None)
        if isinstance(node, ast.Call) and getattr(func, "id", getattr(func, "attr", None)) == "Checks":
            given = [k.value for k in node.keywords if k.arg == "points"]
            value = given[0].value if given and isinstance(given[0], ast.Constant) else None
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                shown = ast.unparse(given[0]) if given else "nothing"
                raise ValueError(f"{where}: Checks(points=...) must be a positive number written as a literal, "
                                 f"got {shown}")
            found.append(float(value))
    if not found:
        raise ValueError(f"{where}: a tests cell needs Checks(points=N, ...): its points come from there")
    if len(set(found)) > 1:
        raise ValueError(f"{where}: its Checks(...) calls give different points {sorted(set(found))}")
    return found[0]


def nbgrader_metadata(meta: dict, source: str, where: str) -> dict | None:
    """Turn the short ``nbgrader``/``grade_id`` options into nbgrader's cell metadata (points from the code)."""
    kind = meta.pop("nbgrader", None)
    grade_id = meta.pop("grade_id", None)
    if "points" in meta:
        raise ValueError(f"{where}: drop the ':points:' option; a test cell's points are its Checks(points=...)")
    if kind is None:
        if grade_id is not None:
            raise ValueError(f"{where}: grade_id given without an nbgrader kind")
        return None
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown nbgrader kind {kind!r}; use one of {sorted(KINDS)}")
    if not grade_id:
        raise ValueError(f"{where}: an nbgrader {kind} cell needs a grade_id")
    out = dict(KINDS[kind], grade_id=str(grade_id), schema_version=3)
    if kind == "tests":
        out["points"] = checks_points(source, f"{where} ({grade_id})")
    return dict(sorted(out.items()))


def check_student_names(nb: nbformat.NotebookNode, declared, name: str) -> list[str]:
    """Check the declared ``student_names`` against the solution, set-up and test cells; return them."""
    if not isinstance(declared, list) or not declared or not all(isinstance(n, str) for n in declared):
        raise ValueError(f"{name}: the 'course' block needs student_names: [...], the names the test cells "
                         "take from the student")
    cells = {"solution": [], "readonly": [], "tests": []}
    for cell in nb.cells:
        nbg = cell.metadata.get("nbgrader")
        if cell.cell_type == "code" and nbg is not None:
            kind = "tests" if nbg["grade"] else "solution" if nbg["solution"] else "readonly"
            cells[kind].append((nbg["grade_id"], _parse(cell.source, f"{name} cell {nbg['grade_id']}")))
    solved = set().union(*(top_level_names(tree) for _, tree in cells["solution"]))
    setup = set().union(*(top_level_names(tree) for _, tree in cells["readonly"]))
    for student in declared:
        if student in setup:
            raise ValueError(f"{name}: student name {student!r} is also defined by a set-up (readonly) cell")
        if student not in solved:
            raise ValueError(f"{name}: student name {student!r} is not defined at the top level of a solution cell")
    for gid, tree in cells["tests"]:
        unknown = free_names(tree, setup | set(declared))
        if unknown:
            raise ValueError(f"{name} cell {gid}: reads {', '.join(sorted(unknown))}, which is not a declared "
                             "student name (the 'course' block's student_names), a builtin, a set-up name or "
                             "bound in the cell")
    return list(declared)


def build_notebook(md_path: Path) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one authoring file."""
    text_nb = jupytext.read(md_path)
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    seen: set[str] = set()
    for i, cell in enumerate(text_nb.cells):
        meta = dict(cell.metadata)
        nbg = nbgrader_metadata(meta, cell.source, f"{md_path.name} cell {i}")
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            raise ValueError(f"{md_path.name} cell {i}: unsupported cell type {cell.cell_type}")
        new.metadata = meta
        if nbg is not None:
            if nbg["grade_id"] in seen:
                raise ValueError(f"{md_path.name}: duplicate grade_id {nbg['grade_id']!r}")
            seen.add(nbg["grade_id"])
            new.metadata["nbgrader"] = nbg
            new.id = nbg["grade_id"].replace("_", "-")
        else:
            new.id = f"cell-{i}"
        nb.cells.append(new)
    previous = None
    for cell in nb.cells:
        nbg = cell.metadata.get("nbgrader")
        if nbg is None:
            continue
        # nbgrader re-inserts a deleted test cell after the previous graded/solution cell, so that must exist.
        if nbg["grade"] and previous is not None and not (previous["grade"] or previous["solution"]):
            raise ValueError(f"{md_path.name}: test cell {nbg['grade_id']} must follow a solution or tests cell")
        previous = nbg
    declared = (text_nb.metadata.get("course") or {}).get("student_names")
    nb.metadata["convlearn"] = {"student_names": check_student_names(nb, declared, md_path.name)}
    nbformat.validate(nb)
    return nb


TABLE_START, TABLE_END = "<!-- assignments table -->", "<!-- end of assignments table -->"
README = HERE / "README.md"
GUIDE = HERE.parent / "book" / "appendix" / "instructors.md"


def _chapter_number(path: str) -> str | None:
    head = path.rsplit("/", 1)[-1].split("-", 1)[0]
    return str(int(head)) if head.isdigit() else None


def course_rows() -> list[dict]:
    """One row per assignment: name, the ``course`` front-matter block and the total points."""
    rows = []
    for md in sorted(AUTHORING.glob("*.md")):
        info = jupytext.read(md).metadata.get("course")
        if not info or not {"topic", "student_writes", "chapters"} <= set(info):
            raise ValueError(f"{md.name}: the front matter needs a 'course' block with topic, student_writes, chapters")
        nb = build_notebook(md)
        points = sum(c.metadata["nbgrader"].get("points", 0) for c in nb.cells if "nbgrader" in c.metadata)
        rows.append({"name": md.stem, "points": points, **info})
    return rows


def tables(rows: list[dict]) -> dict[Path, str]:
    """The README's and the instructor's guide's assignment tables."""
    readme = ["| assignment | topic | chapters | points |", "|---|---|---|---|"]
    guide = ["| assignment | what the student writes | chapters | points |", "|---|---|---|---|"]
    for r in rows:
        numbers = ", ".join(_chapter_number(c) or c.rsplit("/", 1)[-1].replace("-", " ") for c in r["chapters"])
        links = ", ".join(f"{{doc}}`{_chapter_number(c)} <../{c}>`" if _chapter_number(c) else f"{{doc}}`../{c}`"
                          for c in r["chapters"])
        readme.append(f"| `{r['name']}` | {r['topic']} | {numbers} | {r['points']:g} |")
        guide.append(f"| `{r['name']}` | {r['student_writes']} | {links} | {r['points']:g} |")
    return {README: "\n".join(readme), GUIDE: "\n".join(guide)}


def with_table(text: str, table: str, where: Path) -> str:
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"{where}: the lines {TABLE_START} and {TABLE_END} must surround the table")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{TABLE_START}\n{table}\n{TABLE_END}{tail}"


def render(nb: nbformat.NotebookNode) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def targets() -> dict[Path, str]:
    """Map each output notebook path to its text."""
    out = {}
    for md in sorted(AUTHORING.glob("*.md")):
        name = md.stem
        out[SOURCE / name / f"{name}.ipynb"] = render(build_notebook(md))
    for path, table in tables(course_rows()).items():
        if path.exists():  # the guide is absent from a copy of the course made for testing
            out[path] = with_table(path.read_text(encoding="utf-8"), table, path)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that source/ is up to date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in targets().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    rel = [str(p.relative_to(HERE.parent)) for p in stale]
    if args.check:
        if rel:
            print("out of date (run `python exercises/build.py`):", *rel, sep="\n  ")
            return 1
        print("exercises/source is up to date")
        return 0
    print("wrote", *rel, sep="\n  ") if rel else print("nothing to do")
    return 0


if __name__ == "__main__":
    sys.exit(main())
