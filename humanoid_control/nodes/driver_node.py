"""Actuator driver node: hosts the hardware backend and the safety layer.

Publishes ``/joint_states`` (sensor_msgs/JointState), ``/imu`` (sensor_msgs/Imu),
``/<side>_foot/wrench`` (geometry_msgs/WrenchStamped, sole frame), ``/diagnostics``;
in simulation also ``/clock`` (lockstep) and ``/ground_truth/odom``, ``/ground_truth/com``.
Subscribes ``/joint_commands`` (humanoid_control_msgs/JointCommand) and ``/estop``
(std_msgs/Bool: true presses the e-stop); services ``/estop/stop`` and ``/estop/reset``
(std_srvs/Trigger; a reset is refused while a motor fault holds a joint off).

The backend (``backend`` parameter) is the MuJoCo simulation itself or a CAN backend whose
simulated motors sit between the driver and MuJoCo; with ``simulation: false`` it is the
real robot: the CAN backends on the buses of their hardware YAML (or ``mock``, or
``topic-bridge``), the IMU and foot wrenches taken from the hardware's topics
(``imu_input_topic``, ``<foot_wrench_input_prefix>/<side>_foot/wrench``) and republished
like the simulation's, no ground truth. The safety layer
(:mod:`humanoid_control.safety.supervisor`) is the same for all; on hardware it also damps
the robot when the IMU goes silent (``sensor_timeout_s``) once commands flow.

Lockstep: one physics step per command; the command for the state stamped t carries the
same stamp, and stamps are simulation time (``/clock``). Real time: a wall-clock timer at
``rate_hz`` steps regardless, and stamps are the node's ROS time at the step (what the
estimator's and WBC's staleness checks compare against).

``tick_ns`` is always the time since the start of the run [ns] (pushes are scheduled on it)."""
from __future__ import annotations

import sys
import time

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PointStamped, WrenchStamped
from humanoid_control_msgs.msg import JointCommand
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from rclpy.node import Node
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import Imu, JointState
from std_msgs.msg import Bool
from std_srvs.srv import Trigger

from humanoid_control import params as P
from humanoid_control.errors import HumanoidControlError
from humanoid_control.loop.driver_core import CommandVerdict, DriverCore
from humanoid_control.nodes.common import (LATEST_QOS, STATE_QOS, DriverModePublisher, declare_from_schema,
                                           node_stats_msg, ns_to_stamp, run_node, stamp_to_ns, to_array)
from humanoid_control.safety.supervisor import CommandArrays


class DriverNode(Node):
    """The ROS shell of :class:`~humanoid_control.loop.driver_core.DriverCore`."""

    def __init__(self, **kwargs):
        super().__init__("driver", **kwargs)
        cfg = declare_from_schema(self, P.DRIVER)
        self.cfg = cfg
        self.core = DriverCore(cfg, attach_transport=self._attach_transport)
        core = self.core
        self.robot = core.robot
        self.dt, self.dt_ns, self.lockstep, self.simulation = core.dt, core.dt_ns, core.lockstep, core.simulation
        self.hardware, self.hw, self.sim, self.safety = core.hardware, core.hw, core.sim, core.safety
        self.hw_to_ros = core.hw_to_ros
        r = self.robot
        self._last_diag_ns = 0
        self._wait_since = time.monotonic()
        self.fatal: str | None = None
        self.pub_js = self.create_publisher(JointState, "/joint_states", STATE_QOS)
        self.pub_imu = self.create_publisher(Imu, "/imu", STATE_QOS)
        self.pub_wrench = {s: self.create_publisher(WrenchStamped, f"/{s}_foot/wrench", STATE_QOS) for s in r.config.feet}
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.pub_mode = DriverModePublisher(self)  # the safety mode, on change (an MPC node reads holds)
        self.pub_clock = self.create_publisher(ClockMsg, "/clock", 10) if self.lockstep else None
        if not self.simulation:
            self.create_subscription(Imu, cfg["imu_input_topic"], self.on_imu_input, STATE_QOS)
            for side in r.config.feet:
                self.create_subscription(WrenchStamped, f"{cfg['foot_wrench_input_prefix'].rstrip('/')}/{side}_foot/wrench",
                                         lambda m, s=side: self.on_wrench_input(s, m), STATE_QOS)
        if cfg["publish_ground_truth"] and self.simulation:
            self.pub_gt = self.create_publisher(Odometry, "/ground_truth/odom", STATE_QOS)
            self.pub_gt_com = self.create_publisher(PointStamped, "/ground_truth/com", STATE_QOS)
        else:
            self.pub_gt = self.pub_gt_com = None
        self.create_subscription(JointCommand, "/joint_commands", self.on_command,
                                 STATE_QOS if self.lockstep else LATEST_QOS)
        self.create_subscription(Bool, "/estop", self.on_estop, 10)
        self.create_service(Trigger, "/estop/stop", self.on_estop_stop)
        self.create_service(Trigger, "/estop/reset", self.on_estop_reset)
        self._js = JointState()
        self._js.name = list(self.robot.ros_joint_names)
        wall = Clock(clock_type=ClockType.STEADY_TIME)
        if self.lockstep:
            self.create_timer(0.005, self.on_lockstep_watch, clock=wall)
            self.publish_state()
        else:
            self._t0 = time.monotonic()
            self.create_timer(self.dt, self.on_realtime_tick, clock=wall)

    # the core's state, under the names the node has always had
    tick_ns = property(lambda self: self.core.tick_ns)
    command = property(lambda self: self.core.command)
    commands_received = property(lambda self: self.core.counters.commands_received)
    commands_rejected_stale = property(lambda self: self.core.counters.commands_rejected_stale)
    missed_ticks = property(lambda self: self.core.counters.missed_ticks)
    latency = property(lambda self: self.core.latency)
    stats = property(lambda self: self.core.stats)
    slip = property(lambda self: self.core.helpers.slip)

    # ------------------------------------------------------------------ hardware mode
    def _attach_transport(self, hw) -> None:
        if hw.needs_transport:  # the topic bridge: its topics live on this node
            from humanoid_control.nodes.hardware_bridge_node import attach_topic_bridge
            attach_topic_bridge(self, hw, hw.params, spin_while_activating=True)

    def on_imu_input(self, m: Imu) -> None:
        buf = self.core.sensor_inputs.get("imu")
        if buf is not None and len(buf) >= 10:
            o, w, a = m.orientation, m.angular_velocity, m.linear_acceleration
            buf[:10] = (o.x, o.y, o.z, o.w, w.x, w.y, w.z, a.x, a.y, a.z)
            self.core.sensor_rx = time.monotonic()

    def on_wrench_input(self, side: str, m: WrenchStamped) -> None:
        buf = self.core.sensor_inputs.get(f"{side}_foot_wrench")
        if buf is not None and len(buf) >= 6:
            f, t = m.wrench.force, m.wrench.torque
            buf[:6] = (f.x, f.y, f.z, t.x, t.y, t.z)

    # ------------------------------------------------------------------ commands
    def on_command(self, msg: JointCommand) -> None:
        core = self.core
        n = len(msg.name)
        if not (len(msg.position) == len(msg.velocity) == len(msg.effort) == len(msg.kp) == len(msg.kd) == n):
            return core.reject("JointCommand arrays differ in length")
        try:
            m = core.command_map(msg.name)
        except HumanoidControlError as exc:
            return core.reject(str(exc))
        cmd = CommandArrays(m(msg.position), m(msg.velocity), m(msg.effort), m(msg.kp), m(msg.kd))
        now_ns = None if self.lockstep else self.get_clock().now().nanoseconds
        verdict = core.receive_command(cmd, stamp_to_ns(msg.header.stamp), now_ns)
        if self.lockstep and verdict != CommandVerdict.STALE:
            self.step()

    # ------------------------------------------------------------------ e-stop
    def on_estop(self, msg: Bool) -> None:
        if msg.data:
            self.safety.press_estop(self.tick_ns * 1e-9)

    def on_estop_stop(self, request, response):
        self.safety.press_estop(self.tick_ns * 1e-9)
        response.success, response.message = True, f"e-stop latched: {self.safety.mode.value}"
        return response

    def on_estop_reset(self, request, response):
        response.success = self.safety.reset(self.tick_ns * 1e-9)
        response.message = "reset: normal" if response.success else self.safety.last_rejection
        return response

    # ------------------------------------------------------------------ ticks
    def waiting_for_first_command(self) -> bool:
        """Start-up: the simulated robot is held (physics does not advance) and its state is
        republished for late joiners until the controller's first valid command; after
        ``startup_timeout_s`` of wall time without one the driver gives up (``fatal``)."""
        if self.commands_received > 0:
            return False
        if time.monotonic() - self._wait_since > self.cfg["startup_timeout_s"]:
            self.fatal = f"no /joint_commands within startup_timeout_s = {self.cfg['startup_timeout_s']} s"
            self.get_logger().error(self.fatal)
            return True
        self.publish_state()
        return True

    def on_lockstep_watch(self) -> None:
        if self.waiting_for_first_command():
            return
        waited = time.monotonic() - self._wait_since
        if waited > self.cfg["lockstep_timeout_s"]:
            self.core.counters.missed_ticks += 1
            self.step()

    #: Real time: at most this many physics steps per timer tick when catching up [-].
    MAX_CATCH_UP_STEPS = 20

    def on_realtime_tick(self) -> None:
        """The simulated plant keeps wall-clock time even when a tick comes late: physics
        advances by the elapsed time (whole steps, at most MAX_CATCH_UP_STEPS) with the
        command held, as real actuators would; the extra steps count as missed ticks."""
        if self.waiting_for_first_command():
            self._t0 = time.monotonic()  # the plant's clock starts with the controller
            if not self.simulation:  # the real robot does not wait: keep it damped and its state fresh
                self.apply_and_advance()
            return
        behind_ns = int((time.monotonic() - self._t0) * 1e9) - self.tick_ns
        steps = min(max(1, int(behind_ns // self.dt_ns)), self.MAX_CATCH_UP_STEPS)
        self.core.counters.missed_ticks += steps - 1
        self.apply_and_advance(steps)
        self.publish_state()

    def step(self) -> None:
        self.apply_and_advance()
        self.publish_state()

    def apply_and_advance(self, steps: int = 1) -> None:
        """Safety check, command to the hardware, ``steps`` physics periods, read back."""
        self.core.advance(steps)
        self._wait_since = time.monotonic()
    # ------------------------------------------------------------------ publishing
    def stamp_ns(self) -> int:
        """Stamp of the state published now [ns]: sim time in lockstep, ROS time in real time."""
        return self.tick_ns if self.lockstep else self.get_clock().now().nanoseconds

    def publish_state(self) -> None:
        stamp = ns_to_stamp(self.stamp_ns())
        self.pub_mode.update(self.safety.mode.value)  # before the state it holds for
        if self.pub_clock is not None:
            self.pub_clock.publish(ClockMsg(clock=stamp))
        hw = self.hw
        imu = hw.sensor_state["imu"]
        m = Imu()
        m.header.stamp = stamp
        m.header.frame_id = self.robot.config.imu_frame
        m.orientation.x, m.orientation.y, m.orientation.z, m.orientation.w = (float(v) for v in imu[0:4])
        m.angular_velocity.x, m.angular_velocity.y, m.angular_velocity.z = (float(v) for v in imu[4:7])
        m.linear_acceleration.x, m.linear_acceleration.y, m.linear_acceleration.z = (float(v) for v in imu[7:10])
        self.pub_imu.publish(m)
        for side, pub in self.pub_wrench.items():
            w = hw.sensor_state[f"{side}_foot_wrench"]
            wm = WrenchStamped()
            wm.header.stamp = stamp
            wm.header.frame_id = self.robot.config.feet[side].frame
            wm.wrench.force.x, wm.wrench.force.y, wm.wrench.force.z = (float(v) for v in w[0:3])
            wm.wrench.torque.x, wm.wrench.torque.y, wm.wrench.torque.z = (float(v) for v in w[3:6])
            pub.publish(wm)
        if self.pub_gt is not None:
            gt = self.sim.ground_truth()
            o = Odometry()
            o.header.stamp = stamp
            o.header.frame_id = "world"
            o.child_frame_id = self.robot.config.base_link
            p, qx = gt["base_position"], gt["base_orientation_xyzw"]
            o.pose.pose.position.x, o.pose.pose.position.y, o.pose.pose.position.z = (float(v) for v in p)
            (o.pose.pose.orientation.x, o.pose.pose.orientation.y, o.pose.pose.orientation.z,
             o.pose.pose.orientation.w) = (float(v) for v in qx)
            R = self.sim.data.xmat[self.sim.h.base_body].reshape(3, 3)
            v_local = R.T @ gt["base_linear_velocity_world"]
            o.twist.twist.linear.x, o.twist.twist.linear.y, o.twist.twist.linear.z = (float(v) for v in v_local)
            w = gt["base_angular_velocity_local"]
            o.twist.twist.angular.x, o.twist.twist.angular.y, o.twist.twist.angular.z = (float(v) for v in w)
            c = PointStamped()
            c.header.stamp = stamp
            c.header.frame_id = "world"
            c.point.x, c.point.y, c.point.z = (float(v) for v in gt["com"])
            self.pub_gt_com.publish(c)
            self.pub_gt.publish(o)
        js = self._js
        js.header.stamp = stamp
        js.position = to_array(self.hw_to_ros(hw.joint_state["position"]))
        js.velocity = to_array(self.hw_to_ros(hw.joint_state["velocity"]))
        js.effort = to_array(self.hw_to_ros(hw.joint_state["effort"]))
        self.pub_js.publish(js)
        if self.tick_ns - self._last_diag_ns >= int(self.cfg["diagnostics_period_s"] * 1e9):
            self._last_diag_ns = self.tick_ns
            self.publish_diagnostics(stamp)

    def latency_figures(self) -> dict:
        return self.core.latency_figures()

    def publish_diagnostics(self, stamp) -> None:
        self.pub_diag.publish(node_stats_msg(stamp, [self.core.node_stats(self.get_name())]))

    def destroy_node(self):
        self.core.shutdown()
        return super().destroy_node()


def _spin_until_fatal(node: DriverNode, executor) -> int:
    while rclpy.ok(context=node.context) and node.fatal is None:
        executor.spin_once(timeout_sec=0.1)
    return 1 if node.fatal else 0


def main(args=None):
    return run_node("driver", DriverNode, args, spin=_spin_until_fatal)


if __name__ == "__main__":
    sys.exit(main())
