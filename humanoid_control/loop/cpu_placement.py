"""Where the real-time loop's thread runs: on a CPU of its own, its helper processes (the MPC
worker, the topic mirror, node processes) and the process's other threads (the ROS spinner,
DDS's threads) on the others — and how it waits for its next deadline there.

Between two ticks the loop's thread sleeps; whatever runs on its CPU meanwhile (the MPC's
solve, the mirror's publishing) evicts its caches, and the next tick starts cold. Measured
on the 2-core bench machine, three alternating ROS-free runs of 10 s walking each: ticks
over 1 ms 44 pinned vs 109 unpinned, over 0.8 ms 191 vs 359, medians unchanged; in full
real-time sim runs the difference in missed ticks is within the noise, and the MPC
worker's solve p99 halves (it no longer shares the loop's CPU).

``HUMANOID_CONTROL_LOOP_CPU``: ``auto`` (default: the last CPU the process may use, when it
may use two or more), a CPU number, or ``none``. Affinity is a hint the OS may refuse
(containers); a refusal is a warning, never an error.

Waiting (``HUMANOID_CONTROL_LOOP_WAIT``): ``sleep`` sleeps until 150 µs before the deadline
and spins the rest; ``yield`` spins on ``sched_yield`` (the GIL released at each call), so
the CPU never goes idle; ``auto`` (default) yields when the loop has a CPU of its own and
sleeps otherwise. On the 2-core bench VM a sleep of ~0.5 ms now and then returns 1–4 ms
late — a virtual CPU that went idle waits for the host to run it again — which was half of
the missed ticks: walking 30 s in real time, 34 missed with ``sleep`` vs 11 with ``yield``
(same minute, same build). The price is one busy CPU, the loop's own. ROS-free."""
from __future__ import annotations

import os
import threading
import time

from humanoid_control.errors import ConfigError

LOOP_CPU_ENV = "HUMANOID_CONTROL_LOOP_CPU"
LOOP_WAIT_ENV = "HUMANOID_CONTROL_LOOP_WAIT"
WAIT_CHOICES = ("auto", "yield", "sleep")
#: [ns] ``sleep`` waiting: sleep until this long before the deadline, spin the rest
SLEEP_MARGIN_NS = 150_000


def loop_cpu_plan(environ=None) -> tuple | None:
    """(the loop's CPU, the set of the other CPUs) from ``HUMANOID_CONTROL_LOOP_CPU``, or
    None (off, or a single CPU). A value that is not ``auto``, ``none`` or one of the
    process's CPUs raises :class:`ConfigError` naming the variable and the CPUs."""
    env = os.environ if environ is None else environ
    value = env.get(LOOP_CPU_ENV, "auto").strip().lower()
    allowed = sorted(os.sched_getaffinity(0))
    if value in ("none", "off", ""):
        return None
    if value == "auto":
        cpu = allowed[-1]
    else:
        try:
            cpu = int(value)
        except ValueError:
            cpu = -1
        if cpu not in allowed:
            raise ConfigError(f"'{value}' is not auto, none or one of this process's CPUs {allowed}", LOOP_CPU_ENV)
    others = set(allowed) - {cpu}
    return (cpu, others) if others else None


def loop_wait_choice(environ=None) -> str:
    """``HUMANOID_CONTROL_LOOP_WAIT`` (``auto`` when unset); anything else than
    :data:`WAIT_CHOICES` raises :class:`ConfigError` listing them."""
    env = os.environ if environ is None else environ
    value = env.get(LOOP_WAIT_ENV, "auto").strip().lower() or "auto"
    if value not in WAIT_CHOICES:
        raise ConfigError(f"'{value}' is not one of {', '.join(WAIT_CHOICES)}", LOOP_WAIT_ENV)
    return value


def _other_threads() -> list:
    """Thread ids of this process other than the calling thread (Linux; [] elsewhere)."""
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return []
    me = threading.get_native_id()
    return [t for t in tids if t != me]


class LoopPlacement:
    """Pins the calling thread to the loop's CPU, and ``helper_pids`` and the process's other
    threads to the others; undoes the pins of this process's threads on :meth:`release` (a
    test process runs several loops). :meth:`wait_until` is the loop's wait for a deadline
    (``wait``: see the module's docstring)."""

    def __init__(self, plan: tuple | None, helper_pids=(), wait: str = "auto"):
        self.plan = plan
        self.warnings = []
        self._previous = os.sched_getaffinity(0)
        self._moved = {}  # thread id -> its affinity before
        self.applied = False
        if plan is not None:
            self._apply(plan, helper_pids)
        self.waiting = "yield" if wait == "yield" or (wait == "auto" and self.applied) else "sleep"

    def _apply(self, plan: tuple, helper_pids) -> None:
        cpu, others = plan
        for pid in helper_pids:
            try:
                os.sched_setaffinity(pid, others)
            except OSError as exc:  # gone, or not ours to move
                self.warnings.append(f"process {pid} not moved to CPUs {sorted(others)}: {exc.strerror}")
        for tid in _other_threads():
            try:
                before = os.sched_getaffinity(tid)
                os.sched_setaffinity(tid, others)
                self._moved[tid] = before
            except OSError:  # a thread that ended meanwhile
                pass
        try:
            os.sched_setaffinity(0, {cpu})  # Linux: the calling thread only
            self.applied = True
        except OSError as exc:
            self.warnings.append(f"{LOOP_CPU_ENV}: the loop's thread not pinned to CPU {cpu}: {exc.strerror}")

    def wait_until(self, deadline_ns: int, perf=time.perf_counter_ns) -> None:
        """Return at ``deadline_ns`` (``perf``'s clock) or just after it."""
        if self.waiting == "yield":
            spin_until = deadline_ns - 20_000
            yield_cpu = os.sched_yield
            while perf() < spin_until:
                yield_cpu()
        else:
            left = deadline_ns - perf()
            if left > SLEEP_MARGIN_NS + 50_000:
                time.sleep((left - SLEEP_MARGIN_NS) * 1e-9)
        while perf() < deadline_ns:
            pass

    @property
    def cpu(self) -> int:
        """The loop's CPU, -1 when not pinned."""
        return self.plan[0] if self.applied else -1

    def release(self) -> None:
        for tid, before in self._moved.items():
            try:
                os.sched_setaffinity(tid, before)
            except OSError:  # ended meanwhile
                pass
        self._moved = {}
        if self.applied:
            try:
                os.sched_setaffinity(0, self._previous)
            except OSError:
                pass
            self.applied = False


__all__ = ["LOOP_CPU_ENV", "LOOP_WAIT_ENV", "WAIT_CHOICES", "loop_cpu_plan", "loop_wait_choice", "LoopPlacement"]
