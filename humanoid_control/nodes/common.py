"""What every node shell shares: parameter declaration from a schema, compute-time
statistics, /diagnostics messages, stamps and array conversions."""
from __future__ import annotations

import array
import os
import time

import numpy as np
from builtin_interfaces.msg import Time as TimeMsg
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

from humanoid_control import params as P
from humanoid_control.errors import ConfigError

#: 1 kHz state and command topics: reliable, depth 10 (lockstep must not drop messages).
STATE_QOS = QoSProfile(depth=10, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)


def ensure_localhost_discovery() -> None:
    """Keep DDS discovery on loopback unless the user explicitly chose otherwise."""
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")


def declare_from_schema(node: Node, schema) -> dict:
    """Declare every schema parameter (YAML/CLI overrides win over defaults), reject unknown
    overrides and out-of-range values with a ConfigError naming the parameter."""
    overrides = {name: p.value for name, p in node._parameter_overrides.items()}
    values = P.validate({k: v for k, v in overrides.items() if k != "use_sim_time"}, schema,
                        f"node '{node.get_name()}'")
    for spec in schema:
        if not node.has_parameter(spec.name):
            node.declare_parameter(spec.name, values[spec.name])
    return values


def stamp_to_ns(stamp) -> int:
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def ns_to_stamp(ns: int) -> TimeMsg:
    return TimeMsg(sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000)


def to_array(values: np.ndarray) -> array.array:
    return array.array("d", np.asarray(values, dtype=float).tobytes())


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

    def percentiles(self) -> tuple:
        n = min(self.count, len(self.samples))
        if n == 0:
            return 0.0, 0.0, 0.0
        s = self.samples[:n]
        return float(np.percentile(s, 50)), float(np.percentile(s, 99)), float(s.max())


class Stopwatch:
    def __init__(self):
        self.t0 = time.perf_counter()

    def us(self) -> float:
        return (time.perf_counter() - self.t0) * 1e6


def diagnostics_msg(node: Node, stamp, stats: TimingStats, level: int, message: str, extra: dict) -> DiagnosticArray:
    p50, p99, pmax = stats.percentiles()
    values = {"compute_time_p50_us": f"{p50:.1f}", "compute_time_p99_us": f"{p99:.1f}",
              "compute_time_max_us": f"{pmax:.1f}", "ticks": str(stats.count), "overruns": str(stats.overruns),
              "period_us": f"{stats.period_us:.0f}"}
    values.update({k: str(v) for k, v in extra.items()})
    st = DiagnosticStatus(level=bytes([level]), name=f"humanoid_control/{node.get_name()}", message=message,
                          hardware_id=node.get_name(), values=[KeyValue(key=k, value=v) for k, v in values.items()])
    msg = DiagnosticArray()
    msg.header.stamp = stamp
    msg.status = [st]
    return msg


def require_finite(name: str, *arrays) -> str:
    """'' if all arrays are finite, else the name of the bad field."""
    for i, a in enumerate(arrays):
        if not np.all(np.isfinite(a)):
            return f"{name}[{i}] has NaN/inf"
    return ""


__all__ = ["ConfigError", "STATE_QOS", "declare_from_schema", "TimingStats", "diagnostics_msg"]
