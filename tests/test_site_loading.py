"""``_site.offline_page`` on a page whose own request stalls: opened once more, or failing with the request named.

A local server (127.0.0.1) serves a page with one image whose response is held back longer than the page-load
limit (shortened here to 6 s, room for a loaded machine where a new browser context takes
seconds): the first time only, or every time. And a page that sends itself on to another while it is opened (as the
site's ``index.html`` does) is followed to that page. And no request of a page, nor one Chromium makes itself, leaves
the machine.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time

import _site
import pytest

pytestmark = pytest.mark.browser

PAGE = b"<!doctype html><html><body><p>text</p><img src='slow.svg' alt='slow'></body></html>"
IMAGE = b"<svg xmlns='http://www.w3.org/2000/svg' width='1' height='1'></svg>"
LIMIT_MS = 6000
HOLD_SECONDS = 15  # well past LIMIT_MS: a held request is still open when the limit strikes


@contextlib.contextmanager
def stalling_server(stalls: int):
    """Serve :data:`PAGE` on 127.0.0.1; the first ``stalls`` requests for its image wait :data:`HOLD_SECONDS`."""
    count = {"slow": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            if self.path.endswith("slow.svg"):
                count["slow"] += 1
                if count["slow"] <= stalls:
                    time.sleep(HOLD_SECONDS)
                body, kind = IMAGE, "image/svg+xml"
            else:
                body, kind = PAGE, "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser gave up on this request

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's signature
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", count
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_that_stalls_once_is_opened_again(chromium, monkeypatch):
    monkeypatch.setattr(_site, "PAGE_LOAD_MS", LIMIT_MS)
    report = _site.PageReport(url="page.html")
    with stalling_server(stalls=1) as (base_url, count):
        with pytest.warns(UserWarning, match="opening again: .*slow.svg"):
            with _site.offline_page(chromium, base_url, "page.html", report) as page:
                assert page.evaluate("document.images[0].complete && document.images[0].naturalWidth") == 1
        assert count["slow"] == 2
    assert report.problems() == []  # nothing of the first opening (its image never came) counts against the page


def test_a_page_that_never_settles_names_the_open_request(chromium, monkeypatch):
    monkeypatch.setattr(_site, "PAGE_LOAD_MS", LIMIT_MS)
    with stalling_server(stalls=2) as (base_url, _count):
        with pytest.warns(UserWarning, match="opening again"), pytest.raises(_site.PageDidNotSettle) as failure:
            with _site.offline_page(chromium, base_url, "page.html"):
                pass
    assert failure.value.open_requests == [base_url + "slow.svg"]
    assert "slow.svg" in str(failure.value)


#: A page that sends itself on to another while the opening waits for its mathematics (a typesetter that never
#: finishes, and a redirect 1.5 s after the load event), as the site's ``index.html`` sends readers on to the
#: first chapter.
REDIRECTING = b"""<!doctype html><html><body><p><span class="math">x</span></p>
<script>
window.MathJax = {startup: {promise: new Promise(() => {})}};
addEventListener('load', () => setTimeout(() => location.replace('next.html'), 1500));
</script></body></html>"""
NEXT = b"<!doctype html><html><body><p id='next'>the next page</p></body></html>"


def test_a_page_that_redirects_while_it_is_opened_is_followed(chromium, tmp_path):
    (tmp_path / "page.html").write_bytes(REDIRECTING)
    (tmp_path / "next.html").write_bytes(NEXT)
    with _site.serve(tmp_path) as base_url, _site.offline_page(chromium, base_url, "page.html") as page:
        assert page.url == base_url + "next.html"
        assert page.locator("#next").inner_text() == "the next page"


#: A page asking for two addresses that are not 127.0.0.1 (192.0.2.1 is TEST-NET-1, never routed).
ELSEWHERE = b"""<!doctype html><html><body><img src="http://192.0.2.1/x.png" alt="">
<script>fetch('https://blocked.example/y').catch(() => {});</script></body></html>"""


def test_no_request_leaves_the_machine(chromium, dead_end, tmp_path):
    """A page's context blocks and records its requests to other addresses (``offline_page``); where no context
    does (a plain context here; Chromium's own requests anywhere), the browser's dead end on 127.0.0.1 takes them."""
    (tmp_path / "page.html").write_bytes(ELSEWHERE)
    expected = {"GET http://192.0.2.1/x.png HTTP/1.1", "CONNECT blocked.example:443 HTTP/1.1"}
    with _site.serve(tmp_path) as base_url:
        before = len(dead_end.reached)
        report = _site.PageReport(url="page.html")
        with _site.offline_page(chromium, base_url, "page.html", report):
            pass
        assert sorted(report.blocked_requests) == ["fetch https://blocked.example/y", "image http://192.0.2.1/x.png"]
        assert not expected & set(dead_end.reached[before:]), "a blocked request reached the network side"

        context = chromium.new_context()  # no routing
        try:
            page = context.new_page()
            failed = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(base_url + "page.html")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (expected <= set(dead_end.reached[before:])
                                                       and len(failed) >= len(expected)):
                page.wait_for_timeout(100)
        finally:
            context.close()
    assert expected <= set(dead_end.reached[before:]), dead_end.reached[before:]
    assert {"http://192.0.2.1/x.png", "https://blocked.example/y"} <= set(failed), failed
