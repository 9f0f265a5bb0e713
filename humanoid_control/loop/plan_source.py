"""Where the control loop's plans come from (one abstract base, three ways).

* :class:`InlinePlanner` — the MPC called in the loop's own thread at the start of each MPC
  period; the plan answers the state it was computed from (no latency). Deterministic, and
  it stalls the loop for a whole solve: for tests and for comparison, never for real time.
* :class:`WorkerPlanner` — the MPC in its own process (ProxSuite and Pinocchio hold the GIL
  for a whole call, so a thread would stall the loop). Lockstep: the state at the start of
  MPC period k is sent to the worker, which solves while the loop runs period k; its plan is
  taken at the start of period k + 1 — *one MPC period of planning latency*, as in real time
  — so both cores work and runs stay deterministic. Real time: the loop takes the newest
  plan without waiting and sends the newest state whenever the worker is idle; taking,
  decoding and sending fall on different ticks. States and plans travel through shared
  memory (:mod:`humanoid_control.loop.plan_channel`); the pipe carries only the start-up
  handshake.
* :class:`ExternalPlans` — plans from an MPC node elsewhere (``/centroidal_plan``, e.g. on
  another machine), handed over by the ROS shell.

Every source gives the WBC decoded plans through ``WbcCore.accept_plan`` and keeps the
newest encoded plan (``last_fields``, ``last_ns``) for the topic mirror and the recording."""
from __future__ import annotations

import multiprocessing as mp
import os
import time

import numpy as np

from humanoid_control.errors import HumanoidControlError
from humanoid_control.loop.child_process import start_child, stop_child
from humanoid_control.loop.mpc_core import SolveTimes
from humanoid_control.planning.locomotion import COUNTER_KEYS
from humanoid_control.planning.plan_codec import PlanDecodeError, decode
from humanoid_control.timing import NodeStats, TimingStats


class PlanSource:
    """Base: :meth:`exchange` is called once per tick with the tick's estimated state."""

    last_fields: dict | None = None
    last_ns: int | None = None

    def exchange(self, ns: int, q: np.ndarray, v: np.ndarray, wbc, flags: int | None = None) -> None:  # pragma: no cover - abstract
        """Hand the state (q, v) stamped ``ns`` [ns] to the planner when it wants one, and
        give ``wbc`` (a :class:`~humanoid_control.loop.wbc_core.WbcCore`) any plan that is ready.
        ``flags``: the controller's (:func:`~humanoid_control.loop.mpc_core.controller_flags`:
        the driver holding the joints, the feet in contact), None when not known."""
        raise NotImplementedError

    def set_twist(self, v, received_ns: int | None) -> None:
        """A live /cmd_vel (vx, vy, wz) for the planner."""

    def node_stats(self, recent_s: float | None = None) -> NodeStats | None:
        """The planner's stats (timing figures of the last ``recent_s`` seconds when given)."""
        return None

    def helper_pids(self) -> list:
        """Processes this source runs beside the loop (real time pins them off its CPU)."""
        return []

    def close(self) -> None:
        """Stop what the source started (idempotent)."""

    def _deliver(self, fields: dict, ns: int, wbc) -> None:
        self.last_fields, self.last_ns = fields, ns
        if not fields["ok"]:
            wbc.accept_plan(None, ns, ok=False)
            return
        try:
            plan = decode(fields, ns * 1e-9)
        except PlanDecodeError as exc:
            wbc.accept_plan(None, ns, why=f"/centroidal_plan: {exc}")
            return
        wbc.accept_plan(plan, ns)


def _period_start(ns: int, period_ns: int) -> bool:
    return ns % period_ns == 0


class InlinePlanner(PlanSource):
    def __init__(self, mpc_cfg: dict, robot=None, lockstep: bool = True):
        from humanoid_control.loop.mpc_core import MpcCore

        self.core = MpcCore(mpc_cfg, robot)
        self.lockstep = lockstep

    def set_twist(self, v, received_ns):
        self.core.set_twist(v, received_ns)

    def exchange(self, ns, q, v, wbc, flags=None) -> None:
        core = self.core
        due = _period_start(ns, core.period_ns) if self.lockstep else not core.planned_this_period(ns)
        if due:
            self._deliver(core.update(ns, q, v, flags), ns, wbc)

    def node_stats(self, recent_s: float | None = None):
        return self.core.node_stats(recent_s=recent_s)


#: niceness added to the MPC worker process in real time (lower priority than the control loop)
WORKER_NICE = 5


def _worker_main(conn, mpc_cfg: dict, nice: int, channel_spec: tuple, notify: bool) -> None:
    """The MPC worker process: build the planner, say ready on ``conn``, then answer the
    states that come through the shared-memory channel with plans (posting ``plan_ready``
    when ``notify``: lockstep, where the loop waits for them).
    In real time it runs at a lower CPU priority than the loop (``nice``): when both want a
    core, the 1-kHz loop wins and the plan comes a little later. In lockstep (``nice`` 0)
    the loop waits for the plan at each period anyway, so both run at the same priority."""
    import pickle
    import signal

    from humanoid_control.loop.mpc_core import MpcCore
    from humanoid_control.loop.plan_channel import PlanChannel

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the loop stops us
    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass

    try:
        channel = PlanChannel.attach(channel_spec)
        core = MpcCore(mpc_cfg)
        core.update(0, *_nominal_state(core.robot))  # compile and warm the solver before the run
        core = MpcCore(mpc_cfg, core.robot)  # a fresh planner: the warm-up leaves no state behind
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    parent = os.getppid()
    try:
        while True:
            msg = channel.wait_state(0.5)
            if msg is None:
                if os.getppid() != parent:  # the loop's process is gone
                    return
                continue
            if msg == "stop":
                return
            ns, q, v, twist, flags = msg
            if twist is not None:
                core.set_twist(*twist)
            fields = core.update(ns, q, v, flags)
            compute_us = core.stats.samples[(core.stats.count - 1) % len(core.stats.samples)]
            channel.put_plan(pickle.dumps((ns, fields, float(compute_us)), protocol=pickle.HIGHEST_PROTOCOL), notify)
    except KeyboardInterrupt:
        return
    finally:
        channel.close()


def _nominal_state(robot):
    q = robot.nominal_configuration()
    return q, np.zeros(robot.nv)


class WorkerPlanner(PlanSource):
    """The MPC in a child process (``multiprocessing``, spawn: nothing of the parent's
    threads or DDS state is inherited). ``wait``: lockstep semantics (above)."""

    #: [s] how long the worker may take to build its solver, and to answer in lockstep
    STARTUP_TIMEOUT_S = 180.0
    ANSWER_TIMEOUT_S = 30.0

    def __init__(self, mpc_cfg: dict, wait: bool = True):
        from humanoid_control.loop.plan_channel import PlanChannel

        self.period_ns = int(round(1e9 / mpc_cfg["rate_hz"]))
        self.wait = wait
        ctx = mp.get_context("spawn")
        self._channel = PlanChannel.create(ctx)
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker_main,
                                 args=(child, dict(mpc_cfg), 0 if wait else WORKER_NICE, self._channel.spec(), wait),
                                 name="humanoid_control-mpc", daemon=True)
        start_child(self._proc)
        child.close()
        self._pending: int | None = None  # [ns] stamp of the state the worker is solving
        self._taken: tuple | None = None  # real time: (fields, ns) of a plan taken, decoded next tick
        self._twist = None
        self._planned_period = None
        self.stats = TimingStats(1.0 / mpc_cfg["rate_hz"])
        self.solves = SolveTimes(mpc_cfg["rate_hz"])
        self.waits = TimingStats(1.0 / mpc_cfg["rate_hz"])  # [µs] lockstep: time the loop waited for a plan
        self._first_ns = None
        self._final: NodeStats | None = None
        self._receive(self.STARTUP_TIMEOUT_S, "ready")

    def _receive(self, timeout_s: float, expect: str):
        """The worker's start-up answer on the pipe."""
        if not self._conn.poll(timeout_s):
            code = self._proc.exitcode
            self.close()
            raise HumanoidControlError(f"the MPC worker did not answer within {timeout_s:.0f} s"
                                       + ("" if code is None else f" (it exited with code {code})"))
        try:
            msg = self._conn.recv()
        except EOFError:
            self._proc.join(timeout=1.0)
            code = self._proc.exitcode
            self.close()
            raise HumanoidControlError(f"the MPC worker exited (code {code})") from None
        if msg[0] == "error":
            self.close()
            raise HumanoidControlError(f"the MPC worker failed to start: {msg[1]}")
        if msg[0] != expect:
            raise HumanoidControlError(f"the MPC worker said '{msg[0]}' where '{expect}' was expected")
        return msg

    def _check_alive(self) -> None:
        if not self._proc.is_alive():
            code = self._proc.exitcode
            self.close()
            raise HumanoidControlError(f"the MPC worker exited (code {code})")

    def set_twist(self, v, received_ns):
        self._twist = (tuple(float(x) for x in v), received_ns)

    def _send_state(self, ns, q, v, flags=None) -> None:
        twist, self._twist = self._twist, None
        self._channel.send_state(ns, q, v, twist, flags)
        self._pending = ns
        self._planned_period = ns // self.period_ns

    def _take(self) -> tuple:
        """(fields, ns) of the plan the worker wrote; its figures counted."""
        import pickle

        ns, fields, compute_us = pickle.loads(self._channel.take_plan())
        self._pending = None
        self.stats.add(compute_us)
        self.solves.add(fields)
        if self._first_ns is None:
            self._first_ns = ns
        return fields, ns

    #: [ns] of plant time a request may stay unanswered before the worker is checked for life
    STALL_NS = 1_000_000_000

    def exchange(self, ns, q, v, wbc, flags=None) -> None:
        if self.wait:
            if not _period_start(ns, self.period_ns):
                return
            if self._pending is not None:
                t0 = time.perf_counter()
                while not self._channel.wait_plan(min(1.0, self.ANSWER_TIMEOUT_S)):
                    self._check_alive()
                    if time.perf_counter() - t0 > self.ANSWER_TIMEOUT_S:
                        self.close()
                        raise HumanoidControlError(f"the MPC worker did not answer within {self.ANSWER_TIMEOUT_S:.0f} s")
                self._deliver(*self._take(), wbc)
                self.waits.add((time.perf_counter() - t0) * 1e6)
            self._send_state(ns, q, v, flags)
            return
        # real time: taking a plan, decoding it and sending the next state each cost the loop
        # tens of µs, so at most one of them happens per tick (the plan reaches the WBC one
        # tick after it arrived)
        if self._taken is not None:
            taken, self._taken = self._taken, None
            self._deliver(*taken, wbc)
            return
        if self._pending is not None:
            if self._channel.plan_arrived():
                self._taken = self._take()
                return
            if ns - self._pending > self.STALL_NS:
                self._check_alive()
        if self._pending is None and ns // self.period_ns != self._planned_period:
            self._send_state(ns, q, v, flags)

    def helper_pids(self) -> list:
        return [] if self._proc is None or self._proc.pid is None else [self._proc.pid]

    def rate_hz(self) -> float:
        """Plans per second of stamp time from the first plan taken to the last."""
        if self._first_ns is None or self.last_ns is None or self.last_ns <= self._first_ns:
            return 0.0
        return (self.stats.count - 1) / ((self.last_ns - self._first_ns) * 1e-9)

    def node_stats(self, recent_s: float | None = None):
        if self._final is not None:
            return self._final
        w50, w99, _ = self.waits.percentiles(recent_s)
        return NodeStats.of("mpc", self.stats, 0, "ok", {
            **self.solves.figures(recent_s), "plans": self.stats.count, "rate_hz": f"{self.rate_hz():.1f}",
            "process": "worker", "loop_wait_p50_us": round(w50, 1), "loop_wait_p99_us": round(w99, 1),
            **{k: int((self.last_fields or {}).get(k, 0)) for k in COUNTER_KEYS}},
            recent_s=recent_s)

    def close(self) -> None:
        if self._proc is None:
            return
        self._final = self.node_stats() if self.stats.count else None
        try:
            self._channel.request_stop()  # a plan still being solved is written, then the worker stops
        finally:
            stop_child(self._proc, self._conn)
            self._proc = None
            self._channel.close()


class ExternalPlans(PlanSource):
    """Plans from an MPC node elsewhere: the ROS shell calls :meth:`put` from its
    ``/centroidal_plan`` subscription. ``wait_for(ns)`` (lockstep) waits — bounded by the
    driver's ``lockstep_timeout_s`` — until the plan stamped ``ns`` arrived, at every MPC
    period from the first: the plan then answers the state it was computed from."""

    def __init__(self, period_ns: int, wait_for=None):
        self.period_ns = period_ns
        self.wait_for = wait_for
        self._inbox = []
        self.answered_ns = None  # newest stamp the MPC answered (a plan or a failure)

    def put(self, fields: dict | None, ns: int, why: str = "") -> None:
        self._inbox.append((fields, ns, why))
        self.answered_ns = max(ns, self.answered_ns or 0)

    def exchange(self, ns, q, v, wbc, flags=None) -> None:
        if self.wait_for is not None and _period_start(ns, self.period_ns) and (self.answered_ns or -1) < ns:
            self.wait_for(ns)  # lockstep: from the first period on, the plan of this state first
        inbox, self._inbox = self._inbox, []
        for fields, stamp, why in inbox:
            if fields is None:
                wbc.accept_plan(None, stamp, why=why)
            else:
                self._deliver(fields, stamp, wbc)
