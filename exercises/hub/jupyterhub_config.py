"""JupyterHub for the convlearn course on one server: real Unix accounts, PAM login, the Formgrader as a service.

Run as root: ``jupyterhub -f exercises/hub/jupyterhub_config.py`` (with ``configurable-http-proxy`` on PATH).
Everything site-specific comes from environment variables, so that the same file serves a class and the test
(``tests/test_hub.py``); the instructors' guide (book/appendix/instructors.md, "The course on a JupyterHub")
explains the set-up.

=============================  ==================================================  =========================
variable                       meaning                                             default
=============================  ==================================================  =========================
CONVLEARN_HUB_STATE            the hub's own files: database, cookie secret, pids  /srv/convlearn-hub
CONVLEARN_HUB_IP / _PORT       where browsers connect (put TLS in front of it)     127.0.0.1 / 8000
CONVLEARN_HUB_API_PORT         the hub's internal API (loopback)                   8081
CONVLEARN_PROXY_API_PORT       configurable-http-proxy's API (loopback)            8001
CONVLEARN_FORMGRADER_PORT      the Formgrader service (loopback)                   9999
CONVLEARN_COURSE_USER          Unix account owning the course, runs the service    grader-convlearn
CONVLEARN_COURSE_DIR           the course directory (a copy of exercises/)         ~COURSE_USER/convlearn
CONVLEARN_INSTRUCTORS          logins that may open the Formgrader (comma list)    (none)
CONVLEARN_GRADERS              more logins that may open it (teaching assistants)  (none)
CONVLEARN_STUDENTS             student logins (comma list)                         (none)
CONVLEARN_EXCHANGE             nbgrader's exchange root                            /srv/nbgrader/exchange
CONFIGPROXY_AUTH_TOKEN         shared secret of hub and proxy (set it!)            (generated per start)
CONVLEARN_SERVICE_START_TIMEOUT  seconds the hub waits for the Formgrader service  180
=============================  ==================================================  =========================
"""

import os
import pwd
import sys

from jupyterhub.services.service import Service

c = get_config()  # noqa: F821 - provided by traitlets when JupyterHub loads this file

HERE = os.path.dirname(os.path.abspath(__file__))
env = os.environ.get


def _logins(name):
    return [u.strip() for u in env(name, "").split(",") if u.strip()]


state = env("CONVLEARN_HUB_STATE", "/srv/convlearn-hub")
course_id = "convlearn"  # must equal c.CourseDirectory.course_id (exercises/nbgrader_config.py)
course_user = env("CONVLEARN_COURSE_USER", "grader-convlearn")
instructors, graders, students = _logins("CONVLEARN_INSTRUCTORS"), _logins("CONVLEARN_GRADERS"), \
    _logins("CONVLEARN_STUDENTS")
exchange = env("CONVLEARN_EXCHANGE", "/srv/nbgrader/exchange")

# --- network: browsers reach the proxy; the hub, the proxy API and the service listen on loopback only ---
c.JupyterHub.ip = env("CONVLEARN_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(env("CONVLEARN_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("CONVLEARN_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('CONVLEARN_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "proxy.pid")
c.ConfigurableHTTPProxy.debug = False

# --- the hub's own state, kept out of the repository ---
c.JupyterHub.db_url = f"sqlite:///{os.path.join(state, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")

# --- who may log in: the Unix accounts of the class, by their Unix password (PAM) ---
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no pam_systemd/pam_limits sessions needed for a server process
c.Authenticator.allowed_users = set(instructors + graders + students)
# Instructors are not hub admins: an admin may open every student's server, which grading does not need.

# --- each user's JupyterLab runs as that Unix user, from this Python environment ---
c.JupyterHub.spawner_class = "localprocess"
bin_dir = os.path.dirname(sys.executable)
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
_user_env = {
    # the course's global nbgrader configuration (exchange, course id), read by every user's nbgrader
    "JUPYTER_CONFIG_PATH": os.path.join(HERE, "jupyter"),
    "CONVLEARN_EXCHANGE": exchange,
    "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
}
if env("PYTHONPATH"):
    _user_env["PYTHONPATH"] = env("PYTHONPATH")  # e.g. a checkout of convlearn that is not pip-installed
c.Spawner.environment = dict(_user_env)

# --- the Formgrader: one shared server of the course account, a hub service (nbgrader's advice for several
# graders), opened by instructors and graders only. Its default page is the Formgrader itself, at the top level:
# JupyterHub >= 4.1 forbids framing single-user pages (Content-Security-Policy frame-ancestors 'none'), which
# blanks the Formgrader tab inside JupyterLab; a top-level page needs no frame, so the policy stays as it is. ---
# A managed service gets about ten one-second tries to answer when the hub starts, then the hub exits
# (JupyterHub 5.4, app.py start_service); a Jupyter server that imports JupyterLab and nbgrader can need longer on
# a busy machine. So the service loads only what grading needs, and its start waits until it answers.
_NOT_FOR_GRADING = ("jupyter_lsp", "jupyter_server_terminals", "jupyterlab_jupytext", "jupyterlab_myst",
                    "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list",
                    "nbgrader.server_extensions.validate_assignment")


def _patient_service_start(start, timeout: float):
    from jupyterhub.utils import wait_for_http_server

    async def start_and_wait(self):
        await start(self)
        if self.url:
            await wait_for_http_server(self.url, timeout=timeout)

    return start_and_wait


Service.start = _patient_service_start(Service.start, float(env("CONVLEARN_SERVICE_START_TIMEOUT", "180")))

if pwd_entry := next((p for p in pwd.getpwall() if p.pw_name == course_user), None):
    course_dir = env("CONVLEARN_COURSE_DIR", os.path.join(pwd_entry.pw_dir, course_id))
    c.JupyterHub.services = [{
        "name": course_id,  # nbgrader: the service name must equal the course id
        "url": f"http://127.0.0.1:{env('CONVLEARN_FORMGRADER_PORT', '9999')}",
        "command": [sys.executable, "-m", "jupyterhub.singleuser", "--ServerApp.default_url=/formgrader",
                    *(f"--ServerApp.jpserver_extensions={ext}=False" for ext in _NOT_FOR_GRADING)],
        "user": course_user,
        "cwd": course_dir,
        "environment": dict(_user_env),
        "oauth_no_confirm": True,
        "display": True,
    }]
    c.JupyterHub.load_groups = {
        f"formgrade-{course_id}": {"users": instructors + graders},
        f"nbgrader-{course_id}": {"users": students},
    }
    c.JupyterHub.load_roles = [{
        "name": f"formgrader-{course_id}",
        "description": "open the course's Formgrader service",
        "scopes": [f"access:services!service={course_id}"],
        "groups": [f"formgrade-{course_id}"],
    }]
