"""Every end-of-chapter exercise of the book has a hint and a worked answer, folded away.

The format (copy it for a new chapter). The section ``## Exercises`` holds a numbered list; every item
is followed, indented inside the item, by one ``Hint`` and one ``Answer`` dropdown (sphinx-design
``{dropdown}``, folded by default, so never ``:open:``). Where the exercise asks for code, the answer
is continued by one or more executed code cells right after the item, tagged ``hide-cell`` or
``hide-input`` (folded on the website) and with the cell metadata ``jupyter: {source_hidden: true}``
(folded in JupyterLab, which ignores the tags; not ``outputs_hidden``, which Lab drops when it runs the cell,
so that saving the chapter would change it), whose first two lines are
``%%answer`` (JupyterLab's *Run All* then prints how to run the answer instead of running it; the build
runs it: ``convlearn/_answers.py``) and ``# Answer to exercise N``, and which check their result with an
``assert`` or ``np.testing``, so the build fails if the answer is wrong::

    ## Exercises

    1. **Title.** What to do.

       :::{dropdown} Hint
       A nudge: which rule, which case, where to start.
       :::

       ::::{dropdown} Answer
       The worked answer (four colons, so that it may contain ::: blocks).
       ::::

    ```{code-cell} ipython3
    ---
    tags: [hide-cell]
    jupyter:
      source_hidden: true
    ---
    %%answer
    # Answer to exercise 1
    ...
    np.testing.assert_allclose(mine, expected)
    ```

    2. **Next title.** ...

An exercise "asks for code" when its statement contains inline code or one of the verbs in
``CODE_VERBS``. An answer that cannot be a cell on the page (it happens in a browser or an editor) says
why in a MyST comment line ``% no code answer: <reason>`` inside its Answer dropdown. Exercises that
need PyTorch say so and give a convlearn path; the executed cells never need PyTorch.

The chapters are read from ``_toc.yml`` (``tests/_site.py``), so chapters added later are checked too.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import pytest
from _site import source_file, toc_documents

CODE_VERBS = re.compile(r"\b(check|checks|verify|implement|plot|measure|train|retrain|evaluate|confirm)\b",
                        re.IGNORECASE)
ITEM = re.compile(r"^(\d+)\.\s+\S")
HEADING = re.compile(r"^#{1,2}\s")
CELL_START = re.compile(r"^```\{code-cell\}")
DROPDOWN = re.compile(r"^\s*(:{3,})\{dropdown\}\s*(.*?)\s*$")


def chapter_paths():
    """The Markdown source of every document in ``_toc.yml`` (the helper the notebook tests use)."""
    paths = [source_file(document) for document in toc_documents()]
    return [path for path in paths if path.suffix == ".md"]


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


def test_parser_on_the_documented_format():
    """The example at the top of this module is the format: it parses, and nothing is wrong with it."""
    example = textwrap.dedent(__doc__.split("::\n", 1)[1].split("\nAn exercise")[0])
    first, second = parse_exercises(example.splitlines())
    assert (first.number, len(first.dropdowns), len(first.cells)) == (1, 2, 1)
    assert first.cells[0][1].startswith("%%answer\n# Answer to exercise 1")
    assert "source_hidden: true" in first.cells[0][0]
    assert second.number == 2
    assert problems("example", [first]) == []


def problems(name, exercises):
    """Everything wrong with the exercises of one chapter, as messages (empty when all is well)."""
    found = []
    if not exercises:
        return [f"{name}: an Exercises section without numbered exercises"]
    if [e.number for e in exercises] != list(range(1, len(exercises) + 1)):
        found.append(f"{name}: exercises are not numbered 1..{len(exercises)}")
    for ex in exercises:
        where = f"{name}, exercise {ex.number}"
        titles = [d[0] for d in ex.dropdowns]
        if titles != ["Hint", "Answer"]:
            found.append(f"{where}: dropdowns {titles}, expected ['Hint', 'Answer']")
            continue
        for title, options, body in ex.dropdowns:
            if ":open:" in options:
                found.append(f"{where}: the {title} must be folded by default")
            if len(body.strip()) < 40:
                found.append(f"{where}: the {title} is (nearly) empty")
        asks_for_code = "`" in ex.statement or CODE_VERBS.search(ex.statement)
        if asks_for_code and not ex.cells and "% no code answer:" not in ex.dropdowns[1][2]:
            found.append(f"{where}: the exercise asks for code, but no answer cell follows it")
        for options, source in ex.cells:
            if not re.search(r"hide-(cell|input)", options):
                found.append(f"{where}: the answer cell is not hidden")
            if not re.search(r"\bsource_hidden: true\b", options):
                found.append(f"{where}: the answer cell is not folded in JupyterLab (jupyter: source_hidden: true)")
            if source.splitlines()[:2] != ["%%answer", f"# Answer to exercise {ex.number}"]:
                found.append(f"{where}: the answer cell must start with the lines '%%answer' and "
                             f"'# Answer to exercise {ex.number}'")
            if not re.search(r"\bassert\b|np\.testing\.|assert_", source):
                found.append(f"{where}: the answer cell checks nothing (no assert / np.testing)")
            if "skip-execution" in options or "raises-exception" in options:
                found.append(f"{where}: answer cells must run in the build")
            if re.search(r"^(import|from)\s+torch", source, re.MULTILINE):
                found.append(f"{where}: answer cells must run without PyTorch")
    return found


def test_problems_are_reported():
    bad = """
1. **One.** Check `f`.

   :::{dropdown} Hint
   :open:
   a hint that is long enough to count as one, really
   :::

   ::::{dropdown} Answer
   an answer that is long enough to count as one, really
   ::::

3. **Three.** Prove it.

   :::{dropdown} Hint
   a hint that is long enough to count as one, really
   :::

```{code-cell} ipython3
# Answer to exercise 2
import torch
```
""".splitlines()
    found = " | ".join(problems("sample", parse_exercises(bad)))
    for message in ["not numbered", "exercise 1: the Hint must be folded", "exercise 1: the exercise asks for code",
                    "exercise 3: dropdowns ['Hint']"]:
        assert message in found, (message, found)


def test_an_answer_unfolded_in_lab_or_unguarded_is_reported():
    sample = """
1. **One.** Check `f`.

   :::{dropdown} Hint
   a hint that is long enough to count as one, really
   :::

   ::::{dropdown} Answer
   an answer that is long enough to count as one, really
   ::::

```{code-cell} ipython3
:tags: [hide-cell]

# Answer to exercise 1
assert True
```
""".splitlines()
    found = " | ".join(problems("sample", parse_exercises(sample)))
    for message in ["exercise 1: the answer cell is not folded in JupyterLab",
                    "exercise 1: the answer cell must start with the lines '%%answer'"]:
        assert message in found, (message, found)


def test_at_least_the_73_exercises_of_the_second_edition():
    total = sum(len(parse_exercises(exercise_section(p.read_text(encoding="utf-8")))) for p in CHAPTERS)
    assert total >= 73


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_hint_and_an_answer(path):
    exercises = parse_exercises(exercise_section(path.read_text(encoding="utf-8")))
    assert not problems(path.name, exercises), "\n".join(problems(path.name, exercises))
