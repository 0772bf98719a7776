"""Class 4a/4b: make the grader (outside the sandbox) hold gigabytes: widget/comm messages, and a display that
is replaced over and over (update_display_data bypassed the output limits). The flooding cell is stopped; the
honest convolve_full of the cell before keeps its points.

expect: test_full=3
"""
# %% conv_full
import numpy as np


def convolve_full(x, k):
    x, k = np.asarray(x, float), np.asarray(k, float)
    out = np.zeros(len(x) + len(k) - 1)
    for i, xi in enumerate(x):
        out[i:i + len(k)] += xi * k
    return out


# %% conv_modes
from IPython.display import display, update_display

blob = "x" * (8 << 20)
display({"text/plain": "small"}, raw=True, display_id="grow")
for _ in range(24):
    update_display({"text/plain": blob}, raw=True, display_id="grow")

# %% correlate
from comm import create_comm

blob = "y" * (15 << 20)
comm = create_comm(target_name="jupyter.widget")
for _ in range(40):
    comm.send({"state": {"value": blob}, "buffer_paths": []})
