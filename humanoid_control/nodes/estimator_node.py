"""State estimator node: /joint_states + /imu + /<side>_foot/wrench -> /odom
(nav_msgs/Odometry, odom -> base_link, twist in base_link, REP-105) and /contact_states
(humanoid_control_msgs/ContactState), once per sensor sample (1 kHz). The ROS shell of
:class:`~humanoid_control.loop.estimator_core.EstimatorCore`."""
from __future__ import annotations

import sys

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import WrenchStamped
from humanoid_control_msgs.msg import ContactState
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import Imu, JointState

from humanoid_control import params as P
from humanoid_control.loop.estimator_core import EstimatorCore
from humanoid_control.nodes.common import (STATE_QOS, InputRejected, JointStateReader, StampSynced, StampedInputs,
                                           declare_from_schema, input_qos, node_stats_msg, run_node)


class EstimatorNode(StampSynced, Node):
    def __init__(self, **kwargs):
        super().__init__("estimator", **kwargs)
        cfg = declare_from_schema(self, P.ESTIMATOR)
        self.cfg = cfg
        self.core = EstimatorCore(cfg)
        self.robot = self.core.robot
        self.sides = self.core.sides
        self._published = False
        self._joint_states = JointStateReader(self.robot.joint_names)
        # "joints": (q, dq) Pinocchio order; "imu": (quat xyzw, gyro, acc); side: fz [N]
        self._inputs = StampedInputs(("joints", "imu", *self.sides), cfg["stale_timeout_s"])
        self._last_diag_ns = 0
        self.pub_odom = self.create_publisher(Odometry, "/odom", STATE_QOS)
        self.pub_contact = self.create_publisher(ContactState, "/contact_states", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        qos = input_qos(self)
        self.create_subscription(JointState, "/joint_states", self.on_joint_states, qos)
        self.create_subscription(Imu, "/imu", self.on_imu, qos)
        for s in self.sides:
            self.create_subscription(WrenchStamped, f"/{s}_foot/wrench", lambda m, s=s: self.on_wrench(s, m), qos)
        self._odom = Odometry()
        self._odom.header.frame_id = "odom"
        self._odom.child_frame_id = self.robot.config.base_link
        self._contact = ContactState()
        self._contact.name = [self.robot.config.feet[s].frame for s in self.sides]



    def on_imu(self, m: Imu) -> None:
        v = np.array([m.orientation.x, m.orientation.y, m.orientation.z, m.orientation.w,
                      m.angular_velocity.x, m.angular_velocity.y, m.angular_velocity.z,
                      m.linear_acceleration.x, m.linear_acceleration.y, m.linear_acceleration.z])
        if not np.all(np.isfinite(v)) or abs(np.linalg.norm(v[0:4]) - 1.0) > 0.01:
            return self.reject("/imu has NaN or a non-unit quaternion")
        self.receive("imu", m.header.stamp, v)

    def on_wrench(self, side: str, m: WrenchStamped) -> None:
        fz = m.wrench.force.z
        if not np.isfinite(fz):
            return self.reject(f"/{side}_foot/wrench has NaN")
        self.receive(side, m.header.stamp, fz)

    def on_joint_states(self, m: JointState) -> None:
        try:
            self.receive("joints", m.header.stamp, self._joint_states.read(m))
        except InputRejected as exc:
            self.reject(str(exc))

    def republish(self) -> None:
        if self._published:
            self.pub_contact.publish(self._contact)
            self.pub_odom.publish(self._odom)

    def update(self, ns: int, inputs: dict) -> None:
        q, dq = inputs["joints"]
        e = self.core.update(ns, q, dq, inputs["imu"], {s: inputs[s] for s in self.sides})
        o = self._odom
        o.header.stamp.sec, o.header.stamp.nanosec = ns // 1_000_000_000, ns % 1_000_000_000
        pp, qq, tl, ta = o.pose.pose.position, o.pose.pose.orientation, o.twist.twist.linear, o.twist.twist.angular
        pp.x, pp.y, pp.z, qq.x, qq.y, qq.z, qq.w, tl.x, tl.y, tl.z, ta.x, ta.y, ta.z = e.odom.tolist()
        c = self._contact
        c.header.stamp = o.header.stamp
        c.in_contact = e.in_contact.tolist()
        c.normal_force = e.normal_force.tolist()
        c.probability = e.probability.tolist()
        self.pub_contact.publish(c)
        self.pub_odom.publish(o)
        self._published = True
        if ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = ns
            self.pub_diag.publish(node_stats_msg(o.header.stamp, [self.core.node_stats(self.get_name())]))


def main(args=None):
    return run_node("estimator", EstimatorNode, args)


if __name__ == "__main__":
    sys.exit(main())
