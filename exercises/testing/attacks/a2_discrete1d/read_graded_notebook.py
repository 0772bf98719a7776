"""Class 1: read the notebook being graded (nbgrader restores every test cell into it, hidden ones included)
from wherever the kernel can see it, print the hidden tests and run them with a stand-in that records the
calls, to answer every graded call from a table.

expect: 0
shows: found 0 hidden test cells
"""
# %% conv_full
import glob
import json
import os

marker = "BEGIN HIDDEN" + " TESTS"  # spelt in two parts: nbgrader's ClearHiddenTests reads the literal in any cell
hidden = []
for pattern in ("/run/assignment/**/*.ipynb", "/tmp/**/*.ipynb", "./**/*.ipynb", "/run/**/*.ipynb",
                "__COURSE__/autograded/**/*.ipynb", "__COURSE__/source/**/*.ipynb"):
    for path in glob.glob(pattern, recursive=True):
        try:
            with open(path) as fh:
                nb = json.load(fh)
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            text = "".join(cell.get("source", ""))
            if marker in text:
                hidden.append(text)
print(f"found {len(hidden)} hidden test cells")
print("\n".join(hidden))
print("the kernel sees:", sorted(os.listdir(".")), sorted(os.listdir("/run")) if os.path.isdir("/run") else [])
