"""Whole-body QP node: /joint_states + /odom + /contact_states (+ /centroidal_plan) ->
/joint_commands (humanoid_control_msgs/JointCommand: MIT-mode q, dq, tau_ff, kp, kd per
joint), computed once per estimator sample; the command carries the stamp of the state it
answers.

Without a plan the robot stands (both feet, DCM balance). With plans from the MPC node it
tracks the newest one; a plan older than ``plan_timeout_s`` counts as missing: the WBC
falls back to standing and counts it (``plan_timeouts`` on /diagnostics). With
``wait_for_plan`` (lockstep), once plans flow, the tick at each MPC period waits for the
plan stamped with it, so runs are deterministic."""
from __future__ import annotations

import math
import sys

from diagnostic_msgs.msg import DiagnosticArray
from humanoid_control_msgs.msg import CentroidalPlan, ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import JointState

from humanoid_control import params as P
from humanoid_control.loop.wbc_core import WbcCore
from humanoid_control.nodes.common import (STATE_QOS, InputRejected, JointStateReader, StampSynced, StampedInputs,
                                           declare_from_schema, input_qos, node_stats_msg, odometry_to_array, run_node,
                                           stamp_to_ns, to_array)
from humanoid_control.nodes.plan_msg import msg_to_fields
from humanoid_control.planning.plan_codec import PlanDecodeError, decode


class WbcNode(StampSynced, Node):
    """The ROS shell of :class:`~humanoid_control.loop.wbc_core.WbcCore`."""

    def __init__(self, **kwargs):
        super().__init__("wbc", **kwargs)
        cfg = declare_from_schema(self, P.WBC)
        self.cfg = cfg
        self.core = WbcCore(cfg)
        self.robot = self.core.robot
        self.wbc = self.core.wbc
        self.sides = self.core.sides
        self._published = False
        self._joint_states = JointStateReader(self.robot.joint_names)
        # "joints": (q, dq) Pinocchio order; "odom": p, quat xyzw, v, w (13,); "contact": side -> normal force [N]
        self._inputs = StampedInputs(("joints", "odom", "contact"), cfg["stale_timeout_s"])
        self._last_diag_ns = 0
        self.pin_to_ros = self.robot.pin_to_ros
        self.pub_cmd = self.create_publisher(JointCommand, "/joint_commands", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        qos = input_qos(self)
        self.create_subscription(JointState, "/joint_states", self.on_joint_states, qos)
        self.create_subscription(Odometry, "/odom", self.on_odom, qos)
        self.create_subscription(ContactState, "/contact_states", self.on_contact, qos)
        self._pending = None  # (ns, inputs) waiting for the plan of its stamp
        self.mpc_answered_ns = None  # newest stamp the MPC answered (with a plan or a failure)
        self.plan_period_ns = int(round(cfg["plan_period_s"] * 1e9))
        self.create_subscription(CentroidalPlan, "/centroidal_plan", self.on_plan, STATE_QOS)
        self._cmd = JointCommand()
        self._cmd.name = list(self.robot.ros_joint_names)

    plan = property(lambda self: self.core.plan)
    plans_received = property(lambda self: self.core.plans_received)
    plan_timeouts = property(lambda self: self.core.plan_timeouts)
    plan_rejected = property(lambda self: self.core.plan_rejected)
    solver_failures = property(lambda self: self.core.solver_failures)


    def on_joint_states(self, m: JointState) -> None:
        try:
            self.receive("joints", m.header.stamp, self._joint_states.read(m))
        except InputRejected as exc:
            self.reject(str(exc))

    def on_odom(self, m: Odometry) -> None:
        try:
            self.receive("odom", m.header.stamp, odometry_to_array(m))
        except InputRejected as exc:
            self.reject(str(exc))

    def on_contact(self, m: ContactState) -> None:
        if len(m.in_contact) != len(self.sides):
            return self.reject("/contact_states has the wrong number of contacts")
        forces = list(m.normal_force) if len(m.normal_force) == len(self.sides) else [None] * len(self.sides)
        # the measured normal forces drive early/late touch-down (wbc/touchdown.py); without them
        # (an estimator that sends flags only) the flag stands in: carrying, or not at all
        self.receive("contact", m.header.stamp, {s: (f if f is not None and math.isfinite(f) else
                                                     (float("inf") if c else 0.0))
                                                 for s, c, f in zip(self.sides, m.in_contact, forces)})

    def on_plan(self, m: CentroidalPlan) -> None:
        ns = stamp_to_ns(m.header.stamp)
        self.mpc_answered_ns = max(ns, self.mpc_answered_ns or 0)
        if not m.ok:
            self.core.accept_plan(None, ns, ok=False)
        else:
            try:
                self.core.accept_plan(decode(msg_to_fields(m), ns * 1e-9), ns)
            except PlanDecodeError as exc:
                self.core.accept_plan(None, ns, why=f"/centroidal_plan: {exc}")
        if self._pending is not None and ns >= self._pending[0]:
            pending, self._pending = self._pending, None
            self.update(*pending)

    def reference(self, ns: int):
        """The WBC reference the core takes at ``ns`` (None: stand)."""
        return self.core.reference(ns)

    def republish(self) -> None:
        if self._published:
            self.pub_cmd.publish(self._cmd)

    def update(self, ns: int, inputs: dict) -> None:
        if (self.cfg["wait_for_plan"] and self.core.plan is not None and ns % self.plan_period_ns == 0
                and self.mpc_answered_ns < ns):
            self._pending = (ns, inputs)  # the MPC's plan for this state is on its way
            return
        jq, jdq = inputs["joints"]
        rows = self.core.update(ns, jq, jdq, inputs["odom"], inputs["contact"]).rows
        c = self._cmd
        c.header.stamp.sec, c.header.stamp.nanosec = ns // 1_000_000_000, ns % 1_000_000_000
        idx = self.pin_to_ros.index
        c.position, c.velocity, c.effort, c.kp, c.kd = (to_array(r[idx]) for r in rows)
        self.pub_cmd.publish(c)
        self._published = True
        if ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = ns
            self.pub_diag.publish(node_stats_msg(c.header.stamp, [self.core.node_stats(self.get_name())]))


def main(args=None):
    return run_node("wbc", WbcNode, args)


if __name__ == "__main__":
    sys.exit(main())
