"""Whole-body QP node: /joint_states + /odom + /contact_states -> /joint_commands
(humanoid_control_msgs/JointCommand: MIT-mode q, dq, tau_ff, kp, kd per joint), computed
once per estimator sample; the command carries the stamp of the state it answers."""
from __future__ import annotations

import sys

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from humanoid_control_msgs.msg import ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import JointState

from humanoid_control import params as P
from humanoid_control.errors import HumanoidControlError
from humanoid_control.nodes.common import (STATE_QOS, Stopwatch, TimingStats, declare_from_schema, diagnostics_msg,
                                           ensure_localhost_discovery, stamp_to_ns, to_array)
from humanoid_control.robot.joint_map import JointMap
from humanoid_control.robot.model import RobotModel
from humanoid_control.wbc.controller import WbcParams, WholeBodyController


class WbcNode(Node):
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
        self.solver_failures = 0
        self._js = {}
        self._odom = {}
        self._contact = {}
        self._last_ns = None
        self._map_cache = {}
        self._last_diag_ns = 0
        self.pin_to_ros = self.robot.pin_to_ros
        self.pub_cmd = self.create_publisher(JointCommand, "/joint_commands", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.create_subscription(JointState, "/joint_states", self.on_joint_states, STATE_QOS)
        self.create_subscription(Odometry, "/odom", self.on_odom, STATE_QOS)
        self.create_subscription(ContactState, "/contact_states", self.on_contact, STATE_QOS)
        self._planned_contact = {s: True for s in self.sides}
        self._cmd = JointCommand()
        self._cmd.name = list(self.robot.ros_joint_names)

    def reject(self, why: str) -> None:
        self.rejected += 1
        self.last_rejection = why

    def on_joint_states(self, m: JointState) -> None:
        key = tuple(m.name)
        jm = self._map_cache.get(key)
        if jm is None:
            try:
                jm = JointMap(key, self.robot.joint_names, "joint in /joint_states")
            except HumanoidControlError as exc:
                return self.reject(str(exc))
            self._map_cache[key] = jm
        if len(m.position) != len(key) or len(m.velocity) != len(key):
            return self.reject("/joint_states position/velocity length differs from name")
        q, dq = jm(m.position), jm(m.velocity)
        if not (np.all(np.isfinite(q)) and np.all(np.isfinite(dq))):
            return self.reject("/joint_states has NaN")
        ns = stamp_to_ns(m.header.stamp)
        self._js[ns] = (q, dq)
        self.try_update(ns)

    def on_odom(self, m: Odometry) -> None:
        p, o, l, a = m.pose.pose.position, m.pose.pose.orientation, m.twist.twist.linear, m.twist.twist.angular
        v = np.array([p.x, p.y, p.z, o.x, o.y, o.z, o.w, l.x, l.y, l.z, a.x, a.y, a.z])
        if not np.all(np.isfinite(v)) or abs(np.linalg.norm(v[3:7]) - 1.0) > 0.01:
            return self.reject("/odom has NaN or a non-unit quaternion")
        ns = stamp_to_ns(m.header.stamp)
        self._odom[ns] = v
        self.try_update(ns)

    def on_contact(self, m: ContactState) -> None:
        if len(m.in_contact) != len(self.sides):
            return self.reject("/contact_states has the wrong number of contacts")
        ns = stamp_to_ns(m.header.stamp)
        self._contact[ns] = {s: bool(c) for s, c in zip(self.sides, m.in_contact)}
        self.try_update(ns)

    def try_update(self, ns: int) -> None:
        if ns not in self._js or ns not in self._odom or ns not in self._contact:
            return
        if self._last_ns is not None and ns <= self._last_ns:
            self.reject("stale sample (stamp not newer than the last one)")
            self._drop_upto(ns)
            return
        age = self.get_clock().now().nanoseconds - ns
        if age > self.cfg["stale_timeout_s"] * 1e9:
            self.reject(f"stale sample ({age * 1e-6:.1f} ms old)")
            self._drop_upto(ns)
            return
        sw = Stopwatch()
        jq, jdq = self._js[ns]
        od = self._odom[ns]
        # Stance comes from the plan, not from force thresholds: standing has both feet
        # planned in contact (a gait schedule will provide this when walking). The measured
        # contact states only pace the stamp pairing; a foot unloaded by a push stays in stance.
        active = self._planned_contact
        self._last_ns = ns
        self._drop_upto(ns)
        q = np.concatenate([od[0:7], jq])
        v = np.concatenate([od[7:13], jdq])
        sol = self.wbc.update(q, v, active)
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
        self.stats.add(sw.us())
        self.stats.iterations += sol.iterations
        if ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = ns
            self.pub_diag.publish(diagnostics_msg(
                self, c.header.stamp, self.stats, 0 if sol.ok else 1, sol.status,
                {"rejected": self.rejected, "last_rejection": self.last_rejection,
                 "solver_failures": self.solver_failures, "solver_iterations_mean":
                 f"{self.stats.iterations / max(self.stats.count, 1):.2f}",
                 "cop_x": f"{sol.cop_xy[0]:.4f}", "cop_y": f"{sol.cop_xy[1]:.4f}"}))

    def _drop_upto(self, ns: int) -> None:
        for d in (self._js, self._odom, self._contact):
            for k in [k for k in d if k <= ns]:
                del d[k]


def main(args=None):
    ensure_localhost_discovery()
    rclpy.init(args=args)
    try:
        node = WbcNode()
    except HumanoidControlError as exc:
        print(f"wbc: error: {exc}", file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    try:
        rclpy.spin(node)
    except KeyboardInterrupt:
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
