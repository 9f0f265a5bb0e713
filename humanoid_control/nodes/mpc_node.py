"""Centroidal MPC node: /odom + /joint_states + /cmd_vel -> /centroidal_plan
(humanoid_control_msgs/CentroidalPlan: CoM trajectory, contact wrenches, contact schedule,
swing trajectories), at ``rate_hz``. A plan is computed from the first complete estimated
state of each MPC period and carries that state's stamp. In lockstep that is the state
stamped exactly at the period's start, so the WBC can wait for it and runs stay
deterministic; on wall-clock time it is whichever state comes first in the period.

Commands: ``/cmd_vel`` (geometry_msgs/Twist, base heading frame) and/or the scripted
``cmd_vel_script`` (times from the start of the run: simulation time, or on wall-clock time
seconds from the first state received); the latest of either wins; both are clamped to
``max_v*`` and slewed at ``max_acc_*``. Command age is measured in state time."""
from __future__ import annotations

import math
import sys

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from humanoid_control_msgs.msg import CentroidalPlan
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import JointState

from humanoid_control import params as P
from humanoid_control.mpc.centroidal_mpc import MpcParams
from humanoid_control.nodes.common import (STATE_QOS, InputRejected, JointStateReader, StampedInputs, StampSynced,
                                           Stopwatch, TimingStats, declare_from_schema, diagnostics_msg, input_qos,
                                           odometry_to_array, run_node, stamp_to_ns)
from humanoid_control.nodes.plan_msg import fields_to_msg
from humanoid_control.planning.command import CommandLimiter, parse_cmd_vel, scripted_command_at
from humanoid_control.planning.gait_scheduler import GaitParams
from humanoid_control.planning.locomotion import LocomotionParams, LocomotionPlanner
from humanoid_control.planning.plan_codec import encode
from humanoid_control.planning.velocity_feedback import VelocityFeedbackParams
from humanoid_control.robot.model import RobotModel


SIM_CLOCK_MAX_S = 3600.0  # [s] first stamps below this are taken as run time (simulation), above as wall clock


class MpcNode(StampSynced, Node):
    def __init__(self, **kwargs):
        super().__init__("mpc", **kwargs)
        cfg = declare_from_schema(self, P.MPC)
        self.cfg = cfg
        self.robot = RobotModel.load(cfg["robot"])
        gait = GaitParams(cfg["step_period_s"], cfg["double_support_ratio"], cfg["step_height_m"])
        mpc = MpcParams(horizon_s=cfg["horizon_s"], knots=cfg["knots"], friction_coefficient=cfg["friction_coefficient"])
        speed = VelocityFeedbackParams(cfg["speed_feedback_gain"], cfg["speed_feedback_gain_lateral"],
                                       disturbance_mps=cfg["speed_feedback_disturbance_mps"])
        self.planner = LocomotionPlanner(self.robot, LocomotionParams(gait=gait.validate(), mpc=mpc.validate(),
                                                                      velocity_feedback=speed.validate()))
        self.period_ns = int(round(1e9 / cfg["rate_hz"]))
        self.script = [parse_cmd_vel(s) for s in cfg["cmd_vel_script"] if s]
        self.limiter = CommandLimiter((cfg["max_vx"], cfg["max_vy"], cfg["max_wz"]),
                                      (cfg["max_acc_xy"], cfg["max_acc_xy"], cfg["max_acc_wz"]))
        self._twist = None  # (state stamp [ns] when received, (vx, vy, wz)) of the last /cmd_vel
        self._last_state_ns = None  # [ns] stamp of the latest /joint_states
        self._script_origin_ns = None  # [ns] stamp the script's times count from
        self.stats = TimingStats(1.0 / cfg["rate_hz"])
        self.solve_ms = TimingStats(1.0 / cfg["rate_hz"])
        self.rejected = 0
        self.last_rejection = ""
        self.failures = 0
        self._published = False
        self._last_diag_ns = 0
        self._joint_states = JointStateReader(self.robot.joint_names)
        self._inputs = StampedInputs(("joints", "odom"), cfg["stale_timeout_s"])
        self.command = np.zeros(3)
        self._first_ns = None
        self._planned_ns = None  # [ns] stamp of the state the last plan started from
        self._msg = CentroidalPlan()
        self.pub_plan = self.create_publisher(CentroidalPlan, "/centroidal_plan", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        qos = input_qos(self)
        self.create_subscription(JointState, "/joint_states", self.on_joint_states, qos)
        self.create_subscription(Odometry, "/odom", self.on_odom, qos)
        self.create_subscription(Twist, "/cmd_vel", self.on_cmd_vel, 10)

    # ------------------------------------------------------------------ inputs
    def on_cmd_vel(self, m: Twist) -> None:
        v = (m.linear.x, m.linear.y, m.angular.z)
        if not all(math.isfinite(x) for x in v):
            return self.reject("/cmd_vel has NaN")
        self._twist = (self._last_state_ns, v)  # received at the latest state's time (None: before any)

    def _planned_this_period(self, stamp) -> bool:
        """True when a plan already exists for the MPC period holding ``stamp``: the node plans
        from the first complete state of each period (in lockstep the state stamped exactly at
        the period's start, on wall-clock time whichever state comes first)."""
        ns = stamp_to_ns(stamp)
        if ns == self._planned_ns:
            return False  # the planned state again: receive() republishes the plan (lockstep catch-up)
        return self._planned_ns is not None and ns // self.period_ns <= self._planned_ns // self.period_ns

    def on_joint_states(self, m: JointState) -> None:
        self._last_state_ns = stamp_to_ns(m.header.stamp)
        if self._planned_this_period(m.header.stamp):
            return
        try:
            self.receive("joints", m.header.stamp, self._joint_states.read(m))
        except InputRejected as exc:
            self.reject(str(exc))

    def on_odom(self, m: Odometry) -> None:
        if self._planned_this_period(m.header.stamp):
            return
        try:
            self.receive("odom", m.header.stamp, odometry_to_array(m))
        except InputRejected as exc:
            self.reject(str(exc))

    def script_time(self, ns: int) -> float:
        """[s] time of the command script at state stamp ``ns``: the stamp itself when the
        stamps count from the start of the run (simulation time, under SIM_CLOCK_MAX_S at the
        first state), otherwise seconds since the first state the node received."""
        if self._script_origin_ns is None:
            self._script_origin_ns = 0 if ns < SIM_CLOCK_MAX_S * 1e9 else ns
        return (ns - self._script_origin_ns) * 1e-9

    def target_command(self, ns: int) -> tuple:
        """Latest of the script and /cmd_vel; a /cmd_vel older than cmd_vel_timeout_s (of
        state time) counts as zero."""
        t = self.script_time(ns)
        scripted = [c for c in self.script if c.t <= t]
        latest_script_t = max((c.t for c in scripted), default=None)
        twist = None
        if self._twist is not None:
            received_ns = ns if self._twist[0] is None else self._twist[0]
            if ns - received_ns <= self.cfg["cmd_vel_timeout_s"] * 1e9:
                twist = (self.script_time(received_ns), self._twist[1])
        if twist is not None and (latest_script_t is None or twist[0] >= latest_script_t):
            return twist[1]
        return scripted_command_at(self.script, t)

    # ------------------------------------------------------------------ planning
    def republish(self) -> None:
        if self._published:
            self.pub_plan.publish(self._msg)

    def update(self, ns: int, inputs: dict) -> None:
        sw = Stopwatch()
        self._planned_ns = ns
        jq, jdq = inputs["joints"]
        od = inputs["odom"]
        q = np.concatenate([od[0:7], jq])
        v = np.concatenate([od[7:13], jdq])
        t = ns * 1e-9
        self.command = self.limiter.update(t, self.target_command(ns))
        plan = self.planner.update(t, q, v, self.command)
        if not plan.mpc.ok:
            self.failures += 1
        f = encode(plan)
        m = fields_to_msg(f, ns, self._msg)
        self.pub_plan.publish(m)
        self._published = True
        if self._first_ns is None:
            self._first_ns = ns
        self.stats.add(sw.us())
        self.solve_ms.add(f["solve_time_ms"] * 1e3)
        if ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = ns
            p50, p99, _ = self.solve_ms.percentiles()
            self.pub_diag.publish(diagnostics_msg(
                self, m.header.stamp, self.stats, 0 if plan.mpc.ok else 1, "ok" if plan.mpc.ok else plan.mpc.status,
                {"rejected": self.rejected, "last_rejection": self.last_rejection, "solver_failures": self.failures,
                 "solve_p50_ms": f"{p50 * 1e-3:.3f}", "solve_p99_ms": f"{p99 * 1e-3:.3f}",
                 "plans": self.stats.count, "rate_hz": f"{self.rate_hz(ns):.1f}",
                 "command": ",".join(f"{x:.3f}" for x in self.command)}))

    def rate_hz(self, ns: int | None = None) -> float:
        """Plans per second of stamp time from the first plan to ``ns`` (default: the last plan)."""
        ns = self._planned_ns if ns is None else ns
        if self._first_ns is None or ns is None or ns <= self._first_ns:
            return 0.0
        return (self.stats.count - 1) / ((ns - self._first_ns) * 1e-9)


def main(args=None):
    return run_node("mpc", MpcNode, args)


if __name__ == "__main__":
    sys.exit(main())
