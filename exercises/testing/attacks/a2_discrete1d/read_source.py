"""Look for the instructor's source notebook (solutions) anywhere on disk and run its solution cells.

expect: 0
"""
# %% conv_full
import json
import os

found = []
for top in ["__COURSE__", "__REPO__", "/", "/work", "/tmp", "/root", "/home", "/srv", "/run"]:
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        found += [os.path.join(root, f) for f in files if f == "a2_discrete1d.ipynb" and "source" in root]
        if len(found) > 3:
            break
for path in found:
    try:
        nb = json.load(open(path))
    except OSError:
        continue
    for cell in nb["cells"]:
        if "BEGIN SOLUTION" in "".join(cell["source"]):
            exec("".join(cell["source"]))
print("found", found)
