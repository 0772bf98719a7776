"""Leave a daemon (double fork, new session) that edits the gradebook after autograde has finished.

expect: 0
"""
# %% conv_full
import os
import subprocess
import sys

code = (
    "import time, sqlite3\n"
    "time.sleep(3)\n"
    "db = sqlite3.connect('__COURSE__/gradebook.db')\n"
    "db.execute('UPDATE grade SET auto_score = 99')\n"
    "db.commit()\n"
)
subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        exec(code)
    os._exit(0)


def convolve_full(x, k):
    raise NotImplementedError
