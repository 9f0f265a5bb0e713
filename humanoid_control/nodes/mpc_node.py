"""Centroidal MPC node: /odom + /joint_states + /cmd_vel -> /centroidal_plan
(humanoid_control_msgs/CentroidalPlan: CoM trajectory, contact wrenches, contact schedule,
swing trajectories), at ``rate_hz``. A plan is computed from the first complete estimated
state of each MPC period and carries that state's stamp. In lockstep that is the state
stamped exactly at the period's start, so the WBC can wait for it and runs stay
deterministic; on wall-clock time it is whichever state comes first in the period.

Commands: ``/cmd_vel`` (geometry_msgs/Twist, base heading frame) and/or the scripted
``cmd_vel_script`` (times from the start of the run: simulation time, or on wall-clock time
seconds from the first state received); the latest of either wins; both are clamped to
``max_v*`` (a command on several axes also into ``command_envelope``) and slewed at
``max_acc_*``. Command age is measured in state time."""
from __future__ import annotations

import math
import sys

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from humanoid_control_msgs.msg import CentroidalPlan, ContactState
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import String

from humanoid_control import params as P
from humanoid_control.loop.mpc_core import MpcCore, controller_flags
from humanoid_control.nodes.common import (LATCHED_QOS, STATE_QOS, InputRejected, JointStateReader, StampedInputs,
                                           StampSynced, declare_from_schema, input_qos, node_stats_msg, odometry_to_array,
                                           run_node, stamp_to_ns)
from humanoid_control.nodes.plan_msg import fields_to_msg


class MpcNode(StampSynced, Node):
    """The ROS shell of :class:`~humanoid_control.loop.mpc_core.MpcCore`."""

    def __init__(self, **kwargs):
        super().__init__("mpc", **kwargs)
        cfg = declare_from_schema(self, P.MPC)
        if self.get_parameter("use_sim_time").value:  # simulated (lockstep) time: no wall-clock budget, as in the
            cfg = {**cfg, "max_solve_time_s": 0.0}  # composed loop — a run must not depend on the machine's load
        self.cfg = cfg
        self.core = MpcCore(cfg)
        self.robot = self.core.robot
        self.planner = self.core.planner
        self._last_state_ns = None  # [ns] stamp of the latest /joint_states
        self._published = False
        self._last_diag_ns = 0
        self._joint_states = JointStateReader(self.robot.joint_names)
        self._inputs = StampedInputs(("joints", "odom"), cfg["stale_timeout_s"])
        self._msg = CentroidalPlan()
        self.pub_plan = self.create_publisher(CentroidalPlan, "/centroidal_plan", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        qos = input_qos(self)
        self.create_subscription(JointState, "/joint_states", self.on_joint_states, qos)
        self.create_subscription(Odometry, "/odom", self.on_odom, qos)
        self.create_subscription(Twist, "/cmd_vel", self.on_cmd_vel, 10)
        # the controller's flags (as the composed loop hands them over): the driver holding the
        # joints (/driver/mode "hold") and, for the first plan after a hold, the estimator's
        # contacts. /contact_states is a 1-kHz stream (each message costs this process ~0.1 ms):
        # it is listened to only from a hold until the first plan after it
        self._frames = [self.robot.config.feet[f].frame for f in self.planner.feet]
        self._driver_mode = None  # the driver's safety mode, or None before it was heard
        self._in_contact = None  # [bool] per planner foot, heard since the hold began, else None
        self._contact_sub = None
        self._contact_qos = qos
        self.create_subscription(String, "/driver/mode", self.on_driver_mode, LATCHED_QOS)

    solve_ms = property(lambda self: self.core.solves.wall)
    period_ns = property(lambda self: self.core.period_ns)
    command = property(lambda self: self.core.command)
    failures = property(lambda self: self.core.solves.failures)


    # ------------------------------------------------------------------ inputs
    def on_cmd_vel(self, m: Twist) -> None:
        v = (m.linear.x, m.linear.y, m.angular.z)
        if not all(math.isfinite(x) for x in v):
            return self.reject("/cmd_vel has NaN")
        self.core.set_twist(v, self._last_state_ns)  # heard at the latest state's time (None: before any)

    def on_driver_mode(self, m: String) -> None:
        self._driver_mode = m.data
        if m.data == "hold" and self._contact_sub is None:
            self._contact_sub = self.create_subscription(ContactState, "/contact_states", self.on_contact_states,
                                                         self._contact_qos)

    def on_contact_states(self, m: ContactState) -> None:
        names = list(m.name)
        if len(m.in_contact) != len(names) or any(f not in names for f in self._frames):
            return self.reject(f"/contact_states names {names} do not hold the feet {self._frames} "
                               "with one in_contact each")
        self._in_contact = [bool(m.in_contact[names.index(f)]) for f in self._frames]

    def controller_flags(self) -> int | None:
        """The flags word for :meth:`MpcCore.update`: None before the driver's mode was heard
        (a driver of another stack: planned as before, without flags); held while the driver
        holds; after a hold, the contacts heard during it (none heard: None, the walk is not
        re-phased); otherwise not held (contacts are read only after a hold)."""
        if self._driver_mode is None:
            return None
        if self._driver_mode == "hold":
            return controller_flags(True, self._in_contact or ())
        if self._contact_sub is None:
            return controller_flags(False, (True,) * len(self._frames))
        return None if self._in_contact is None else controller_flags(False, self._in_contact)

    def _stop_listening_to_contacts(self) -> None:
        """After the first plan that followed a hold: /contact_states is not needed until the next."""
        self.destroy_subscription(self._contact_sub)
        self._contact_sub, self._in_contact = None, None

    def _planned_this_period(self, stamp) -> bool:
        return self.core.planned_this_period(stamp_to_ns(stamp))

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
        return self.core.script_time(ns)

    def target_command(self, ns: int) -> tuple:
        return self.core.target_command(ns)

    # ------------------------------------------------------------------ planning
    def republish(self) -> None:
        if self._published:
            self.pub_plan.publish(self._msg)

    def update(self, ns: int, inputs: dict) -> None:
        jq, jdq = inputs["joints"]
        od = inputs["odom"]
        fields = self.core.update(ns, np.concatenate([od[0:7], jq]), np.concatenate([od[7:13], jdq]),
                                  self.controller_flags())
        if self._contact_sub is not None and self._driver_mode != "hold":
            self._stop_listening_to_contacts()  # the first plan after the hold has read them
        m = fields_to_msg(fields, ns, self._msg)
        self.pub_plan.publish(m)
        self._published = True
        if ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = ns
            self.pub_diag.publish(node_stats_msg(m.header.stamp, [self.core.node_stats(self.get_name(), ns)]))

    def rate_hz(self, ns: int | None = None) -> float:
        return self.core.rate_hz(ns)


def main(args=None):
    return run_node("mpc", MpcNode, args)


if __name__ == "__main__":
    sys.exit(main())
