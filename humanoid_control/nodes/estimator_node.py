"""State estimator node: /joint_states + /imu + /<side>_foot/wrench -> /odom
(nav_msgs/Odometry, odom -> base_link, twist in base_link, REP-105) and /contact_states
(humanoid_control_msgs/ContactState), once per sensor sample (1 kHz)."""
from __future__ import annotations

import sys

import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import WrenchStamped
from humanoid_control_msgs.msg import ContactState
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import Imu, JointState

from humanoid_control import params as P
from humanoid_control.errors import HumanoidControlError
from humanoid_control.estimation.kalman_filter import KfParams
from humanoid_control.estimation.state_estimator import StateEstimator
from humanoid_control.nodes.common import (STATE_QOS, Stopwatch, TimingStats, declare_from_schema, diagnostics_msg,
                                           ensure_localhost_discovery, stamp_to_ns)
from humanoid_control.robot.joint_map import JointMap
from humanoid_control.robot.model import RobotModel


class EstimatorNode(Node):
    def __init__(self, **kwargs):
        super().__init__("estimator", **kwargs)
        cfg = declare_from_schema(self, P.ESTIMATOR)
        if cfg["contact_off_N"] >= cfg["contact_on_N"]:
            raise HumanoidControlError(f"estimator: contact_off_N ({cfg['contact_off_N']}) must be < contact_on_N "
                                       f"({cfg['contact_on_N']})")
        self.cfg = cfg
        self.robot = RobotModel.load(cfg["robot"])
        self.est = StateEstimator(self.robot, KfParams(accel_noise=cfg["accel_noise"], kinematics_noise=cfg["kinematics_noise"],
                                                       velocity_noise=cfg["velocity_noise"]),
                                  cfg["contact_on_N"], cfg["contact_off_N"])
        self.sides = tuple(self.robot.config.feet)
        self.stats = TimingStats(0.001)
        self.rejected = 0
        self.last_rejection = ""
        self._last_ns = None
        self._imu = {}  # stamp ns -> (quat, gyro, acc)
        self._wrench = {s: {} for s in self.sides}  # side -> stamp -> fz
        self._js = {}  # stamp -> (q, dq) in Pinocchio order
        self._map_cache = {}
        self._last_diag_ns = 0
        self.pub_odom = self.create_publisher(Odometry, "/odom", STATE_QOS)
        self.pub_contact = self.create_publisher(ContactState, "/contact_states", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.create_subscription(JointState, "/joint_states", self.on_joint_states, STATE_QOS)
        self.create_subscription(Imu, "/imu", self.on_imu, STATE_QOS)
        for s in self.sides:
            self.create_subscription(WrenchStamped, f"/{s}_foot/wrench", lambda m, s=s: self.on_wrench(s, m), STATE_QOS)
        self._odom = Odometry()
        self._odom.header.frame_id = "odom"
        self._odom.child_frame_id = self.robot.config.base_link
        self._contact = ContactState()
        self._contact.name = [self.robot.config.feet[s].frame for s in self.sides]

    def reject(self, why: str) -> None:
        self.rejected += 1
        self.last_rejection = why

    def on_imu(self, m: Imu) -> None:
        v = np.array([m.orientation.x, m.orientation.y, m.orientation.z, m.orientation.w,
                      m.angular_velocity.x, m.angular_velocity.y, m.angular_velocity.z,
                      m.linear_acceleration.x, m.linear_acceleration.y, m.linear_acceleration.z])
        if not np.all(np.isfinite(v)) or abs(np.linalg.norm(v[0:4]) - 1.0) > 0.01:
            return self.reject("/imu has NaN or a non-unit quaternion")
        ns = stamp_to_ns(m.header.stamp)
        self._imu[ns] = v
        self.try_update(ns)

    def on_wrench(self, side: str, m: WrenchStamped) -> None:
        fz = m.wrench.force.z
        if not np.isfinite(fz):
            return self.reject(f"/{side}_foot/wrench has NaN")
        ns = stamp_to_ns(m.header.stamp)
        self._wrench[side][ns] = fz
        self.try_update(ns)

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

    def try_update(self, ns: int) -> None:
        if ns not in self._js or ns not in self._imu or any(ns not in self._wrench[s] for s in self.sides):
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
        q, dq = self._js[ns]
        imu = self._imu[ns]
        forces = {s: self._wrench[s][ns] for s in self.sides}
        dt = 0.001 if self._last_ns is None else min(max((ns - self._last_ns) * 1e-9, 1e-4), 0.05)
        e = self.est.update(q, dq, imu[0:4], imu[4:7], imu[7:10], forces, dt)
        self._last_ns = ns
        self._drop_upto(ns)
        o = self._odom
        o.header.stamp.sec, o.header.stamp.nanosec = ns // 1_000_000_000, ns % 1_000_000_000
        pp, qq = o.pose.pose.position, o.pose.pose.orientation
        pp.x, pp.y, pp.z = (float(v) for v in e.position)
        qq.x, qq.y, qq.z, qq.w = (float(v) for v in e.orientation_xyzw)
        tl, ta = o.twist.twist.linear, o.twist.twist.angular
        tl.x, tl.y, tl.z = (float(v) for v in e.linear_velocity_local)
        ta.x, ta.y, ta.z = (float(v) for v in e.angular_velocity_local)
        c = self._contact
        c.header.stamp = o.header.stamp
        c.in_contact = [bool(e.contact[s]) for s in self.sides]
        c.normal_force = [float(forces[s]) for s in self.sides]
        c.probability = [self.est.detector.probability(forces[s]) for s in self.sides]
        self.pub_contact.publish(c)
        self.pub_odom.publish(o)
        self.stats.add(sw.us())
        if ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = ns
            self.pub_diag.publish(diagnostics_msg(self, o.header.stamp, self.stats, 0, "ok",
                                                  {"rejected": self.rejected, "last_rejection": self.last_rejection}))

    def _drop_upto(self, ns: int) -> None:
        for d in (self._js, self._imu, *self._wrench.values()):
            for k in [k for k in d if k <= ns]:
                del d[k]


def main(args=None):
    ensure_localhost_discovery()
    rclpy.init(args=args)
    try:
        node = EstimatorNode()
    except HumanoidControlError as exc:
        print(f"estimator: error: {exc}", file=sys.stderr)
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
