"""Class 5: links beside the notebook to the gradebook, a classmate's notebook, a file in the instructor's
HOME, /etc and /dev/zero (copied until the disk is full). None may be copied or followed: not into
autograded/, not into the sandbox, not into the feedback.

expect: 0
shows: the kernel sees []
link: gradebook.db -> __COURSE__/gradebook.db
link: classmate.ipynb -> __COURSE__/submitted/victim/a2_discrete1d/a2_discrete1d.ipynb
link: notes.txt -> __HOME__/notes.txt
link: zero.bin -> /dev/zero
link: etc -> /etc
"""
# %% conv_full
import os

print("the kernel sees", sorted(os.listdir(".")))
for name in ("notes.txt", "gradebook.db", "classmate.ipynb", "etc/hostname"):
    try:
        with open(name, errors="replace") as fh:
            print(name, fh.read(300))
    except OSError as exc:
        print(name, "unreadable:", type(exc).__name__)
