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

import sys

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from humanoid_control_msgs.msg import CentroidalPlan, ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import JointState

from humanoid_control import params as P
from humanoid_control.nodes.common import (STATE_QOS, InputRejected, JointStateReader, StampSynced, StampedInputs,
                                           Stopwatch, TimingStats, declare_from_schema, diagnostics_msg, input_qos,
                                           odometry_to_array, run_node, stamp_to_ns, to_array)
from humanoid_control.nodes.plan_msg import msg_to_fields
from humanoid_control.planning.plan_codec import PlanDecodeError, decode
from humanoid_control.robot.model import RobotModel
from humanoid_control.wbc.controller import WbcParams, WholeBodyController


class WbcNode(StampSynced, Node):
    def __init__(self, **kwargs):
        super().__init__("wbc", **kwargs)
        cfg = declare_from_schema(self, P.WBC)
        self.cfg = cfg
        self.robot = RobotModel.load(cfg["robot"])
        wp = WbcParams(**{k: cfg[k] for k in WbcParams.__dataclass_fields__ if k in cfg})
        self.wbc = WholeBodyController(self.robot, wp)
        self.sides = tuple(self.robot.config.feet)
        self.stats = TimingStats(wp.dt)
        self.rejected = 0
        self.last_rejection = ""
        self._published = False
        self.solver_failures = 0
        self._joint_states = JointStateReader(self.robot.joint_names)
        # "joints": (q, dq) Pinocchio order; "odom": p, quat xyzw, v, w (13,); "contact": side -> bool
        self._inputs = StampedInputs(("joints", "odom", "contact"), cfg["stale_timeout_s"])
        self._last_diag_ns = 0
        self.pin_to_ros = self.robot.pin_to_ros
        self.pub_cmd = self.create_publisher(JointCommand, "/joint_commands", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        qos = input_qos(self)
        self.create_subscription(JointState, "/joint_states", self.on_joint_states, qos)
        self.create_subscription(Odometry, "/odom", self.on_odom, qos)
        self.create_subscription(ContactState, "/contact_states", self.on_contact, qos)
        self._planned_contact = {s: True for s in self.sides}
        self.plan = None  # newest LocomotionPlan
        self.plan_ns = None  # its stamp [ns]
        self.plans_received = 0
        self.plan_timeouts = 0
        self.plan_rejected = 0
        self._pending = None  # (ns, inputs) waiting for the plan of its stamp
        self.mpc_answered_ns = None  # newest stamp the MPC answered (with a plan or a failure)
        self._walking = False
        self.plan_period_ns = int(round(cfg["plan_period_s"] * 1e9))
        self.create_subscription(CentroidalPlan, "/centroidal_plan", self.on_plan, STATE_QOS)
        self._cmd = JointCommand()
        self._cmd.name = list(self.robot.ros_joint_names)

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
        self.receive("contact", m.header.stamp, {s: bool(c) for s, c in zip(self.sides, m.in_contact)})

    def on_plan(self, m: CentroidalPlan) -> None:
        ns = stamp_to_ns(m.header.stamp)
        self.mpc_answered_ns = max(ns, self.mpc_answered_ns or 0)
        if not m.ok:
            self.plan_rejected += 1
            self.last_rejection = "the MPC did not converge: previous plan kept"
        else:
            try:
                plan = decode(msg_to_fields(m), ns * 1e-9)
            except PlanDecodeError as exc:
                self.plan_rejected += 1
                self.last_rejection = f"/centroidal_plan: {exc}"
                plan = None
            if plan is not None and set(plan.feet) != set(self.sides):
                self.plan_rejected += 1
                self.last_rejection = (f"/centroidal_plan plans for feet {list(plan.feet)}; this robot's feet are "
                                       f"{list(self.sides)}")
            elif plan is not None and (self.plan_ns is None or ns >= self.plan_ns):
                self.plan, self.plan_ns = plan, ns
                self.plans_received += 1
        if self._pending is not None and ns >= self._pending[0]:
            pending, self._pending = self._pending, None
            self.update(*pending)

    def reference(self, ns: int):
        """The plan's reference at ``ns``, or None (stand by DCM balance) when there is no
        fresh plan or the plan has no step in it (standing balance reacts to pushes
        faster than the MPC's CoM plan)."""
        if self.plan is None:
            return None
        if ns - self.plan_ns > self.cfg["plan_timeout_s"] * 1e9:
            self.plan_timeouts += 1
            return None
        if self.plan.stands_through(ns * 1e-9):
            if self._walking:
                self._walking = False
                self.wbc.com_ref = None  # re-centre the standing references where the walk ended
            return None
        self._walking = True
        return self.plan.reference_at(ns * 1e-9)

    def republish(self) -> None:
        if self._published:
            self.pub_cmd.publish(self._cmd)

    def update(self, ns: int, inputs: dict) -> None:
        if (self.cfg["wait_for_plan"] and self.plan is not None and ns % self.plan_period_ns == 0
                and self.mpc_answered_ns < ns):
            self._pending = (ns, inputs)  # the MPC's plan for this state is on its way
            return
        sw = Stopwatch()
        jq, jdq = inputs["joints"]
        od = inputs["odom"]
        # Stance comes from the plan, not from force thresholds: standing has both feet
        # planned in contact (a gait schedule will provide this when walking). The measured
        # contact states only pace the stamp pairing; a foot unloaded by a push stays in stance.
        active = self._planned_contact
        q = np.concatenate([od[0:7], jq])
        v = np.concatenate([od[7:13], jdq])
        sol = self.wbc.update(q, v, active, self.reference(ns))
        if not sol.ok:
            self.solver_failures += 1
        q_des, dq_des, tau, kp, kd = self.wbc.joint_command(sol, q, v)
        c = self._cmd
        c.header.stamp.sec, c.header.stamp.nanosec = ns // 1_000_000_000, ns % 1_000_000_000
        r = self.pin_to_ros
        c.position = to_array(r(q_des))
        c.velocity = to_array(r(dq_des))
        c.effort = to_array(r(tau))
        c.kp = to_array(r(kp))
        c.kd = to_array(r(kd))
        self.pub_cmd.publish(c)
        self._published = True
        self.stats.add(sw.us())
        self.stats.iterations += sol.iterations
        if ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = ns
            self.pub_diag.publish(diagnostics_msg(
                self, c.header.stamp, self.stats, 0 if sol.ok else 1, sol.status,
                {"rejected": self.rejected, "last_rejection": self.last_rejection,
                 "solver_failures": self.solver_failures, "solver_iterations_mean":
                 f"{self.stats.iterations / max(self.stats.count, 1):.2f}",
                 "cop_x": f"{sol.cop_xy[0]:.4f}", "cop_y": f"{sol.cop_xy[1]:.4f}",
                 "plans_received": self.plans_received, "plan_timeouts": self.plan_timeouts,
                 "plan_rejected": self.plan_rejected}))


def main(args=None):
    return run_node("wbc", WbcNode, args)


if __name__ == "__main__":
    sys.exit(main())
