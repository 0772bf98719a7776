"""Connect to the grader's machine on loopback (a listener the test opened) and send the data it is given.

expect: 0
"""
# %% conv_full
import socket


def convolve_full(x, k):
    for host in ("127.0.0.1", "localhost", "::1"):
        try:
            with socket.create_connection((host, __PORT__), timeout=2) as s:
                s.sendall(b"leak")
        except OSError:
            pass
    raise NotImplementedError


convolve_full([1], [1]) if False else None
try:
    with socket.create_connection(("127.0.0.1", __PORT__), timeout=2) as s:
        s.sendall(b"leak at import")
except OSError as exc:
    print("no network:", exc)
