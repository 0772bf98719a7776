"""Every end-of-chapter exercise of the book has a hint and a worked answer, folded away.

The format (copy it for a new chapter). The section ``## Exercises`` holds a numbered list; every item
is followed, indented inside the item, by one ``Hint`` and one ``Answer`` dropdown (sphinx-design
``{dropdown}``, folded by default, so never ``:open:``). Where the exercise asks for code, the answer
is continued by one or more executed code cells right after the item, tagged ``hide-cell`` or
``hide-input``, whose first line is ``# Answer to exercise N`` and which check their result with an
``assert`` or ``np.testing``, so the build fails if the answer is wrong::

    ## Exercises

    1. **Title.** What to do.

       :::{dropdown} Hint
       A nudge.
       :::

       ::::{dropdown} Answer
       The worked answer (four colons, so that it may contain ::: blocks).
       ::::

    ```{code-cell} ipython3
    :tags: [hide-cell]

    # Answer to exercise 1
    ...
    np.testing.assert_allclose(mine, expected)
    ```

    2. **Next title.** ...

An exercise "asks for code" when its statement contains inline code or one of the verbs in
``CODE_VERBS``. An answer that cannot be a cell on the page (it happens in a browser or an editor) says
why in a MyST comment line ``% no code answer: <reason>`` inside its Answer dropdown. Exercises that
need PyTorch say so and give a convlearn path; the executed cells never need PyTorch.

The chapters are read from ``_toc.yml``, so chapters added later are checked too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

CODE_VERBS = re.compile(r"\b(check|checks|verify|implement|plot|measure|train|retrain|evaluate|confirm)\b",
                        re.IGNORECASE)
ITEM = re.compile(r"^(\d+)\.\s+\S")
HEADING = re.compile(r"^#{1,2}\s")
CELL_START = re.compile(r"^```\{code-cell\}")
DROPDOWN = re.compile(r"^\s*(:{3,})\{dropdown\}\s*(.*?)\s*$")


def toc_files(toc=None):
    """Every ``file:`` of ``_toc.yml``, in order, as paths to the Markdown sources."""
    if toc is None:
        toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = []
    if isinstance(toc, dict):
        for key in ("root", "file"):
            if isinstance(toc.get(key), str):
                found.append(toc[key])
        for value in toc.values():
            if isinstance(value, list | dict):
                found.extend(toc_files(value))
    elif isinstance(toc, list):
        for value in toc:
            found.extend(toc_files(value))
    return found


def chapter_paths():
    paths = []
    for name in dict.fromkeys(toc_files()):
        path = ROOT / f"{name}.md"
        if path.exists():
            paths.append(path)
    return paths


@dataclass
class Exercise:
    number: int
    statement: str = ""
    dropdowns: list = field(default_factory=list)  # (title, options, body)
    cells: list = field(default_factory=list)  # (options, source)


def exercise_section(text):
    """The lines of the ``## Exercises`` section (up to the next top-level heading), or None."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "## Exercises"), None)
    if start is None:
        return None
    section, in_cell = [], False
    for line in lines[start + 1:]:
        if line.startswith("```"):
            in_cell = not in_cell
        if not in_cell and HEADING.match(line):
            break
        section.append(line)
    return section


def parse_exercises(section):
    """Split an exercise section into items with their dropdowns and answer cells."""
    exercises: list[Exercise] = []
    i = 0
    while i < len(section):
        line = section[i]
        if CELL_START.match(line):
            j = i + 1
            while not section[j].startswith("```"):
                j += 1
            body = section[i + 1:j]
            options, source = [], body
            if body and body[0].strip() == "---":
                end = body.index("---", 1)
                options, source = body[1:end], body[end + 1:]
            else:
                k = 0
                while k < len(body) and body[k].startswith(":"):
                    k += 1
                options, source = body[:k], body[k:]
            if not exercises:
                raise AssertionError(f"code cell before the first exercise: {source[:3]}")
            exercises[-1].cells.append(("\n".join(options), "\n".join(source).strip()))
            i = j + 1
            continue
        item = ITEM.match(line)
        if item:
            exercises.append(Exercise(int(item.group(1)), line))
            i += 1
            continue
        dropdown = DROPDOWN.match(line)
        if dropdown and exercises:
            fence, title = dropdown.groups()
            j = i + 1
            while not re.match(rf"^\s*{fence}\s*$", section[j]):
                j += 1
            body = section[i + 1:j]
            options = [b.strip() for b in body if b.strip().startswith(":") and not b.strip().startswith(":::")]
            exercises[-1].dropdowns.append((title, options, "\n".join(body)))
            i = j + 1
            continue
        if exercises and not exercises[-1].dropdowns and not exercises[-1].cells:
            exercises[-1].statement += "\n" + line
        i += 1
    return exercises


CHAPTERS = [p for p in chapter_paths() if exercise_section(p.read_text(encoding="utf-8")) is not None]


def test_chapters_with_exercises_are_found():
    names = {p.stem for p in CHAPTERS}
    assert len(CHAPTERS) >= 13, names
    assert {"01-integral", "06-conv-layer", "13-next"} <= names


def test_toc_parser_reads_nested_entries():
    toc = {"root": "a", "parts": [{"chapters": [{"file": "b", "sections": [{"file": "c"}]}]}]}
    assert toc_files(toc) == ["a", "b", "c"]


def test_parser_on_a_sample():
    sample = """
1. **One.** Check `f`.

   :::{dropdown} Hint
   h
   :::

   ::::{dropdown} Answer
   a
   ::::

```{code-cell} ipython3
:tags: [hide-cell]

# Answer to exercise 1
assert True
```

2. **Two.** Prove it.

   :::{dropdown} Hint
   h
   :::
""".splitlines()
    first, second = parse_exercises(sample)
    assert (first.number, len(first.dropdowns), len(first.cells)) == (1, 2, 1)
    assert first.cells[0][1].startswith("# Answer to exercise 1")
    assert (second.number, [d[0] for d in second.dropdowns]) == (2, ["Hint"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_hint_and_an_answer(path):
    exercises = parse_exercises(exercise_section(path.read_text(encoding="utf-8")))
    assert exercises, f"{path.name}: an Exercises section without numbered exercises"
    assert [e.number for e in exercises] == list(range(1, len(exercises) + 1)), \
        f"{path.name}: exercises are not numbered 1..{len(exercises)}"
    for ex in exercises:
        where = f"{path.name}, exercise {ex.number}"
        titles = [d[0] for d in ex.dropdowns]
        assert titles == ["Hint", "Answer"], f"{where}: dropdowns {titles}, expected ['Hint', 'Answer']"
        for title, options, body in ex.dropdowns:
            assert ":open:" not in options, f"{where}: the {title} must be folded by default"
            assert len(body.strip()) > 40, f"{where}: the {title} is (nearly) empty"
        asks_for_code = "`" in ex.statement or CODE_VERBS.search(ex.statement)
        answer = ex.dropdowns[1][2]
        if asks_for_code and "% no code answer:" not in answer:
            assert ex.cells, f"{where}: the exercise asks for code, but no answer cell follows it"
        for options, source in ex.cells:
            assert re.search(r"hide-(cell|input)", options), f"{where}: the answer cell is not hidden"
            assert source.splitlines()[0] == f"# Answer to exercise {ex.number}", \
                f"{where}: the answer cell must start with '# Answer to exercise {ex.number}'"
            assert re.search(r"\bassert\b|np\.testing\.|assert_", source), \
                f"{where}: the answer cell checks nothing (no assert / np.testing)"
            assert "skip-execution" not in options and "raises-exception" not in options, \
                f"{where}: answer cells must run in the build"
            assert not re.search(r"^(import|from)\s+torch", source, re.MULTILINE), \
                f"{where}: answer cells must run without PyTorch"
