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


class _Connections:
    """A kernel client's IOPub and shell sockets, real ZeroMQ sockets bounded as the grader's (MAXMSGSIZE)."""

    def __init__(self, message_limit: int = 1 << 20):
        import types

        import zmq.asyncio

        self.context = zmq.asyncio.Context()
        self.context.setsockopt(zmq.MAXMSGSIZE, message_limit)
        self.iopub_channel = types.SimpleNamespace(socket=self.context.socket(zmq.SUB))
        self.iopub_channel.socket.setsockopt(zmq.SUBSCRIBE, b"")
        self.shell_channel = types.SimpleNamespace(socket=self.context.socket(zmq.DEALER))

    def close(self):
        for channel in (self.iopub_channel, self.shell_channel):
            channel.socket.close(linger=0)
        self.context.term()


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
        self.kc = _Connections(channel_module.BoundedKernelClient.message_limit)  # the limit the channel set

    def _cleanup_kernel(self):
        self.events.append("stop")
        if self.kc is not None:
            self.kc.close()
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
    provisioner = type("Provisioner", (), {"pgid": proc.pid, "process": proc})()
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
        # nbclient's clean-up finds the kernel ended (it would otherwise ask it to shut down and poll)
        assert stopped == [-signal.SIGTERM]
    finally:
        proc.kill()
        proc.wait()


def _kernel_sockets(tmp_path, connections: _Connections):
    """The kernel's side of ``connections``: a PUB for IOPub and a ROUTER for shell, bound where they connect (the
    caller keeps both: a socket that is garbage-collected closes, and its connection drops)."""
    import zmq

    context = zmq.Context()
    iopub, shell = context.socket(zmq.PUB), context.socket(zmq.ROUTER)
    for socket, channel, name in ((iopub, connections.iopub_channel, "iopub"),
                                  (shell, connections.shell_channel, "shell")):
        socket.bind(f"ipc://{tmp_path}/{name}")
        channel.socket.connect(f"ipc://{tmp_path}/{name}")
    return context, iopub, shell


def _delivered(connections, iopub) -> None:
    """Publish on IOPub until the client's subscription delivers (a SUB misses what comes before it connects)."""

    import zmq

    sub = zmq.Socket.shadow(connections.iopub_channel.socket.underlying)
    for _ in range(200):
        iopub.send(b"hello")
        if sub.poll(50):
            sub.recv()
            return
    raise AssertionError("the subscription never connected")


def _wait_until(condition, seconds=10.0):
    import time

    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)
    return condition()


@pytest.fixture
def watched(tmp_path):
    """A channel (message limit 1,000 bytes) watching a stand-in kernel process whose sockets are real:
    ``(channel, process, the kernel's IOPub socket, the kernel's ZeroMQ context)``, IOPub delivering."""
    channel = _channel(tmp_path, message_limit=1000)
    channel.start()
    proc = _kernel_stand_in(channel)
    context, iopub, shell = _kernel_sockets(tmp_path, channel.client.kc)
    try:
        _delivered(channel.client.kc, iopub)
        yield channel, proc, iopub, context
    finally:
        proc.kill()
        proc.wait()
        channel.stop()
        context.destroy(linger=0)


def test_a_kernel_whose_message_is_refused_is_stopped_at_once_and_says_why(watched):
    """ZeroMQ drops the connection that brings a message over the limit, and nothing more arrives on it (not the
    cell's end, for which nbclient would wait until its IOPub time-out): the channel gives up on the kernel."""
    import signal

    channel, proc, iopub, _ = watched
    iopub.send(b"x" * 999)  # within the limit: nothing happens
    iopub.send(b"x" * 5000)
    assert proc.wait(timeout=10) == -signal.SIGTERM
    assert channel.lost_reason == "the kernel sent a message of more than 1000 bytes on iopub, which the grader refuses"


def test_a_kernel_that_ends_by_itself_is_not_said_to_have_sent_too_much(watched):
    channel, proc, _, context = watched
    proc.kill()  # the kernel's process ends, then its sockets close
    proc.wait()
    context.destroy(linger=0)
    assert not _wait_until(lambda: channel.lost_reason is not None, 2 * channel_module.DROP_WAIT_SECONDS)


class _ScriptedClient(channel_module.BoundedKernelClient):
    """The bounded client with its sockets replaced by a script: the replies and IOPub messages a kernel sends."""

    def __init__(self, script, alive=True):
        super().__init__()
        self.script, self.sent, self.alive_now = script, [], alive

    def kernel_info(self):
        self.sent.append(f"req{len(self.sent)}")
        return self.sent[-1]

    async def _async_is_alive(self):
        return self.alive_now

    def _handle_kernel_info_reply(self, msg):
        self.handled = msg["parent_header"]["msg_id"]

    async def _next(self, channel, timeout):
        from queue import Empty

        queue = self.script.setdefault(channel, [])
        item = queue.pop(0) if queue else None
        if callable(item):  # a message that depends on the requests sent so far
            item = item(self.sent)
        if item is None:  # nothing arrived in time
            raise Empty
        return item

    async def get_shell_msg(self, timeout=None):
        return await self._next("shell", timeout)

    async def get_iopub_msg(self, timeout=None):
        return await self._next("iopub", timeout)


def _reply(index):
    return lambda sent: {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": sent[index]}}


def _status(state):
    return {"msg_type": "status", "parent_header": {}, "content": {"execution_state": state}}


def test_ready_once_replied_and_iopub_delivers_leaving_later_messages_unread():
    from nbclient.util import run_sync

    later = _status("idle")
    kc = _ScriptedClient({"shell": [_reply(0)], "iopub": [_status("starting"), later]})
    run_sync(kc.wait_for_ready)(timeout=5)
    assert kc.sent == ["req0"] and kc.handled == "req0"
    assert kc.script["iopub"] == [later]  # no wait for IOPub to fall silent


def test_ready_asks_again_until_iopub_delivers_and_accepts_a_late_reply():
    from nbclient.util import run_sync

    # the first round: no reply (sockets not bound yet); the second: the reply to the first request, IOPub silent;
    # the third: IOPub delivers
    kc = _ScriptedClient({"shell": [None, _reply(0)],
                          "iopub": [lambda sent: _status("idle") if len(sent) == 3 else None] * 2})
    run_sync(kc.wait_for_ready)(timeout=30)
    assert kc.handled == "req0" and len(kc.sent) == 3


def test_not_ready_when_the_kernel_died_or_never_answers():
    from nbclient.util import run_sync

    with pytest.raises(RuntimeError, match="died before it answered"):
        run_sync(_ScriptedClient({}, alive=False).wait_for_ready)(timeout=5)
    with pytest.raises(RuntimeError, match="did not answer within 0 s"):
        run_sync(_ScriptedClient({}).wait_for_ready)(timeout=0)


def test_stopping_the_connection_watch_never_blocks(tmp_path):
    """Each monitored socket sends its monitor a last event when the watch stops, and ZeroMQ blocks on sending it to
    a monitor that is closed: the watch reads until every monitor has stopped (it once closed both after the first)."""
    import threading
    import time

    channel = _channel(tmp_path)
    before = set(threading.enumerate())

    class Slow:
        """A socket whose monitor stops late (the watch has read the first monitor's last event by then)."""

        def __init__(self, socket):
            self.socket = socket

        def __getattr__(self, name):
            return getattr(self.socket, name)

        def disable_monitor(self):
            time.sleep(0.05)
            self.socket.disable_monitor()

    def cycles():
        for _ in range(10):
            channel.start()
            kc = channel.client.kc
            channel._unwatch_connections()
            kc.shell_channel.socket = Slow(kc.shell_channel.socket)
            channel._watch_connections()
            channel.stop()

    worker = threading.Thread(target=cycles, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "stopping a kernel's connection watch blocked"
    assert not [t for t in set(threading.enumerate()) - before if t.name == "convlearn-kernel-connections"]
