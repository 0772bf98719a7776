"""nbgrader configuration for the whole environment: ``jupyter lab`` at the repository root finds the course.

Installed by ``pip install -r requirements.txt`` (the line ``./book/_lab``) as
``{sys.prefix}/etc/jupyter/nbgrader_config.py``. nbgrader reads ``nbgrader_config.py`` from every Jupyter
config directory (``jupyter --paths``, this one included) and then from the current directory, which wins.

This file changes nothing unless the current directory has no ``nbgrader_config.py`` of its own and has
``exercises/nbgrader_config.py``, i.e. nbgrader (or JupyterLab's nbgrader extensions) runs at the root of
the convlearn repository. Then it loads the course's configuration and sets the course directory to that
``exercises/`` directory, so *Formgrader* shows the course whether Lab starts at the root or in
``exercises/``. Inside a course directory (``exercises/`` itself, or the copies the tests grade in) it does
nothing. The exchange (the *Assignments* tab) is ``$CONVLEARN_EXCHANGE``; see ``exercises/README.md``,
"Trying the course locally". Checked by ``tests/test_lab_config.py``.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

_cwd = os.getcwd()
_course = os.path.join(_cwd, "exercises")
if not os.path.isfile(os.path.join(_cwd, "nbgrader_config.py")) and os.path.isfile(
    os.path.join(_course, "nbgrader_config.py")
):
    load_subconfig(os.path.join(_course, "nbgrader_config.py"))  # noqa: F821 - provided by traitlets
    c.CourseDirectory.root = _course
