"""The course's global nbgrader configuration on the hub, for every account (students, graders, the course).

The hub puts this directory on JUPYTER_CONFIG_PATH (exercises/hub/jupyterhub_config.py); on another set-up,
copy this file to /etc/jupyter/. The course directory's own nbgrader_config.py (exercises/) is read after it.
"""

import os

from convlearn.grading.grader.exchange import configure

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "convlearn"
c.Exchange.root = os.environ.get("CONVLEARN_EXCHANGE", "/srv/nbgrader/exchange")
# The exchange laid out by `python -m convlearn.grading.grader.exchange` (as root) and the classes that use it:
# private per-student inbound directories, collect takes only what each student owns (see that module).
configure(c)
