"""Runs the composed control loop for ``humanoid-control sim`` (layouts ``composed`` and
``split``), in lockstep or real time, and builds the report in-process.

* ``composed``: the loop in this process's main thread; when walking, the MPC in a worker
  process of the loop (:class:`~humanoid_control.loop.plan_source.WorkerPlanner`: in
  lockstep the plan of MPC period k is computed from the state at period k − 1, in parallel
  with the loop — one MPC period of planning latency, the same as in real time).
* ``split``: the loop here, the MPC *node* in its own process over ROS topics
  (``/odom``, ``/joint_states`` mirrored to it, ``/centroidal_plan`` back); lockstep waits
  for the plan of each MPC period's first state (no latency). ``--mpc-elsewhere``: the same
  with a node the user started.

The rclpy side is one node (:class:`~humanoid_control.nodes.loop_node.LoopNode`: topic
mirror, e-stop, /cmd_vel, diagnostics) plus the run's extras; their callbacks (inputs are
rare: an e-stop, a /cmd_vel, a plan from elsewhere) run on a spinner thread that waits in
rclpy's C++ executor without the GIL, so the loop's thread never spins the executor (an idle
``spin_once`` costs ~0.1 ms). Garbage collection runs from the loop's thread between ticks
(:class:`~humanoid_control.nodes.common.GcControl`)."""
from __future__ import annotations

import math
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import HumanoidControlError
from humanoid_control.spatial import rotate_by_quaternion
from humanoid_control.sim.stop_request import StopRequest
from humanoid_control.timing import CpuShares

#: extras, progress, child processes and garbage collection are looked after every this many ticks
SPIN_EVERY_TICKS = 10
#: what :func:`_between_ticks` returns when a stop was requested (Ctrl-C, SIGINT, SIGTERM)
STOPPED = "\0stopped"

#: real time: at most this many control periods of physics per tick when catching up
MAX_CATCH_UP_STEPS = 20
#: [s] wall time given to DDS before the first tick, so that listeners already running (a
#: recorder, Foxglove, a user's node) are matched with the mirror's publishers and hear tick 1
DISCOVERY_SETTLE_S = 0.3
#: [s] ``--record``: the longest wait, after the settle, for the recorder and the mirror to be
#: matched on every topic they share, so that the recording starts at tick 1 (under load
#: the 0.3-s settle alone lost the first 0.19 s of a run, measured)
RECORDER_MATCH_TIMEOUT_S = 10.0


def _wait_for_recorder(mirror, mcap, timeout_s: float) -> None:
    """Before tick 1 of a recorded run: until the recorder (``mcap``, an McapRun) and the topic
    mirror are matched on every topic both have, at most ``timeout_s`` [s]; what is still
    unmatched then is said on stderr (the run goes on; those topics start late)."""
    t_end = time.monotonic() + timeout_s
    while True:
        late = mirror.unmatched(mcap.subscriptions)
        if not late:
            return
        if time.monotonic() >= t_end:
            print(f"humanoid-control: --record: after {timeout_s:.0f} s the recorder still has no match on "
                  f"{', '.join(late)}; their recording starts late", file=sys.stderr)
            return
        time.sleep(0.01)


@dataclass
class RunResult:
    report: dict | None  # None: the run could not start (``error`` says why)
    wall_s: float  # [s]
    error: str = ""
    extras: object = None  # the run's RunExtras (artifacts it kept)


def progress_line(spec, sim_ns: int, wall_s: float) -> str:
    return (f"  sim {sim_ns * 1e-9:7.2f} / {spec.duration_s:.1f} s   wall {wall_s:6.1f} s   "
            f"rtf {sim_ns * 1e-9 / max(wall_s, 1e-9):.2f}")


class RowLog:
    """Rows of float64 appended one per tick into chunks allocated ahead (no allocation per
    tick); :meth:`rows` joins them at the end."""

    CHUNK = 8192

    def __init__(self, width: int):
        self.width = width
        self._chunks = [np.empty((self.CHUNK, width))]
        self._n = 0  # rows in the last chunk

    def next_row(self) -> np.ndarray:
        if self._n == self.CHUNK:
            self._chunks.append(np.empty((self.CHUNK, self.width)))
            self._n = 0
        row = self._chunks[-1][self._n]
        self._n += 1
        return row

    def rows(self) -> np.ndarray:
        return np.concatenate(self._chunks[:-1] + [self._chunks[-1][:self._n]])


class ReportObserver:
    """Feeds the report (and the run recording) from the loop after every tick: ground
    truth of the plant's new state, the estimate and contacts of the state just answered.
    In the loop's thread it only copies raw numbers into preallocated rows (a few µs); the
    report's figures are computed from them after the run (:meth:`replay`)."""

    def __init__(self, rb, loop, recording=None):
        self.rb, self.loop, self.recording = rb, loop, recording
        d = loop.driver
        self.sim = d.sim
        self.sides = loop.sides
        self.frames = [d.robot.config.feet[s].frame for s in self.sides]
        self.ros_names = list(d.robot.ros_joint_names)
        self._hw_to_ros = d.hw_to_ros.index
        #: [ns, base p (3), quat wxyz (4), v world (3), w base (3), com (3)]
        self.truth = RowLog(17)
        #: [ns, p (3), quat xyzw (4), v base (3), contact flags (nf)]
        self.estimates = RowLog(11 + len(self.sides))
        self._plan_ns = None
        self.ground_truth(d.tick_ns)

    def ground_truth(self, ns: int) -> None:
        d = self.sim.data
        row = self.truth.next_row()
        row[0] = ns
        row[1:8] = d.qpos[0:7]
        row[8:14] = d.qvel[0:6]
        row[14:17] = d.subtree_com[0]
        rec = self.recording
        if rec is not None and rec.wants(ns * 1e-9):
            gt = self.sim.ground_truth()
            R = d.xmat[self.sim.h.base_body].reshape(3, 3)
            rec.add_ground_truth(ns * 1e-9, gt["base_position"], gt["base_orientation_xyzw"],
                                 R.T @ gt["base_linear_velocity_world"], gt["base_angular_velocity_local"], gt["com"])
            hw = self.loop.driver.hw
            rec.set_joint_positions(self.ros_names, hw.joint_state["position"][self._hw_to_ros])
            for s in self.sides:
                rec.set_foot_wrench(s, hw.sensor_state[f"{s}_foot_wrench"])

    def __call__(self, loop) -> None:
        self.ground_truth(loop.driver.tick_ns)  # first: in real time the state just answered is this one
        e = loop.estimator.out
        if e.stamp_ns == loop.stamp_ns:
            row = self.estimates.next_row()
            row[0] = loop.stamp_ns
            row[1:11] = e.odom[0:10]
            row[11:] = e.in_contact
            if self.recording is not None:
                self.recording.set_contacts(dict(zip(self.frames, e.in_contact.tolist())))
        plans = loop.plans
        if self.recording is not None and plans is not None and plans.last_ns is not None \
                and plans.last_ns != getattr(self, "_plan_ns", None):
            from humanoid_control.planning.plan_codec import footstep_targets

            self._plan_ns = plans.last_ns
            f = plans.last_fields
            states = np.asarray(f["states"], dtype=float).reshape(-1, 9)
            self.recording.set_plan(footstep_targets(list(f["feet"]), np.asarray(f["swing"])), states[:, 0:3])


    def replay(self) -> None:
        """The logged rows into the report, in stamp order (ground truth of a stamp before
        the estimate of the same stamp)."""
        rb = self.rb
        truth, est = self.truth.rows(), self.estimates.rows()
        i = 0
        for row in est:
            ns = int(row[0])
            while i < len(truth) and int(truth[i, 0]) <= ns:
                self._add_truth(truth[i])
                i += 1
            rb.add_estimate(ns, row[1:4], row[4:8], row[8:11])
            rb.add_contacts(ns, dict(zip(self.frames, (bool(x) for x in row[11:]))))
        for row in truth[i:]:
            self._add_truth(row)

    def _add_truth(self, row) -> None:
        q_xyzw = (row[5], row[6], row[7], row[4])
        v_local = rotate_by_quaternion((-row[5], -row[6], -row[7], row[4]), row[8:11])  # Rᵀ v
        self.rb.add_ground_truth(int(row[0]), row[1:4], q_xyzw, v_local, row[14:17], row[11:14])


class Spinner:
    """An executor spun on its own thread until :meth:`stop`."""

    def __init__(self, executor, context):
        self.executor, self.context = executor, context
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="humanoid_control-ros", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set() and self.context.ok():
            self.executor.spin_once(timeout_sec=0.05)

    def start(self) -> "Spinner":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)


def run_loop(spec, robot, recording=None, stop: StopRequest | None = None, on_start=None) -> RunResult:
    """Run the loop for ``spec.duration_s`` seconds of plant time (``spec.mode``). Walking,
    its plans come from the MPC worker (composed) or an MPC node elsewhere (split /
    --mpc-elsewhere). ``on_start()``, if given, is called once start-up is over, just before
    the first tick."""
    import rclpy

    from humanoid_control.loop.builder import build_loop
    from humanoid_control.loop.plan_source import ExternalPlans
    from humanoid_control.nodes.common import GcControl, make_executor
    from humanoid_control.nodes.loop_node import LoopNode
    from humanoid_control.nodes.mirror_node import MirrorProcess
    from humanoid_control.sim.node_processes import dead_node, spawn_node, stop_nodes, wait_for_external
    from humanoid_control.sim.report import report_builder_for
    from humanoid_control.sim.run_extras import RunExtras

    from rclpy.signals import SignalHandlerOptions

    params, lockstep = spec.params, spec.lockstep
    own_stop = stop is None  # a caller that installed one earlier (start-up included) keeps it
    stop = StopRequest().install() if own_stop else stop
    ctx = rclpy.Context()
    # our own SIGINT handling (StopRequest): rclpy's would shut the context down under the running loop
    rclpy.init(context=ctx, args=list(spec.ros_args), signal_handler_options=SignalHandlerOptions.NO)
    procs, logs = {}, {}
    loop = node = mirror = None
    gc_control = GcControl()
    extras = RunExtras(spec, robot, recording)
    err = ""
    try:
        external = None
        loop_params = {k: v for k, v in params.items() if k != "mpc" or not spec.external_mpc}
        if spec.external_mpc:
            external = ExternalPlans(int(round(1e9 / params["mpc"]["rate_hz"])))
        loop = build_loop(loop_params, robot, plans=external)
        rb = report_builder_for(spec, robot)
        mirror = MirrorProcess(loop)
        node = LoopNode(loop, loop.driver.cfg["diagnostics_period_s"], external_plans=external, mirror=mirror.writer,
                        context=ctx)
        if external is not None:
            import tempfile
            from pathlib import Path

            if not spec.mpc_elsewhere:
                procs["mpc"] = spawn_node("mpc", params["mpc"], lockstep,
                                          Path(tempfile.mkdtemp(prefix="humanoid_control_")), logs)
            err = wait_for_external(node, procs, logs)
            if err:
                return RunResult(None, 0.0, err, extras)
            timeout_s = loop.driver.cfg["lockstep_timeout_s"]

            def wait_for(ns: int) -> None:
                t_end = time.monotonic() + timeout_s
                while (external.answered_ns or 0) < ns and time.monotonic() < t_end:
                    node.publish_tick()  # the state again, for a node that joined late
                    time.sleep(0.0005)
                    if dead_node(procs, logs):
                        return
            if lockstep:
                external.wait_for = wait_for
        ex = make_executor(spec.executor, ctx)  # after a failed start-up of the MPC: it arms faulthandler
        ex.add_node(node)
        observer = ReportObserver(rb, loop, recording)
        loop.observers.append(observer)
        extras.open(ctx, ex, lockstep)
        spinner = Spinner(ex, ctx).start()
        time.sleep(DISCOVERY_SETTLE_S)
        if extras.mcap is not None:
            _wait_for_recorder(mirror, extras.mcap, RECORDER_MATCH_TIMEOUT_S)
        gc_control.start()
        end_ns = int(spec.duration_s * 1e9) if math.isfinite(spec.duration_s) else sys.maxsize
        worker = loop.plans.helper_pids() if loop.plans is not None else []
        helpers = {"mirror": mirror.proc.pid, **({"mpc_worker": worker[0]} if worker else {}),
                   **{name: p.pid for name, p in procs.items()}}  # the processes beside the loop
        cpu = CpuShares({"loop_process": None, **helpers}).start()
        extras.stop = stop
        if on_start is not None:
            on_start()
        t0 = time.monotonic()
        try:
            try:
                if lockstep:
                    err = _run_lockstep(loop, node, gc_control, extras, rb, spec, end_ns, procs, logs, t0)
                else:
                    err = _run_realtime(loop, node, gc_control, extras, rb, spec, end_ns, procs, logs, t0,
                                        list(helpers.values()))
            except KeyboardInterrupt:  # a second Ctrl-C: the run ends here, reported
                err, rb.interrupted = "", True
            if err == STOPPED or stop.is_set():  # Ctrl-C, or SIGINT / SIGTERM from ros2 launch
                err, rb.interrupted = "", True
            wall = time.monotonic() - t0
            rb.cpu_cores = cpu.stop()
            extras.end_views()
            time.sleep(0.3 if external is not None else 0.05)  # in flight: the extras' messages, a last diagnostics
        finally:
            spinner.stop()
        if loop.plans is not None:
            loop.plans.close()
        observer.replay()
        for st in loop.node_stats() + list(node.foreign_stats.values()):
            rb.add_node_stats(st)
        g50, g99, gmax = gc_control.pauses.percentiles()
        rb.nodes.setdefault("control_loop", {}).update(
            {"gc_pause_p50_us": round(g50, 1), "gc_pause_p99_us": round(g99, 1), "gc_pause_max_us": round(gmax, 1),
             "gc_collections": gc_control.pauses.count, "loop_cpu": loop.cpu,
             "loop_wait": loop.waiting})
        stats = mirror.close()
        rb.nodes.setdefault("driver", {})["mirrored_messages"] = dict(stats.get("published", {}))
        rb.nodes["driver"]["mirror_dropped"] = int(stats.get("dropped", 0))
        # ticks the loop put in the ring (only while someone listened) and those the mirror had
        # not published when it had to stop
        rb.nodes["driver"]["mirror_records"] = int(mirror.writer.records)
        rb.nodes["driver"]["mirror_unpublished"] = int(stats.get("unpublished", 0))
        return RunResult(rb.build(wall, spec.pushes), wall, err, extras)
    except HumanoidControlError as exc:
        return RunResult(None, 0.0, str(exc), extras)
    finally:
        extras.close()
        gc_control.release()
        if procs:
            stop_nodes(procs, logs)
        if mirror is not None:
            mirror.close()
        if loop is not None:
            if loop.plans is not None:
                loop.plans.close()
            loop.driver.shutdown()
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown(context=ctx)
        if own_stop:
            stop.restore()


def _between_ticks(i, node, gc_control, extras, rb, spec, sim_ns, t0, last, procs, logs) -> str:
    """Every SPIN_EVERY_TICKS ticks: garbage collection when due, extras, progress, dead children;
    :data:`STOPPED` when a stop was requested."""
    if i % SPIN_EVERY_TICKS:
        return ""
    if extras.stop is not None and extras.stop.is_set():
        return STOPPED
    gc_control.poll()
    wall = time.monotonic() - t0
    if extras.live is not None and wall - last[1] >= 1.0:  # the live view shows per-node timing
        last[1] = wall
        for st in node.loop.node_stats(recent_s=1.0):
            rb.add_node_stats(st)
    extras.tick(wall, rb.nodes)
    if procs:
        from humanoid_control.sim.node_processes import dead_node
        dead = dead_node(procs, logs)
        if dead:
            return dead
    if not spec.quiet and wall - last[0] >= 5.0:
        last[0] = wall
        print(progress_line(spec, sim_ns, wall), flush=True)
    return ""


def _run_lockstep(loop, node, gc_control, extras, rb, spec, end_ns, procs, logs, t0) -> str:
    d = loop.driver
    node.publish_tick()
    i, last = 0, [0.0, -1.0]
    while d.tick_ns < end_ns:
        loop.tick()
        node.publish_tick()
        i += 1
        err = _between_ticks(i, node, gc_control, extras, rb, spec, d.tick_ns, t0, last, procs, logs)
        if err:
            return err
    return ""


def _run_realtime(loop, node, gc_control, extras, rb, spec, end_ns, procs, logs, t0, helper_pids=()) -> str:
    """:func:`_run_realtime_paced` with the loop's thread on a CPU of its own and its helper
    processes on the others (:mod:`humanoid_control.loop.cpu_placement`)."""
    from humanoid_control.loop.cpu_placement import LoopPlacement, loop_cpu_plan, loop_wait_choice

    placement = LoopPlacement(loop_cpu_plan(), helper_pids, loop_wait_choice())
    for w in placement.warnings:
        print(f"warning: {w}", flush=True)
    loop.cpu = placement.cpu
    loop.waiting = placement.waiting
    try:
        return _run_realtime_paced(loop, node, gc_control, extras, rb, spec, end_ns, procs, logs, t0,
                                   placement.wait_until)
    finally:
        placement.release()


def _run_realtime_paced(loop, node, gc_control, extras, rb, spec, end_ns, procs, logs, t0, wait_until) -> str:
    """Wall-clock pacing: at each 1-ms deadline the plant catches up with wall time (whole
    control periods, the command held; more than one counts as missed ticks), then the loop
    computes the next command from the fresh state. Stamps on the mirrored topics are
    wall-clock (ROS) time."""
    d = loop.driver
    dt_ns = d.dt_ns
    perf = time.perf_counter_ns
    node.stamp_offset_ns = time.time_ns() - d.tick_ns  # stamps in ROS (system clock) time
    loop.compute(perf)
    t_start = perf()
    done = 0  # control periods the plant has run
    i, last = 0, [0.0, -1.0]
    while d.tick_ns < end_ns:
        deadline = t_start + (done + 1) * dt_ns
        wait_until(deadline, perf)
        tick_start = perf()
        due = (tick_start - t_start) // dt_ns
        steps = int(min(max(1, due - done), MAX_CATCH_UP_STEPS))
        d.counters.missed_ticks += steps - 1
        loop.advance(steps)
        done += steps
        if due - done > MAX_CATCH_UP_STEPS:  # hopelessly behind (a debugger, a stall): resynchronise
            t_start = perf() - done * dt_ns
        loop.compute(perf)
        next_deadline = t_start + (done + 1) * dt_ns
        node.publish_tick(lambda: next_deadline - perf())
        loop.tick_stats.add((perf() - tick_start) * 1e-3)
        for f in loop.observers:
            f(loop)
        i += 1
        err = _between_ticks(i, node, gc_control, extras, rb, spec, d.tick_ns, t0, last, procs, logs)
        if err:
            return err
    return ""


__all__ = ["run_loop", "RunResult", "ReportObserver", "progress_line"]
