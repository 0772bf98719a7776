"""nbgrader configuration at the repository root: the course is ``exercises/``.

JupyterLab's nbgrader extensions read ``nbgrader_config.py`` from the directory Lab starts in. Without this
file, ``jupyter lab`` at the root found no course (an empty Formgrader). This file loads the course's own
configuration and points the course directory at ``exercises/``, so Formgrader shows the course whether Lab
starts here or in ``exercises/``. The exchange (the *Assignments* tab) is ``$CONVLEARN_EXCHANGE``; see
``exercises/README.md``, "Trying the course locally".
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercises", "nbgrader_config.py"))  # noqa: F821
c.CourseDirectory.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exercises")
