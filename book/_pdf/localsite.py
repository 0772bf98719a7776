"""The local side of the book's browser work: Debian's Chromium and its switches, the README's build command,
a web server on 127.0.0.1 for a built site, and a browser and its contexts cut off from every other address.

Used by ``build_pdf.py`` (printing the book) and by the book tests (``tests/_site.py``); nothing here
contacts anything but the loopback address.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["BUILD_COMMAND", "CHROMIUM", "CHROMIUM_ARGS", "DeadEnd", "launch", "serve", "allow_only"]

#: The README's build command (the site lands in <path-output>/_build/html).
BUILD_COMMAND = ("jupyter-book", "build", ".", "-W", "-n", "--keep-going")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature from the base class
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (ephemeral port) from a background thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def allow_only(context, *prefixes: str, into: list[str] | None = None) -> list[str]:
    """Cut a playwright browser ``context`` off from every address but ``prefixes``.

    Requests whose URL starts with one of ``prefixes`` (or is a ``data:``, ``blob:`` or ``about:`` URL) go
    through; every other request is aborted and recorded as ``"<resource type> <url>"`` in ``into`` (a new
    list if none is given), which is returned.
    """
    blocked = [] if into is None else into
    allowed = (*prefixes, "data:", "blob:", "about:")

    def route(route_obj) -> None:
        request = route_obj.request
        if request.url.startswith(allowed):
            route_obj.continue_()
        else:
            blocked.append(f"{request.resource_type} {request.url}")
            route_obj.abort("blockedbyclient")

    context.route("**/*", route)
    return blocked


class DeadEnd:
    """A proxy on 127.0.0.1 that answers nothing: a browser launched with it (:func:`launch`) sends there every
    request not for a loopback address, and each one fails. ``reached`` keeps the first line of each
    (``CONNECT host:443 ...``, ``GET http://...``). Use it as a context manager; it listens until the block ends.
    """

    def __init__(self) -> None:
        self.reached: list[str] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._refuse, name="dead-end-proxy", daemon=True)

    @property
    def proxy(self) -> dict:
        """Playwright's proxy settings for this dead end (the loopback addresses are reached directly)."""
        return {"server": f"http://127.0.0.1:{self._socket.getsockname()[1]}", "bypass": "127.0.0.1,localhost,[::1]"}

    def _refuse(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:  # closed
                return
            with connection:
                connection.settimeout(5)
                with contextlib.suppress(OSError):
                    self.reached.append(connection.recv(400).split(b"\r\n", 1)[0].decode("latin-1"))

    def __enter__(self) -> DeadEnd:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accept() that waits
        self._socket.close()
        self._thread.join(timeout=10)


def launch(playwright, dead_end: DeadEnd):
    """Debian's headless Chromium with :data:`CHROMIUM_ARGS`, every address but loopback sent to ``dead_end``.

    :func:`allow_only` cuts a context's pages off, but Chromium also makes requests of its own, which a context's
    routing never sees: on a page with form fields (the explorers have them) it asks content-autofill.googleapis.com
    for predictions of the fields. Through the dead end, they too never leave the machine.
    """
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True,
                                      proxy=dead_end.proxy)
