"""The wire to a submission's kernel (convlearn.grading.grader.channel), without a kernel: restart and charging.

The message pump itself runs against real sandboxed kernels in ``test_grading_attacks.py`` and the course's
end-to-end tests; here a stand-in for nbclient's client records what the channel asks of it.
"""

from __future__ import annotations

import logging
import os

import pytest

channel_module = pytest.importorskip("convlearn.grading.grader.channel")
from convlearn.grading.grader import harness  # noqa: E402
from convlearn.grading.limits import REPLAY_EXTRA_SECONDS, REPLAY_FACTOR  # noqa: E402


class FakeClient:
    """Records the kernels started and stopped through it, as nbclient's NotebookClient would run them."""

    def __init__(self):
        self.events: list[str] = []
        self.km = self.kc = None

    def create_kernel_manager(self):
        self.events.append("manager")
        return type("KM", (), {})()

    def start_new_kernel(self, cwd, env):
        self.events.append(f"start in {cwd}")
        self.env = env

    def start_new_kernel_client(self):
        self.kc = object()

    def _cleanup_kernel(self):
        self.events.append("stop")
        self.km = self.kc = None


def _channel(tmp_path, budget=None, **limits):
    options = dict(cell_timeout=60.0, read_limit=1000, flood_limit=1500, message_limit=1 << 20, interrupt_grace=5.0)
    options.update(limits)
    return channel_module.KernelChannel(FakeClient(), runtime=tmp_path, cwd="/submission",
                                        budget=budget or harness.Budget(), log=logging.getLogger("test"), **options)


def test_start_uses_the_private_runtime_and_the_bounded_client(tmp_path):
    channel = _channel(tmp_path, message_limit=12345)
    channel.start()
    km = channel.client.km
    assert km.connection_file == str(tmp_path / "kernel.json")
    assert km.client_class.endswith("channel.BoundedKernelClient")
    assert channel_module.BoundedKernelClient.message_limit == 12345
    assert channel.client.events == ["manager", "start in /submission"]
    # the launcher is told whose child it is (it ends if that process died while it started)
    from convlearn.grading.grader.sandbox import PARENT_ENV

    assert channel.client.env[PARENT_ENV] == str(os.getpid()) and channel.client.env["PATH"] == os.environ["PATH"]
    channel.stop()
    channel.stop()  # no kernel: nothing to do
    assert channel.client.events[-1] == "stop" and channel.client.events.count("stop") == 1


def test_restart_replays_the_cells_that_ran_within_their_own_time(tmp_path, monkeypatch):
    channel = _channel(tmp_path)
    sent = []
    monkeypatch.setattr(channel, "send", lambda code, limit, want_reply=True: sent.append((code, limit, want_reply)))
    channel.ran = [("fast", 1.0), ("slow", 40.0)]
    channel.restart()
    assert sent == [("fast", REPLAY_FACTOR * 1.0 + REPLAY_EXTRA_SECONDS, False), ("slow", 60.0, False)]


def test_a_cell_that_fails_on_replay_leaves_a_fresh_kernel(tmp_path, monkeypatch):
    channel = _channel(tmp_path)
    sent = []

    def send(code, limit, want_reply=True):
        sent.append(code)
        if code == "hangs now":
            raise harness.CallTimedOut("no answer")

    monkeypatch.setattr(channel, "send", send)
    channel.ran = [("first", 1.0), ("hangs now", 1.0), ("never", 1.0)]
    channel.restart()
    assert sent == ["first", "hangs now"]
    assert channel.client.events.count("manager") == 2  # the replay's kernel, then a fresh one


def test_no_replay_once_the_submission_is_out_of_time(tmp_path, monkeypatch):
    budget = harness.Budget(seconds=0.0)
    channel = _channel(tmp_path, budget=budget)
    sent = []
    monkeypatch.setattr(channel, "send", lambda code, limit, want_reply=True: sent.append(code))
    channel.ran = [("cell", 1.0)]
    channel.restart()
    assert sent == []


def test_charging_stops_a_kernel_that_sends_too_much(tmp_path):
    channel = _channel(tmp_path, read_limit=1000, flood_limit=1500)
    message = {"content": {"text": "x" * 400}}
    size = channel.charge(message)
    assert size == channel_module.message_size(message["content"]) and size > 400
    channel.charge(message)
    with pytest.raises(harness.KernelLost, match="more than 1000 bytes"):
        channel.charge(message)  # over the read budget of one cell or call
    channel.read_total = 0  # a new cell
    channel.output_total = 0
    for _ in range(3):
        channel.charge_output(message)
        channel.read_total = 0
    with pytest.raises(harness.KernelLost, match="flooded"):
        channel.charge_output(message)  # over the output of the whole submission


def _kernel_stand_in(channel):
    """A process in a process group of its own, as jupyter_client starts a kernel, behind the fake client."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    provisioner = type("Provisioner", (), {"pgid": proc.pid})()
    channel.client.km = type("KM", (), {"provisioner": provisioner})()
    return proc


def test_a_kernel_over_a_limit_is_stopped_at_once_and_says_why(tmp_path):
    import signal

    channel = _channel(tmp_path, read_limit=1000, flood_limit=500)
    proc = _kernel_stand_in(channel)
    try:
        with pytest.raises(harness.KernelLost, match="flooded"):
            channel.charge_output({"content": {"text": "x" * 600}})
        # SIGTERM to its process group (the sandbox's launcher ends the sandbox and cleans up), not a wait
        assert proc.wait(timeout=30) == -signal.SIGTERM
        assert channel.lost_reason == "the kernel flooded its output"
        channel.start()  # a new kernel: the old one's reason is not told of it
        assert channel.lost_reason is None
    finally:
        proc.kill()
        proc.wait()


def test_a_replaced_kernel_is_ended_before_it_is_stopped(tmp_path):
    import signal

    channel = _channel(tmp_path)
    proc = _kernel_stand_in(channel)
    stopped = []
    channel.client._cleanup_kernel = lambda: stopped.append(proc.poll())
    try:
        channel.restart()
        assert proc.wait(timeout=30) == -signal.SIGTERM and len(stopped) == 1
    finally:
        proc.kill()
        proc.wait()
