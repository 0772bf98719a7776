"""Kill the grader: its parent, its process group, every process it can see.

expect: 0
"""
# %% conv_full
import os
import signal

for target in (os.getppid(), 1):
    try:
        os.kill(target, signal.SIGKILL)
    except Exception as exc:
        print(exc)
try:
    os.killpg(0, signal.SIGKILL)
except Exception as exc:
    print(exc)
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except Exception:
            pass


def convolve_full(x, k):
    raise NotImplementedError
