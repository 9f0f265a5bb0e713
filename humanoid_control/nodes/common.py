"""What every node shell shares: parameter declaration from a schema, compute-time
statistics, /diagnostics messages, stamps and array conversions, reading and pairing
input messages by stamp, and ``main()``."""
from __future__ import annotations

import array
import gc
import os
import sys
import time

import numpy as np
from builtin_interfaces.msg import Time as TimeMsg
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import String

from humanoid_control import params as P
from humanoid_control.errors import ConfigError, HumanoidControlError, UnknownNameError
from humanoid_control.robot.joint_map import JointMap
from humanoid_control.timing import NodeStats, Stopwatch, TimingStats  # noqa: F401 - the nodes' shared names

#: 1 kHz state and command topics: reliable, depth 10 (lockstep must not drop messages).
STATE_QOS = QoSProfile(depth=10, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)
#: Real-time subscriptions to 1-kHz streams: only the newest sample matters, so depth 1 and
#: best effort (no acknowledgements or resends; a lost sample is superseded 1 ms later, and
#: the watchdogs catch a stream that stops). A node that fell behind skips the backlog
#: instead of answering states the driver has long left behind. The publishers stay
#: reliable, which serves best-effort and (lockstep) reliable subscribers alike.
LATEST_QOS = QoSProfile(depth=1, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.BEST_EFFORT)
#: A state that changes seldom and is published on change (the driver's safety mode): the
#: last value is kept for subscribers that join later (transient local), reliable, depth 1.
LATCHED_QOS = QoSProfile(depth=1, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)


class DriverModePublisher:
    """``/driver/mode`` (std_msgs/String, ``LATCHED_QOS``): the driver's safety mode (normal,
    hold, damping, torque_off), published when it changes — the MPC node reads a controlled stop
    from it. The driver node and the composed loop (for an MPC node elsewhere) both own one."""

    def __init__(self, node: Node):
        self.pub = node.create_publisher(String, "/driver/mode", LATCHED_QOS)
        self.published = None  # the last mode published

    def update(self, mode: str) -> None:
        if mode != self.published:
            self.pub.publish(String(data=mode))
            self.published = mode


def input_qos(node: Node) -> QoSProfile:
    """Subscription QoS for 1 kHz inputs: every sample on sim time (lockstep), the newest
    only on wall-clock time (real time)."""
    return STATE_QOS if node.get_parameter("use_sim_time").value else LATEST_QOS


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


def node_stats_msg(stamp, stats) -> DiagnosticArray:
    """A DiagnosticArray with one status per :class:`~humanoid_control.timing.NodeStats`."""
    msg = DiagnosticArray()
    msg.header.stamp = stamp
    msg.status = [DiagnosticStatus(level=bytes([st.level]), name=f"humanoid_control/{st.name}", message=st.message,
                                   hardware_id=st.name,
                                   values=[KeyValue(key=k, value=v) for k, v in st.to_key_values().items()])
                  for st in stats]
    return msg


def diagnostic_to_node_stats(status) -> NodeStats:
    """One DiagnosticStatus back to the NodeStats it was made from."""
    level = status.level[0] if isinstance(status.level, (bytes, bytearray)) else int(status.level)
    return NodeStats.from_key_values(status.hardware_id or status.name, {kv.key: kv.value for kv in status.values},
                                     level, status.message)


class InputRejected(HumanoidControlError):
    """An incoming message was refused (NaN, wrong length, unknown joint, stale)."""


class RepeatedStamp(InputRejected):
    """A complete input set with the stamp already answered: the publisher is saying its
    state again (the driver does so until it hears a command), not a fault."""


class JointStateReader:
    """sensor_msgs/JointState -> (q [rad], dq [rad/s]) in ``joint_names`` order, matched by
    name (the map for each name list seen is built once). Raises :class:`InputRejected`."""

    def __init__(self, joint_names):
        self.joint_names = list(joint_names)
        self._maps = {}

    def read(self, m) -> tuple:
        key = tuple(m.name)
        jm = self._maps.get(key)
        if jm is None:
            try:
                jm = JointMap(key, self.joint_names, "joint in /joint_states")
            except HumanoidControlError as exc:
                raise InputRejected(str(exc)) from None
            self._maps[key] = jm
        if len(m.position) != len(key) or len(m.velocity) != len(key):
            raise InputRejected("/joint_states position/velocity length differs from name")
        q, dq = jm(m.position), jm(m.velocity)
        if not (np.all(np.isfinite(q)) and np.all(np.isfinite(dq))):
            raise InputRejected("/joint_states has NaN")
        return q, dq


def odometry_to_array(m) -> np.ndarray:
    """nav_msgs/Odometry -> (13,) [p (3) m, quat xyzw (4), v (3) m/s, w (3) rad/s] (twist in
    the child frame). Raises :class:`InputRejected` for NaN or a non-unit quaternion."""
    p, o, l, a = m.pose.pose.position, m.pose.pose.orientation, m.twist.twist.linear, m.twist.twist.angular
    v = np.array([p.x, p.y, p.z, o.x, o.y, o.z, o.w, l.x, l.y, l.z, a.x, a.y, a.z])
    if not np.all(np.isfinite(v)) or abs(np.linalg.norm(v[3:7]) - 1.0) > 0.01:
        raise InputRejected("/odom has NaN or a non-unit quaternion")
    return v


class StampedInputs:
    """Samples of several input topics keyed by their header stamp [ns]. A node computes
    once every input holds the same stamp (lockstep-exact, no interpolation); older samples
    are dropped, and a stamp that is not newer than the last one used, or older than
    ``stale_timeout_s`` by the node's clock, is refused."""

    def __init__(self, names, stale_timeout_s: float):
        self.buffers = {n: {} for n in names}
        self.stale_timeout_ns = int(stale_timeout_s * 1e9)
        self.last_ns: int | None = None

    def put(self, name, ns: int, value) -> bool:
        """Store a sample; True when all inputs now hold stamp ``ns``."""
        self.buffers[name][ns] = value
        return all(ns in b for b in self.buffers.values())

    def take(self, ns: int, now_ns: int) -> dict:
        """The complete set at ``ns`` (name -> value), dropping everything up to ``ns``.
        Raises :class:`InputRejected` for an out-of-order or stale set."""
        values = {n: b[ns] for n, b in self.buffers.items()}
        for b in self.buffers.values():
            for k in [k for k in b if k <= ns]:
                del b[k]
        if self.last_ns is not None and ns == self.last_ns:
            raise RepeatedStamp("stamp already answered")
        if self.last_ns is not None and ns < self.last_ns:
            raise InputRejected("stale sample (stamp older than the last one)")
        age = now_ns - ns
        if age > self.stale_timeout_ns:
            raise InputRejected(f"stale sample ({age * 1e-6:.1f} ms old)")
        self.last_ns = ns
        return values


class StampSynced:
    """Mixin of the nodes that compute once per complete set of same-stamp inputs
    (estimator, WBC, MPC). The node provides ``self.core`` (its ROS-free core, which counts
    rejections: ``reject``, ``rejected``, ``last_rejection``), ``self._inputs``
    (:class:`StampedInputs`), ``update(ns, inputs)`` and ``republish()`` (say the last
    output again: a downstream node that joined late missed it, and lockstep would otherwise
    wait for ever)."""

    rejected = property(lambda self: self.core.rejected)
    last_rejection = property(lambda self: self.core.last_rejection)
    stats = property(lambda self: self.core.stats)

    def reject(self, why: str) -> None:
        self.core.reject(why)

    def receive(self, name: str, stamp, value) -> None:
        ns = stamp_to_ns(stamp)
        if not self._inputs.put(name, ns, value):
            return
        try:
            inputs = self._inputs.take(ns, self.get_clock().now().nanoseconds)
        except RepeatedStamp:
            self.republish()
            return
        except InputRejected as exc:
            self.reject(str(exc))
            return
        self.update(ns, inputs)


#: The topics the stack's nodes publish in simulation, with their types (ARCHITECTURE.md's
#: graph): the recorder subscribes to them before the nodes start, so a recording of nodes in
#: other processes misses nothing while discovery catches up; anything else is discovered.
GRAPH_TOPICS = {
    "/clock": "rosgraph_msgs/msg/Clock",
    "/joint_states": "sensor_msgs/msg/JointState",
    "/imu": "sensor_msgs/msg/Imu",
    "/left_foot/wrench": "geometry_msgs/msg/WrenchStamped",
    "/right_foot/wrench": "geometry_msgs/msg/WrenchStamped",
    "/ground_truth/odom": "nav_msgs/msg/Odometry",
    "/ground_truth/com": "geometry_msgs/msg/PointStamped",
    "/odom": "nav_msgs/msg/Odometry",
    "/contact_states": "humanoid_control_msgs/msg/ContactState",
    "/driver/mode": "std_msgs/msg/String",
    "/joint_commands": "humanoid_control_msgs/msg/JointCommand",
    "/centroidal_plan": "humanoid_control_msgs/msg/CentroidalPlan",
    "/cmd_vel": "geometry_msgs/msg/Twist",
    "/estop": "std_msgs/msg/Bool",
    "/diagnostics": "diagnostic_msgs/msg/DiagnosticArray",
}

EXECUTORS = ("events", "single")


def make_executor(kind: str = "events", context=None):
    """The executor the graph spins on: ``events`` (rclpy's EventsExecutor: callbacks
    dispatched from middleware events, no wait-set rebuilt per spin — about 1.7× the
    throughput of the single-threaded executor on the composed 1-kHz graph) or ``single``
    (rclpy's SingleThreadedExecutor, the reference)."""
    if kind not in EXECUTORS:
        raise UnknownNameError("executor", kind, EXECUTORS)
    if kind == "events":
        from rclpy.experimental import EventsExecutor
        return EventsExecutor(context=context)
    from rclpy.executors import SingleThreadedExecutor
    return SingleThreadedExecutor(context=context)


CPU_AFFINITY_ENV = "HUMANOID_CONTROL_CPU_AFFINITY"
RT_PRIORITY_ENV = "HUMANOID_CONTROL_RT_PRIORITY"


def apply_process_scheduling(environ=None) -> list:
    """Optional real-time scheduling of this process, off by default, from two environment
    variables (inherited by the node processes the CLI starts):

    * ``HUMANOID_CONTROL_CPU_AFFINITY="2,3"`` pins the process to those CPUs;
    * ``HUMANOID_CONTROL_RT_PRIORITY=80`` (1..99) runs it under SCHED_FIFO at that priority.

    A malformed value raises :class:`ConfigError` naming the variable; a setting the OS
    refuses (SCHED_FIFO needs CAP_SYS_NICE or an rtprio limit, a CPU may not exist) is
    skipped and returned as a warning: the controller runs, just without it."""
    env = os.environ if environ is None else environ
    warnings = []
    cpus_text = env.get(CPU_AFFINITY_ENV, "").strip()
    if cpus_text:
        try:
            cpus = {int(c) for c in cpus_text.split(",") if c.strip()}
        except ValueError:
            raise ConfigError(f"'{cpus_text}' is not a comma-separated list of CPU numbers", CPU_AFFINITY_ENV) from None
        try:
            os.sched_setaffinity(0, cpus)
        except OSError as exc:
            warnings.append(f"{CPU_AFFINITY_ENV}={cpus_text} not applied: {exc.strerror} "
                            f"(CPUs available: {sorted(os.sched_getaffinity(0))})")
    prio_text = env.get(RT_PRIORITY_ENV, "").strip()
    if prio_text:
        try:
            prio = int(prio_text)
        except ValueError:
            prio = -1
        if not 1 <= prio <= 99:
            raise ConfigError(f"'{prio_text}' is not a SCHED_FIFO priority in [1, 99]", RT_PRIORITY_ENV)
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(prio))
        except OSError as exc:
            warnings.append(f"{RT_PRIORITY_ENV}={prio} not applied: {exc.strerror} "
                            "(needs CAP_SYS_NICE or an rtprio limit in /etc/security/limits.conf)")
    return warnings


class GcControl:
    """Garbage collection moved off the control path of a process.

    After start-up everything alive is collected once and frozen (``gc.freeze``: never
    scanned again), automatic collection is switched off, and a wall-clock timer of one node
    collects what the loop left behind every ``period_s`` — between callbacks, never inside a
    tick. ``pauses`` keeps the collection times [µs]. :meth:`release` restores the automatic
    collector (tests run several graphs in one process)."""

    def __init__(self, period_s: float = 0.2):
        self.period_s = period_s
        self.pauses = TimingStats(period_s, capacity=10_000)
        self._timer = None
        self._was_enabled = None

    def start(self, node: Node | None = None) -> "GcControl":
        """Freeze and disable the collector; with ``node``, a wall-clock timer of it collects
        every ``period_s`` (without one, the owner calls :meth:`poll` between ticks)."""
        from rclpy.clock import Clock, ClockType

        gc.collect()
        gc.freeze()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._next_s = time.monotonic() + self.period_s
        if node is not None:
            self._timer = node.create_timer(self.period_s, self.collect, clock=Clock(clock_type=ClockType.STEADY_TIME))
        return self

    def poll(self) -> None:
        """Collect when ``period_s`` of wall time has passed since the last collection."""
        now = time.monotonic()
        if now >= self._next_s:
            self._next_s = now + self.period_s
            self.collect()

    def collect(self) -> None:
        sw = Stopwatch()
        gc.collect()
        self.pauses.add(sw.us())

    def release(self) -> None:
        if self._was_enabled is None:
            return
        if self._timer is not None:
            self._timer.cancel()
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None


#: [s] a node process's clean-up (node destruction, rclpy shutdown) may take this long
CLEANUP_TIMEOUT_S = 5.0


def exit_if_cleanup_hangs(name: str, code: int = 0, timeout_s: float = CLEANUP_TIMEOUT_S):
    """Arm a watchdog for a process's clean-up: if it has not finished within ``timeout_s``
    the process reports it on stderr and exits with ``code`` (``os._exit``: no further
    clean-up). Fast DDS's participant deletion can busy-spin without end while a discovery
    callback is in flight (eProsima/Fast-DDS#6513, seen here: a node stuck in
    ``rmw_destroy_node`` at 80 % CPU after SIGTERM); a stopped node must never hang.
    Returns the timer; ``cancel()`` it once the clean-up is done."""
    import threading

    def give_up():
        print(f"{name}: clean-up still running after {timeout_s:.1f} s (DDS participant deletion); exiting",
              file=sys.stderr, flush=True)
        os._exit(code)

    timer = threading.Timer(timeout_s, give_up)
    timer.daemon = True
    timer.start()
    return timer


def run_node(name: str, make_node, args=None, spin=None) -> int:
    """The ``main()`` of every node: loopback discovery, init, construct (a
    HumanoidControlError -> message on stderr, exit code 2), spin until Ctrl-C or
    shutdown, clean up. ``spin(node, executor)`` replaces the plain spin and returns an exit
    code. One node per process: the single-threaded executor (the events executor is the
    composed graph's; under it the separate processes of a lockstep graph did not start)."""
    ensure_localhost_discovery()
    rclpy.init(args=args)
    try:
        for warning in apply_process_scheduling():
            print(f"{name}: warning: {warning}", file=sys.stderr)
        node = make_node()
    except HumanoidControlError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    code = 0
    executor = make_executor("single", node.context)
    executor.add_node(node)
    gc_control = GcControl().start(node)
    try:
        if spin is None:
            executor.spin()
        else:
            code = spin(node, executor)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        gc_control.release()
        watchdog = exit_if_cleanup_hangs(name, code)
        node.destroy_node()
        rclpy.try_shutdown()
        watchdog.cancel()
    return code


__all__ = ["ConfigError", "STATE_QOS", "LATEST_QOS", "input_qos", "declare_from_schema", "TimingStats", "Stopwatch", "GcControl", "node_stats_msg", "InputRejected",
           "RepeatedStamp", "JointStateReader", "odometry_to_array", "StampedInputs", "StampSynced", "run_node",
           "exit_if_cleanup_hangs"]
