"""Per-node timing and the typed statistics every node reports (ROS-free).

:class:`TimingStats` keeps compute-time samples of one node's main callback;
:class:`NodeStats` is what a node says about itself — timing, mode, counters, safety
events — as one typed object used by the in-process path (the control loop hands it to the
report directly) and by ``/diagnostics`` (:meth:`NodeStats.to_key_values` and
:meth:`NodeStats.from_key_values` are inverse to each other), so nothing is joined into a
string in one place and parsed again in another."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

import numpy as np


class TimingStats:
    """Compute-time samples [µs] of one node's main callback (last ``capacity`` samples)."""

    def __init__(self, period_s: float, capacity: int = 100_000):
        self.period_us = period_s * 1e6
        self.samples = np.zeros(capacity)
        self.count = 0
        self.overruns = 0
        self.iterations = 0  # solver iterations (WBC), summed

    def add(self, compute_us: float) -> None:
        self.samples[self.count % len(self.samples)] = compute_us
        self.count += 1
        if compute_us > self.period_us:
            self.overruns += 1

    def percentiles(self, recent_s: float | None = None) -> tuple:
        """(p50, p99, max) of the kept samples [µs], or of those of the last ``recent_s``
        seconds (live diagnostics: sorting a whole run's samples costs ~1 ms a figure after
        a minute at 1 kHz, too much for a control thread); zeros before the first sample."""
        n = min(self.count, len(self.samples))
        if n == 0:
            return 0.0, 0.0, 0.0
        recent = n if recent_s is None else max(1, int(recent_s * 1e6 / self.period_us))
        if recent < n:
            end = self.count % len(self.samples)
            s = self.samples[end - recent:end] if end >= recent else \
                np.concatenate([self.samples[end - recent:], self.samples[:end]])
        else:
            s = self.samples[:n]
        p50, p99 = linear_percentiles(s, (50.0, 99.0))
        return p50, p99, float(s.max())


def linear_percentiles(samples: np.ndarray, qs) -> tuple:
    """``np.percentile(samples, q)`` (its default, linear interpolation) for each q in ``qs``
    [%], from one partial sort: ~10 µs for a second of 1-kHz samples where
    ``np.percentile`` costs ~100 µs a call in its Python layers (the live diagnostics ask
    for some twenty figures a second from the loop's thread). ``samples`` non-empty."""
    n = len(samples)
    pos = [q / 100.0 * (n - 1) for q in qs]
    lows = [min(int(p), n - 1) for p in pos]
    kth = sorted({k for lo in lows for k in (lo, min(lo + 1, n - 1))})
    part = np.partition(samples, kth)
    out = []
    for p, lo in zip(pos, lows):
        a, b = float(part[lo]), float(part[min(lo + 1, n - 1)])
        out.append(a + (b - a) * (p - lo))
    return tuple(out)


def process_cpu_s(pid: int | None = None) -> float:
    """[s] CPU time (user + system) a process has used so far: this process when ``pid`` is
    None, else a child or any process whose ``/proc/<pid>/stat`` is readable (Linux); NaN
    when it is not (gone, or not Linux)."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, IndexError, ValueError):
        return float("nan")


class CpuShares:
    """How many cores each process of a run keeps busy: CPU seconds between :meth:`start`
    and :meth:`stop` over the wall seconds between them (start-up — imports, JIT loading —
    left out). ``pids``: name -> pid, None for this process."""

    def __init__(self, pids: dict):
        self.pids = dict(pids)
        self._t0 = self._cpu0 = None

    def start(self) -> "CpuShares":
        self._t0 = time.monotonic()
        self._cpu0 = {n: process_cpu_s(p) for n, p in self.pids.items()}
        return self

    def stop(self) -> dict:
        """{name: cores} (rounded; a process that could not be read is left out)."""
        if self._t0 is None:
            return {}
        wall = max(time.monotonic() - self._t0, 1e-9)
        out = {}
        for n, p in self.pids.items():
            used = process_cpu_s(p) - self._cpu0[n]
            if used == used:  # not NaN
                out[n] = round(used / wall, 3)
        return out


class Stopwatch:
    def __init__(self):
        self.t0 = time.perf_counter()

    def us(self) -> float:
        """[µs] since construction."""
        return (time.perf_counter() - self.t0) * 1e6


def parse_safety_events(value) -> list:
    """Safety events as [{t, reason, action, joint}] from any form a node has sent them in:
    a list of such dicts (in-process), its JSON text (/diagnostics), or the text
    ``"t:reason:action:joint;…"`` of earlier releases."""
    if isinstance(value, list):
        return [dict(e) for e in value]
    text = str(value)
    try:
        return list(json.loads(text)) if text else []
    except json.JSONDecodeError:
        pass
    out = []
    for item in text.split(";"):
        if item:
            t, reason, action, joint = (item.split(":") + ["", "", "", ""])[:4]
            out.append({"t": float(t), "reason": reason, "action": action, "joint": joint})
    return out


#: /diagnostics keys that hold JSON (lists and dicts), not plain text.
JSON_KEYS = ("safety_events",)


@dataclass
class NodeStats:
    """What one node reports about itself.

    ``values`` holds the node's own figures (counters, solver statistics, hardware health)
    with their Python types; ``safety_events`` is a list of ``{t, reason, action, joint}``."""

    name: str
    compute_p50_us: float = 0.0
    compute_p99_us: float = 0.0
    compute_max_us: float = 0.0
    ticks: int = 0
    overruns: int = 0
    period_us: float = 0.0
    level: int = 0  # 0 ok, 1 warn, 2 error (diagnostic_msgs/DiagnosticStatus)
    message: str = "ok"
    values: dict = field(default_factory=dict)
    safety_events: list | None = None  # the driver's [{t, reason, action, joint}]; None for other nodes

    @classmethod
    def of(cls, name: str, timing: TimingStats, level: int = 0, message: str = "ok", values: dict | None = None,
           safety_events: list | None = None, recent_s: float | None = None) -> "NodeStats":
        """``recent_s``: the timing figures of the last ``recent_s`` seconds only (see
        :meth:`TimingStats.percentiles`); counts stay whole-run."""
        p50, p99, pmax = timing.percentiles(recent_s)
        return cls(name, p50, p99, pmax, timing.count, timing.overruns, timing.period_us, level, message,
                   dict(values or {}), None if safety_events is None else list(safety_events))

    def to_key_values(self) -> dict:
        """Flat ``{key: text}`` for a DiagnosticStatus (the keys the stack has always used)."""
        out = {"compute_time_p50_us": f"{self.compute_p50_us:.1f}", "compute_time_p99_us": f"{self.compute_p99_us:.1f}",
               "compute_time_max_us": f"{self.compute_max_us:.1f}", "ticks": str(self.ticks),
               "overruns": str(self.overruns), "period_us": f"{self.period_us:.0f}"}
        out.update({k: str(v) for k, v in self.values.items()})
        if self.safety_events is not None:
            out["safety_events"] = json.dumps(self.safety_events)
        return out

    @classmethod
    def from_key_values(cls, name: str, kv: dict, level: int = 0, message: str = "") -> "NodeStats":
        """Inverse of :meth:`to_key_values` (values come back as text, except JSON keys)."""
        def num(key, kind=float):
            try:
                return kind(float(kv.get(key, 0)))
            except (TypeError, ValueError):
                return kind(0)
        fixed = {"compute_time_p50_us", "compute_time_p99_us", "compute_time_max_us", "ticks", "overruns", "period_us"}
        events = parse_safety_events(kv["safety_events"]) if "safety_events" in kv else None
        values = {k: v for k, v in kv.items() if k not in fixed and k not in JSON_KEYS}
        return cls(name, num("compute_time_p50_us"), num("compute_time_p99_us"), num("compute_time_max_us"),
                   num("ticks", int), num("overruns", int), num("period_us"), level, message, values, events)
