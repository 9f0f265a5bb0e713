"""Run monitor (simulation only): listens to ground truth, the estimate and /diagnostics
and feeds the :class:`~humanoid_control.sim.report.ReportBuilder` and, when given one, a
:class:`~humanoid_control.sim.recording.RunRecording` (for plots, video, the viewer and the
Foxglove live view: it then also listens to /joint_states, the foot wrenches and the plan).
It commands nothing."""
from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PointStamped, WrenchStamped
from humanoid_control_msgs.msg import CentroidalPlan, ContactState
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import JointState

from humanoid_control.nodes.common import STATE_QOS, diagnostic_to_node_stats, stamp_to_ns
from humanoid_control.sim.report import ReportBuilder


class MonitorNode(Node):
    def __init__(self, report: ReportBuilder, stamps_from_zero: bool = True, recording=None, **kwargs):
        """``stamps_from_zero``: lockstep stamps count sim time from 0; in real time the run
        starts at the first ground-truth stamp seen (ROS time), and report times count from it."""
        super().__init__("monitor", **kwargs)
        self.report = report
        self.origin_ns = 0 if stamps_from_zero else None
        self.sim_ns = 0  # [ns] run time of the newest ground truth
        self._com = {}
        self._gt = {}
        self.create_subscription(Odometry, "/ground_truth/odom", self.on_gt, STATE_QOS)
        self.create_subscription(PointStamped, "/ground_truth/com", self.on_com, STATE_QOS)
        self.create_subscription(Odometry, "/odom", self.on_odom, STATE_QOS)
        self.create_subscription(DiagnosticArray, "/diagnostics", self.on_diag, 10)
        self.create_subscription(ContactState, "/contact_states", self.on_contacts, STATE_QOS)
        self.recording = recording
        if recording is not None:
            self.create_subscription(JointState, "/joint_states",
                                     lambda m: recording.set_joint_positions(m.name, m.position), STATE_QOS)
            for side in recording.sides:
                self.create_subscription(WrenchStamped, f"/{side}_foot/wrench",
                                         lambda m, side=side: self.on_wrench(side, m), STATE_QOS)
            self.create_subscription(CentroidalPlan, "/centroidal_plan", self.on_plan, STATE_QOS)

    def on_plan(self, m) -> None:
        from humanoid_control.planning.plan_codec import footstep_targets

        states = np.asarray(m.states, dtype=float).reshape(-1, 9)
        self.recording.set_plan(footstep_targets(list(m.feet), np.asarray(m.swing)), states[:, 0:3])

    def on_wrench(self, side: str, m: WrenchStamped) -> None:
        f, t = m.wrench.force, m.wrench.torque
        self.recording.set_foot_wrench(side, (f.x, f.y, f.z, t.x, t.y, t.z))

    def on_com(self, m: PointStamped) -> None:
        ns = stamp_to_ns(m.header.stamp)
        self._com[ns] = (m.point.x, m.point.y, m.point.z)
        self._pair(ns)

    def on_gt(self, m: Odometry) -> None:
        ns = stamp_to_ns(m.header.stamp)
        p, o, v, w = m.pose.pose.position, m.pose.pose.orientation, m.twist.twist.linear, m.twist.twist.angular
        self._gt[ns] = ((p.x, p.y, p.z), (o.x, o.y, o.z, o.w), (v.x, v.y, v.z), (w.x, w.y, w.z))
        self._pair(ns)

    def _pair(self, ns: int) -> None:
        """Ground truth enters the report once both its pose and its CoM of that stamp arrived."""
        if ns in self._gt and ns in self._com:
            p, q, v, w = self._gt.pop(ns)
            if self.origin_ns is None:
                self.origin_ns = ns
            com = self._com.pop(ns)
            self.report.add_ground_truth(ns - self.origin_ns, p, q, v, com, w)
            if self.recording is not None:
                self.recording.add_ground_truth((ns - self.origin_ns) * 1e-9, p, q, v, w, com)
            self.sim_ns = max(self.sim_ns, ns - self.origin_ns)
            if len(self._gt) > 100 or len(self._com) > 100:  # drop unmatched leftovers
                for d in (self._gt, self._com):
                    for k in [k for k in d if k < ns]:
                        del d[k]

    def on_odom(self, m: Odometry) -> None:
        p, o, v = m.pose.pose.position, m.pose.pose.orientation, m.twist.twist.linear
        if self.origin_ns is not None:
            self.report.add_estimate(stamp_to_ns(m.header.stamp) - self.origin_ns, (p.x, p.y, p.z), (o.x, o.y, o.z, o.w),
                                     (v.x, v.y, v.z))

    def on_contacts(self, m: ContactState) -> None:
        if self.origin_ns is not None:
            flags = dict(zip(m.name, m.in_contact))
            self.report.add_contacts(stamp_to_ns(m.header.stamp) - self.origin_ns, flags)
            if self.recording is not None:
                self.recording.set_contacts(flags)

    def on_diag(self, m: DiagnosticArray) -> None:
        for st in m.status:
            self.report.add_node_stats(diagnostic_to_node_stats(st))
