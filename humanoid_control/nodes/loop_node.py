"""The ROS shell of the composed control loop: parameters stay with the loop's parts, this
node only does topics, services and diagnostics for it.

Every 1-kHz topic of the graph is mirrored each tick with its standard type for anyone
outside the loop (Foxglove, recorders, a user's node): ``/joint_states``, ``/imu``, both
foot wrenches, ``/odom``, ``/contact_states``, ``/joint_commands``, ``/clock`` (lockstep)
and in simulation ``/ground_truth/{odom,com}``; ``/centroidal_plan`` when a new plan is
taken. The cheapest path measured (README, Performance): message objects allocated once and
refilled from the loop's arrays, and **no publish on a topic nobody subscribes to** (the
subscriber counts are looked up every ``COUNT_REFRESH_S`` of wall time; a subscriber that
joins is served from then on). ``/diagnostics`` carries one status per part (driver,
estimator, wbc, mpc, control_loop) every ``diagnostics_period_s`` of plant time.

Inputs: ``/estop`` (std_msgs/Bool), services ``/estop/stop`` and ``/estop/reset``
(std_srvs/Trigger), ``/cmd_vel`` (geometry_msgs/Twist, for the loop's planner) and, with an
MPC elsewhere, ``/centroidal_plan``."""
from __future__ import annotations

import time

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from geometry_msgs.msg import PointStamped, Twist, WrenchStamped
from humanoid_control_msgs.msg import CentroidalPlan, ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.node import Node
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import Imu, JointState
from std_msgs.msg import Bool
from std_srvs.srv import Trigger

from humanoid_control.nodes.common import STATE_QOS, diagnostic_to_node_stats, stamp_to_ns, to_array
from humanoid_control.nodes.plan_msg import fields_to_msg, msg_to_fields


def _set_stamp(header, ns: int) -> None:
    header.stamp.sec, header.stamp.nanosec = ns // 1_000_000_000, ns % 1_000_000_000


class LoopNode(Node):
    #: [s] wall time between looks at the publishers' subscriber counts
    COUNT_REFRESH_S = 0.05

    def __init__(self, loop, diagnostics_period_s: float = 1.0, external_plans=None, **kwargs):
        super().__init__("control_loop", **kwargs)
        self.loop = loop
        d = loop.driver
        robot = d.robot
        self.robot = robot
        self.sides = loop.sides
        self.lockstep = d.lockstep
        self.diag_period_ns = int(diagnostics_period_s * 1e9)
        self._last_diag_ns = -self.diag_period_ns
        self.pub = {
            "js": self.create_publisher(JointState, "/joint_states", STATE_QOS),
            "imu": self.create_publisher(Imu, "/imu", STATE_QOS),
            "odom": self.create_publisher(Odometry, "/odom", STATE_QOS),
            "contact": self.create_publisher(ContactState, "/contact_states", STATE_QOS),
            "cmd": self.create_publisher(JointCommand, "/joint_commands", STATE_QOS),
            **{f"wrench_{s}": self.create_publisher(WrenchStamped, f"/{s}_foot/wrench", STATE_QOS) for s in self.sides},
        }
        if external_plans is None:  # with an MPC elsewhere, that node publishes the plans
            self.pub["plan"] = self.create_publisher(CentroidalPlan, "/centroidal_plan", STATE_QOS)
        if self.lockstep:
            self.pub["clock"] = self.create_publisher(ClockMsg, "/clock", 10)
        if d.sim is not None:
            self.pub["gt"] = self.create_publisher(Odometry, "/ground_truth/odom", STATE_QOS)
            self.pub["gt_com"] = self.create_publisher(PointStamped, "/ground_truth/com", STATE_QOS)
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._live = {k: False for k in self.pub}
        self.stamp_offset_ns = 0  # [ns] plant time -> stamp time (see publish_tick)
        self._next_count_s = 0.0
        self.published = {k: 0 for k in self.pub}  # messages sent per mirrored stream
        self._plan_ns_sent = None
        self._hw_to_ros = d.hw_to_ros.index
        self._pin_to_ros = robot.pin_to_ros.index
        # messages allocated once
        self._js = JointState()
        self._js.name = list(robot.ros_joint_names)
        self._imu = Imu()
        self._imu.header.frame_id = robot.config.imu_frame
        self._wrench = {s: WrenchStamped() for s in self.sides}
        for s, m in self._wrench.items():
            m.header.frame_id = robot.config.feet[s].frame
        self._odom = Odometry()
        self._odom.header.frame_id = "odom"
        self._odom.child_frame_id = robot.config.base_link
        self._contact = ContactState()
        self._contact.name = [robot.config.feet[s].frame for s in self.sides]
        self._cmd = JointCommand()
        self._cmd.name = list(robot.ros_joint_names)
        self._gt = Odometry()
        self._gt.header.frame_id = "world"
        self._gt.child_frame_id = robot.config.base_link
        self._gt_com = PointStamped()
        self._gt_com.header.frame_id = "world"
        self._plan_msg = CentroidalPlan()
        self.create_subscription(Bool, "/estop", self.on_estop, 10)
        self.create_service(Trigger, "/estop/stop", self.on_estop_stop)
        self.create_service(Trigger, "/estop/reset", self.on_estop_reset)
        self.create_subscription(Twist, "/cmd_vel", self.on_cmd_vel, 10)
        self.external_plans = external_plans
        #: the newest NodeStats of nodes outside the loop (an MPC node elsewhere), by name
        self.foreign_stats = {}
        if external_plans is not None:
            self.create_subscription(CentroidalPlan, "/centroidal_plan", self.on_plan, STATE_QOS)
            self.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, 10)

    # ------------------------------------------------------------------ inputs
    def on_estop(self, msg: Bool) -> None:
        if msg.data:
            self.loop.driver.safety.press_estop(self.loop.driver.tick_ns * 1e-9)

    def on_estop_stop(self, request, response):
        s = self.loop.driver.safety
        s.press_estop(self.loop.driver.tick_ns * 1e-9)
        response.success, response.message = True, f"e-stop latched: {s.mode.value}"
        return response

    def on_estop_reset(self, request, response):
        s = self.loop.driver.safety
        response.success = s.reset(self.loop.driver.tick_ns * 1e-9)
        response.message = "reset: normal" if response.success else s.last_rejection
        return response

    def on_cmd_vel(self, m: Twist) -> None:
        v = (m.linear.x, m.linear.y, m.angular.z)
        if not all(np.isfinite(v)):
            self.loop.estimator.reject("/cmd_vel has NaN")
            return
        if self.loop.plans is not None:  # without a planner the robot only stands: nothing to tell
            self.loop.plans.set_twist(v, self.loop.stamp_ns)

    def on_plan(self, m: CentroidalPlan) -> None:
        ns = stamp_to_ns(m.header.stamp) - self.stamp_offset_ns  # back to plant time
        if not m.ok:
            self.external_plans.put(None, ns, "the MPC did not converge: previous plan kept")
        else:
            self.external_plans.put(msg_to_fields(m), ns)

    def on_diagnostics(self, m: DiagnosticArray) -> None:
        for status in m.status:
            st = diagnostic_to_node_stats(status)
            if st.name == "mpc":
                self.foreign_stats[st.name] = st

    # ------------------------------------------------------------------ mirror
    def refresh_subscribers(self) -> None:
        """Which mirrored topics have subscribers (looked up every COUNT_REFRESH_S)."""
        now = time.monotonic()
        if now < self._next_count_s:
            return
        self._next_count_s = now + self.COUNT_REFRESH_S
        for k, p in self.pub.items():
            self._live[k] = p.get_subscription_count() > 0

    def publish_tick(self) -> None:
        """Mirror the tick that just ran: the state the loop answered, its estimate and
        command, and the plant's new state (joint states, IMU, wrenches, ground truth,
        /clock). Stamps are plant time + :attr:`stamp_offset_ns` (0 in lockstep: simulation
        time; in real time the wall clock at the plant's start, so stamps are ROS time)."""
        self.refresh_subscribers()
        live = self._live
        loop = self.loop
        d = loop.driver
        hw = d.hw
        ns_state = loop.stamp_ns + self.stamp_offset_ns
        ns_plant = d.tick_ns + self.stamp_offset_ns
        if live.get("clock"):
            c = ClockMsg()
            c.clock.sec, c.clock.nanosec = ns_plant // 1_000_000_000, ns_plant % 1_000_000_000
            self.pub["clock"].publish(c)
            self.published["clock"] += 1
        if live["odom"]:
            o = self._odom
            _set_stamp(o.header, ns_state)
            od = loop.estimator.out.odom
            pp, qq, tl, ta = o.pose.pose.position, o.pose.pose.orientation, o.twist.twist.linear, o.twist.twist.angular
            pp.x, pp.y, pp.z, qq.x, qq.y, qq.z, qq.w, tl.x, tl.y, tl.z, ta.x, ta.y, ta.z = od.tolist()
            self.pub["odom"].publish(o)
            self.published["odom"] += 1
        if live["contact"]:
            m = self._contact
            _set_stamp(m.header, ns_state)
            e = loop.estimator.out
            m.in_contact = e.in_contact.tolist()
            m.normal_force = e.normal_force.tolist()
            m.probability = e.probability.tolist()
            self.pub["contact"].publish(m)
            self.published["contact"] += 1
        if live["cmd"]:
            m = self._cmd
            _set_stamp(m.header, ns_state)
            rows = loop.wbc.command.rows[:, self._pin_to_ros]
            m.position, m.velocity, m.effort, m.kp, m.kd = (to_array(r) for r in rows)
            self.pub["cmd"].publish(m)
            self.published["cmd"] += 1
        plans = loop.plans
        if live.get("plan") and plans is not None and plans.last_fields is not None and plans.last_ns != self._plan_ns_sent:
            self._plan_ns_sent = loop.plans.last_ns
            self.pub["plan"].publish(fields_to_msg(loop.plans.last_fields, loop.plans.last_ns, self._plan_msg))
            self.published["plan"] += 1
        if live["js"]:
            js = self._js
            _set_stamp(js.header, ns_plant)
            idx = self._hw_to_ros
            js.position = to_array(hw.joint_state["position"][idx])
            js.velocity = to_array(hw.joint_state["velocity"][idx])
            js.effort = to_array(hw.joint_state["effort"][idx])
            self.pub["js"].publish(js)
            self.published["js"] += 1
        if live["imu"]:
            m = self._imu
            _set_stamp(m.header, ns_plant)
            o, w, a = m.orientation, m.angular_velocity, m.linear_acceleration
            o.x, o.y, o.z, o.w, w.x, w.y, w.z, a.x, a.y, a.z = hw.sensor_state["imu"].tolist()
            self.pub["imu"].publish(m)
            self.published["imu"] += 1
        for s in self.sides:
            key = f"wrench_{s}"
            if live[key]:
                m = self._wrench[s]
                _set_stamp(m.header, ns_plant)
                f, t = m.wrench.force, m.wrench.torque
                f.x, f.y, f.z, t.x, t.y, t.z = hw.sensor_state[f"{s}_foot_wrench"].tolist()
                self.pub[key].publish(m)
                self.published[key] += 1
        if live.get("gt") or live.get("gt_com"):
            self.publish_ground_truth(ns_plant)
        if d.tick_ns - self._last_diag_ns >= self.diag_period_ns:
            self._last_diag_ns = d.tick_ns
            self.publish_diagnostics(ns_plant)

    def publish_ground_truth(self, ns: int) -> None:
        sim = self.loop.driver.sim
        gt = sim.ground_truth()
        o = self._gt
        _set_stamp(o.header, ns)
        pp, qq = o.pose.pose.position, o.pose.pose.orientation
        pp.x, pp.y, pp.z = gt["base_position"].tolist()
        qq.x, qq.y, qq.z, qq.w = gt["base_orientation_xyzw"].tolist()
        R = sim.data.xmat[sim.h.base_body].reshape(3, 3)
        tl, ta = o.twist.twist.linear, o.twist.twist.angular
        tl.x, tl.y, tl.z = (R.T @ gt["base_linear_velocity_world"]).tolist()
        ta.x, ta.y, ta.z = gt["base_angular_velocity_local"].tolist()
        c = self._gt_com
        _set_stamp(c.header, ns)
        c.point.x, c.point.y, c.point.z = gt["com"].tolist()
        self.pub["gt_com"].publish(c)
        self.pub["gt"].publish(o)
        self.published["gt"] += 1

    def publish_diagnostics(self, ns: int) -> None:
        msg = DiagnosticArray()
        _set_stamp(msg.header, ns)
        for st in self.loop.node_stats():
            msg.status.append(DiagnosticStatus(
                level=bytes([st.level]), name=f"humanoid_control/{st.name}", message=st.message, hardware_id=st.name,
                values=[KeyValue(key=k, value=v) for k, v in st.to_key_values().items()]))
        self.pub_diag.publish(msg)
