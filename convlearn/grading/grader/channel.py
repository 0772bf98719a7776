"""The wire to one submission's sandboxed kernel: start it, stop it, restart it, send it a line and read the reply.

:class:`KernelChannel` is the kernel's life cycle and message pump for :class:`.nbgrader_plugin.SandboxedGrade`:
its :meth:`~KernelChannel.send` and :meth:`~KernelChannel.restart` are the pair
:func:`convlearn.grading.grader.harness.run_test_cell` calls. Every message the kernel sends is counted against
the limits of the cell or call that it answers (:meth:`~KernelChannel.charge`), and ZeroMQ itself refuses a
message above :data:`MESSAGE_LIMIT` bytes while it arrives (:class:`BoundedKernelClient`), so a kernel that
floods costs its own checks and never the grader's memory; the connection it dropped delivers nothing more, so the
channel then stops the kernel at once (:meth:`KernelChannel._watch_connections`).

The kernel is started through the nbclient ``NotebookClient`` that runs the student's cells (nbgrader's
``Execute``): both share its kernel manager and client (``km``, ``kc``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from queue import Empty

import zmq
import zmq.utils.monitor
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_core.utils import ensure_async
from nbclient.util import run_sync

from .. import wire
from ..limits import KERNEL_POLL_SECONDS, REPLAY_EXTRA_SECONDS, REPLAY_FACTOR, STREAM_BUDGET_CHARS
from . import harness, sandbox

__all__ = ["KernelChannel", "BoundedKernelClient", "MESSAGE_LIMIT", "QUEUED_MESSAGES", "message_size"]

#: Largest message read from a student's kernel (bytes). Every reply the grader accepts (wire.MAX_MESSAGE)
#: fits; a larger message is refused by ZeroMQ while it arrives, before it takes the grader's memory.
MESSAGE_LIMIT = 16 << 20
#: Messages ZeroMQ may queue unread per socket (its receive high-water mark; the default is 1,000). With
#: MESSAGE_LIMIT this bounds what a kernel can make the grader hold before the grader reads and counts it:
#: 16 x 16 MiB. (Measured: a kernel sending 80 widget messages of 16 MiB grew the grader to 1.9 GB with the
#: default.) An honest kernel's output is batched by ipykernel, so it never has that many messages waiting.
QUEUED_MESSAGES = 16
#: How long :meth:`KernelChannel.stop` waits for a terminated kernel's sandbox to end before nbclient's clean-up
#: (which then asks it to shut down and, after up to 5 s, kills it). Measured: a sandboxed kernel ends 0.12-0.14 s
#: after SIGTERM (median of 6, idle machine).
STOP_WAIT_SECONDS = 2.0
#: After the grader's connection to a kernel drops, how long the kernel's process may take to end before the drop
#: counts as a refused message (:meth:`KernelChannel._connection_dropped`). A kernel that ends by itself closes its
#: sockets first; its sandbox ends 0.12-0.14 s after its kernel (measured, as above).
DROP_WAIT_SECONDS = 0.5


class _OutOfTime(Exception):
    """Internal: the deadline of a request passed before its reply."""


def message_size(obj) -> int:
    """Characters and bytes in a message's content (strings, bytes, and the structure around them)."""
    stack, total = [obj], 0
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes | bytearray | memoryview):
            total += len(item)
        elif isinstance(item, dict):
            total += 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            total += len(item)
            stack.extend(item)
        else:
            total += 8
    return total


class BoundedKernelClient(AsyncKernelClient):
    """A kernel client whose sockets refuse messages above :data:`MESSAGE_LIMIT` bytes (ZeroMQ MAXMSGSIZE) and
    queue at most :data:`QUEUED_MESSAGES` unread messages (ZeroMQ RCVHWM)."""

    message_limit = MESSAGE_LIMIT

    def _context_default(self):
        context = super()._context_default()
        context.setsockopt(zmq.MAXMSGSIZE, int(self.message_limit))
        context.setsockopt(zmq.RCVHWM, QUEUED_MESSAGES)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the new kernel has answered a ``kernel_info`` request and its IOPub channel delivers.

        jupyter_client's ``wait_for_ready`` does the same and then waits for 0.2 s of silence on IOPub (and up to
        0.2 s more for its first message), idle time in every kernel start; the messages it drops there are the
        kernel's start-up statuses, which every reader here skips anyway (each reads only the replies to its own
        request). A request is sent again every second until the kernel answers (its sockets may not be bound yet).
        """
        timeout = float("inf") if timeout is None else float(timeout)
        deadline = time.monotonic() + timeout
        sent: set[str] = set()
        replied = delivered = False
        while not (replied and delivered):
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError(f"the kernel did not answer within {timeout:g} s of its start")
            if not await self._async_is_alive():
                raise RuntimeError("the kernel died before it answered")
            sent.add(self.kernel_info())
            round_end = min(now + 1.0, deadline)
            while not (replied and delivered) and time.monotonic() < round_end:
                wait = max(0.0, round_end - time.monotonic())
                if not replied:
                    try:
                        msg = await self.get_shell_msg(timeout=wait)
                    except Empty:
                        break
                    if msg["parent_header"].get("msg_id") in sent and msg["msg_type"] == "kernel_info_reply":
                        self._handle_kernel_info_reply(msg)
                        replied = True
                    continue
                try:  # any message on IOPub after the reply: the subscription is connected
                    await self.get_iopub_msg(timeout=min(wait, 0.2))
                except Empty:
                    break
                delivered = True


class KernelChannel:
    """One submission's kernel: its life cycle, and one line of code at a time sent and answered.

    Parameters
    ----------
    client : nbclient.NotebookClient
        The client that runs the student's cells (``SandboxedGrade``); the kernel is started through it and its
        ``km``/``kc`` are the channel's.
    runtime : Path
        The private directory of the kernel's connection file and sockets.
    cwd : str
        The directory the kernel starts in (the submission's).
    budget : harness.Budget
        The submission's grading time; a restart re-runs cells only within what is left.
    cell_timeout : float
        A student cell's time limit.
    read_limit, flood_limit, message_limit : int
        Bytes read for one cell or call, characters of output in all, bytes of one message (see the traits of
        ``SandboxedGrade`` of the same names).
    interrupt_grace : float
        After a call runs out of time, seconds to wait for the interrupted kernel before it counts as lost.
    log : logging.Logger
    """

    def __init__(self, client, *, runtime: Path, cwd: str, budget: harness.Budget, cell_timeout: float,
                 read_limit: int, flood_limit: int, message_limit: int, interrupt_grace: float, log):
        self.client = client
        self.runtime = Path(runtime)
        self.cwd = cwd
        self.budget = budget
        self.cell_timeout = float(cell_timeout)
        self.read_limit = int(read_limit)
        self.flood_limit = int(flood_limit)
        self.message_limit = int(message_limit)
        self.interrupt_grace = float(interrupt_grace)
        self.log = log
        #: The student's cells that ran, with the seconds each took (run again after a restart).
        self.ran: list[tuple[str, float]] = []
        #: Bytes read for the running cell or call, and characters of output in all.
        self.read_total = 0
        self.output_total = 0
        #: Why the grader gave up on the kernel it stopped last (a limit it broke), until it is read.
        self.lost_reason: str | None = None
        self._watching = None  # the connection watch of the running kernel (_watch_connections)

    # --- life cycle ----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start a new kernel (and its client) through the notebook client. Why the last one was given up on is
        forgotten: it concerned that kernel (a cell whose new kernel dies is not told an old kernel's reason)."""
        self.lost_reason = None
        client = self.client
        client.km = client.create_kernel_manager()
        client.km.connection_file = str(self.runtime / "kernel.json")
        client.km.client_class = f"{BoundedKernelClient.__module__}.{BoundedKernelClient.__qualname__}"
        BoundedKernelClient.message_limit = self.message_limit
        # the sandbox's launcher checks that this process still lives once it is set to die with it
        client.start_new_kernel(cwd=self.cwd, env={**os.environ, sandbox.PARENT_ENV: str(os.getpid())})
        client.start_new_kernel_client()
        self._watch_connections()

    def stop(self) -> None:
        """Stop the kernel, if one runs: SIGTERM (:meth:`terminate`), then nbclient's clean-up, which finds it ended.

        Nothing in a sandbox is worth a graceful shutdown (the sandbox is thrown away), and a kernel that is busy
        or ignores the shutdown request would make jupyter_client wait up to 5 s before it sends the same signal.
        """
        client = self.client
        self._unwatch_connections()
        if getattr(client, "km", None) is not None:
            self.terminate()
            self._wait_exit(STOP_WAIT_SECONDS)
            try:
                client._cleanup_kernel()
            except Exception:  # noqa: BLE001 - already dead
                client.km = None
                client.kc = None

    def terminate(self) -> None:
        """Send SIGTERM to the kernel's process group now: the sandbox's launcher passes it on, ends the sandbox
        and cleans up (what a graceful shutdown does, after waiting for a kernel that is busy or misbehaving)."""
        provisioner = getattr(getattr(self.client, "km", None), "provisioner", None)
        pgid = getattr(provisioner, "pgid", None)
        if pgid:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGTERM)

    def _wait_exit(self, seconds: float) -> None:
        """Wait up to ``seconds`` for the kernel's process to end, polling every 5 ms (jupyter_client polls every
        0.1 s, and only after a shutdown request that a terminated kernel no longer reads)."""
        process = getattr(getattr(self.client.km, "provisioner", None), "process", None)
        if process is None:
            return
        end = time.monotonic() + seconds
        while process.poll() is None and time.monotonic() < end:
            time.sleep(0.005)

    def _watch_connections(self) -> None:
        """Watch the client's IOPub and shell connections for a drop while the kernel runs.

        ZeroMQ drops a connection that brings a message over :attr:`message_limit` bytes, and nothing more arrives
        on it: neither the rest of the cell's output nor its end, which nbclient would wait for until its IOPub
        time-out. A thread reads the sockets' monitors and gives up on the kernel at once instead.
        """
        kc = self.client.kc
        context = zmq.Context.shadow(kc.context.underlying)  # the client's context, with blocking sockets
        stop = threading.Event()
        watched = []
        for name in ("iopub", "shell"):
            socket = getattr(kc, f"{name}_channel").socket
            address = f"inproc://convlearn-monitor-{id(self)}-{name}-{time.monotonic_ns()}"
            socket.monitor(address, zmq.EVENT_DISCONNECTED | zmq.EVENT_MONITOR_STOPPED)
            monitor = context.socket(zmq.PAIR)
            monitor.connect(address)
            watched.append((name, socket, monitor))
        thread = threading.Thread(target=self._watch, args=(watched, stop), daemon=True,
                                  name="convlearn-kernel-connections")
        self._watching = (watched, stop, thread)
        thread.start()

    def _watch(self, watched, stop: threading.Event) -> None:
        """Read the monitors until each has said it stopped (a monitored socket's ZeroMQ blocks on sending that
        last event to a monitor that is already closed, so none is closed before), or the context ends."""
        poller = zmq.Poller()
        names = {}
        for name, _, monitor in watched:
            poller.register(monitor, zmq.POLLIN)
            names[monitor] = name
        try:
            while poller.sockets:
                for monitor, _ in poller.poll():
                    event = zmq.utils.monitor.recv_monitor_message(monitor)
                    if event["event"] == zmq.EVENT_MONITOR_STOPPED:
                        poller.unregister(monitor)
                    elif event["event"] == zmq.EVENT_DISCONNECTED and not stop.is_set():
                        try:
                            self._connection_dropped(names[monitor])
                        except Exception:  # noqa: BLE001 - the watch goes on (see the docstring)
                            self.log.exception("the kernel's connection dropped and could not be handled")
        except zmq.ContextTerminated:  # the client's sockets are closed: nothing is sent to the monitors any more
            pass
        finally:
            for _, _, monitor in watched:
                monitor.close(linger=0)

    def _unwatch_connections(self) -> None:
        watching, self._watching = self._watching, None
        if watching is None:
            return
        watched, stop, thread = watching
        stop.set()
        for _, socket, _ in watched:  # each monitor then receives MONITOR_STOPPED, which ends the thread
            with contextlib.suppress(zmq.ZMQError):
                socket.disable_monitor()
        thread.join(timeout=1.0)

    def _connection_dropped(self, name: str) -> None:
        """A connection to the kernel dropped: unless the kernel is ending by itself, it sent a message too large."""
        process = getattr(getattr(self.client.km, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.wait(timeout=DROP_WAIT_SECONDS)
                return  # the kernel ended: nbclient and the reader find it dead
            except subprocess.TimeoutExpired:
                pass
        self.give_up(f"the kernel sent a message of more than {self.message_limit} bytes on {name}, "
                     "which the grader refuses")

    def give_up(self, reason: str) -> harness.KernelLost:
        """The kernel broke a limit: stop it now, so that a student cell that waits for it ends within a second
        instead of at its time limit (nbclient then reports the kernel dead and :attr:`lost_reason` says why);
        return the error to raise."""
        self.lost_reason = reason
        self.terminate()
        return harness.KernelLost(reason)

    def restart(self) -> None:
        """A new kernel with the student's cells that ran before run again (their outputs are not kept).

        Each cell gets twice the time it took the first time plus 5 s (``limits.REPLAY_FACTOR``,
        ``REPLAY_EXTRA_SECONDS``), within the cell limit and the submission's budget: slow cells cost a restart
        what they cost once, not the full cell limit.
        """
        self.stop()
        self.start()
        for code, took in self.ran:
            limit = min(self.cell_timeout, REPLAY_FACTOR * took + REPLAY_EXTRA_SECONDS, self.budget.remaining())
            try:
                if limit <= 0:
                    raise harness.KernelLost("the submission's grading time ran out")
                self.send(code, limit, want_reply=False)
            except (harness.KernelLost, harness.CallTimedOut) as exc:
                self.log.warning("a cell that ran before did not run again after a restart (%s)", exc)
                self.stop()
                self.start()
                break

    def alive(self) -> bool:
        """Whether the kernel runs."""
        km = self.client.km
        return km is not None and run_sync(km.is_alive)()

    # --- what the kernel sends costs ---------------------------------------------------------------------------
    def charge(self, msg: dict) -> int:
        """Count a message from the kernel against the read budget of the running cell or call; return its size."""
        size = message_size(msg.get("content")) + sum(len(b) for b in msg.get("buffers") or ())
        self.read_total += size
        if self.read_total > self.read_limit:
            raise self.give_up(f"the kernel sent more than {self.read_limit} bytes for one cell or call")
        return size

    def charge_output(self, msg: dict) -> int:
        """Charge an output message; give up on the kernel past ``flood_limit`` characters of output in all."""
        size = self.charge(msg)
        self.output_total += size
        if self.output_total > self.flood_limit:
            raise self.give_up("the kernel flooded its output")
        return size

    # --- one line sent, its reply read ------------------------------------------------------------------------
    def send(self, code: str, timeout: float, want_reply: bool = True) -> str:
        """Run ``code`` in the kernel; return the last agent reply it published (see :meth:`_async_send`)."""
        return run_sync(self._async_send)(code, timeout, want_reply)

    async def _async_send(self, code: str, timeout: float, want_reply: bool) -> str:
        """Run ``code``; return the last agent reply it published.

        Raises :class:`harness.CallTimedOut` when it ran out of time and an interrupt stopped it (the kernel is
        kept), :class:`harness.KernelLost` when the kernel died, flooded or ignored the interrupt.
        """
        kc = self.client.kc
        if kc is None:
            raise harness.KernelLost("the kernel is not running")
        msg_id = kc.execute(code, silent=False, store_history=False, allow_stdin=False, stop_on_error=False)
        self.read_total = 0
        try:
            reply_text = await self._read_reply(msg_id, time.monotonic() + timeout, want_reply)
        except _OutOfTime:
            # a function stuck in a loop stops with KeyboardInterrupt; the kernel and the student's objects stay
            try:
                await ensure_async(self.client.km.interrupt_kernel())
                await self._read_reply(msg_id, time.monotonic() + self.interrupt_grace, False)
            except (_OutOfTime, harness.KernelLost, OSError, RuntimeError):
                raise harness.KernelLost(f"no answer within {timeout:.3g} s (time limit)") from None
            raise harness.CallTimedOut(f"no answer within {timeout:.3g} s (time limit)") from None
        if want_reply and reply_text is None:
            raise harness.NoAnswer("the kernel sent no answer")
        return reply_text or ""

    async def _read_reply(self, msg_id: str, deadline: float, want_reply: bool) -> str | None:
        """Read the kernel's messages for request ``msg_id`` until it is idle and replied; every one is charged."""
        kc, km = self.client.kc, self.client.km

        async def next_message(get):
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _OutOfTime
                try:
                    msg = await asyncio.wait_for(get(), timeout=min(remaining, KERNEL_POLL_SECONDS))
                except TimeoutError:
                    if not await km.is_alive():
                        raise harness.KernelLost(self.lost_reason or "the kernel died") from None
                    continue
                self.charge(msg)
                if msg["parent_header"].get("msg_id") == msg_id:
                    return msg

        reply_text, budget = None, STREAM_BUDGET_CHARS
        while True:
            msg = await next_message(kc.get_iopub_msg)
            kind = msg["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                break
            if kind in ("display_data", "execute_result") and want_reply:
                data = msg["content"].get("data", {})
                if isinstance(data.get(wire.MIME), str):
                    reply_text = data[wire.MIME]
            elif kind == "stream":
                budget -= len(msg["content"].get("text", ""))
                if budget < 0:
                    raise self.give_up("the kernel flooded its output")
        await next_message(kc.get_shell_msg)
        return reply_text
