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

import math
import sys
import time

import numpy as np
import rclpy
from geometry_msgs.msg import PointStamped, WrenchStamped
from humanoid_control_msgs.msg import JointCommand
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from rclpy.node import Node
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import Imu, JointState
from diagnostic_msgs.msg import DiagnosticArray
from std_msgs.msg import Bool
from std_srvs.srv import Trigger

from humanoid_control import params as P
from humanoid_control.errors import ConfigError, HumanoidControlError
from humanoid_control.hardware.backends import make_hardware, make_simulated_hardware, resolve_backend
from humanoid_control.hardware.mujoco_system import SimParams
from humanoid_control.hardware.system_interface import ReturnType
from humanoid_control.nodes.common import (LATEST_QOS, STATE_QOS, Stopwatch, TimingStats, declare_from_schema,
                                           diagnostics_msg, ns_to_stamp, run_node, stamp_to_ns, to_array)
from humanoid_control.robot.joint_map import JointMap
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import hardware_info_for
from humanoid_control.safety.supervisor import (CommandArrays, Mode, SafetyParams, SafetySupervisor,
                                               base_tilt_rad, quat_xyzw_to_matrix)
from humanoid_control.sim.foot_slip import FootSlipMeter
from humanoid_control.sim.scenario import FaultInjector, check_faults, parse_fault, parse_push


class DriverNode(Node):
    def __init__(self, **kwargs):
        super().__init__("driver", **kwargs)
        cfg = declare_from_schema(self, P.DRIVER)
        self.cfg = cfg
        self.dt = 1.0 / cfg["rate_hz"]
        self.dt_ns = int(round(self.dt * 1e9))
        self.lockstep = cfg["mode"] == "lockstep"
        self.robot = RobotModel.load(cfg["robot"])
        info = hardware_info_for(self.robot.urdf_text, str(self.robot.config.urdf_path), self.robot.joint_names)
        sim = SimParams(timestep=min(0.001, self.dt), friction=cfg["friction"],
                        imu_gyro_noise_std=cfg["imu_gyro_noise_std"], imu_accel_noise_std=cfg["imu_accel_noise_std"],
                        imu_orientation_noise_std=cfg["imu_orientation_noise_std"],
                        joint_velocity_noise_std=cfg["joint_velocity_noise_std"], seed=cfg["seed"])
        faults = [parse_fault(s) for s in cfg["faults"] if s]
        backend = resolve_backend(cfg["backend"], info)
        self.simulation = cfg["simulation"]
        self._sensor_rx = None  # [s] monotonic time of the newest hardware IMU message
        if self.simulation:
            check_faults(faults, backend, info.joint_names)
            self.hardware = make_simulated_hardware(backend, self.robot, info, sim, cfg["hardware_config"],
                                                    cfg["seed"], cfg["rate_hz"])
        else:
            self._check_hardware_settings(cfg)
            self._sensor_in = {s.name: np.full(len(s.state_interfaces), np.nan) for s in info.sensors}
            self.hardware = make_hardware(backend, self.robot, info, cfg["hardware_config"], cfg["rate_hz"],
                                          before_activate=self._attach_transport)
        self.hw = self.hardware.hw
        self.sim = self.hardware.sim
        hw_names = self.hw.joint_names
        self.hw_to_ros = JointMap(hw_names, self.robot.ros_joint_names)
        self.hw_to_pin = JointMap(hw_names, self.robot.joint_names)
        pin_idx = [self.robot.joint_names.index(n) for n in hw_names]
        r = self.robot
        kp_max = self.hw.command_max.get("kp", np.full(len(hw_names), 1e3))
        kd_max = self.hw.command_max.get("kd", np.full(len(hw_names), 1e2))
        self.safety = SafetySupervisor(
            hw_names, (r.q_lower[pin_idx], r.q_upper[pin_idx]), r.v_max[pin_idx], r.tau_max[pin_idx],
            (np.where(np.isfinite(kp_max), kp_max, 1e3), np.where(np.isfinite(kd_max), kd_max, 1e2)),
            SafetyParams(cfg["command_timeout_s"], cfg["damping_kd"], cfg["max_tilt_rad"], cfg["estop_action"],
                         cfg["soft_start_s"], cfg["motor_derate_temperature_c"], cfg["motor_max_temperature_c"],
                         cfg["min_base_height_ratio"] * float(r.nominal_configuration()[2])))
        self.faults = FaultInjector(faults, self.safety, self.hardware, cfg["motor_max_temperature_c"] + 10.0)
        self.slip = FootSlipMeter()  # simulation ground truth, for reports
        self.pushes = sorted((parse_push(s) for s in cfg["pushes"] if s), key=lambda p: p.t)
        self._next_push = 0
        self._cmd_maps = {}
        self.command: CommandArrays | None = None
        self.tick_ns = 0
        self.commands_received = 0
        self.commands_rejected_stale = 0
        self.missed_ticks = 0
        #: real time: sensor -> command latency [µs] (the command's stamp is the state's it answers)
        self.latency = TimingStats(self.dt)
        self.stats = TimingStats(self.dt)
        self._last_diag_ns = 0
        self._wait_since = time.monotonic()
        self._started = False
        self.fatal: str | None = None

        self.pub_js = self.create_publisher(JointState, "/joint_states", STATE_QOS)
        self.pub_imu = self.create_publisher(Imu, "/imu", STATE_QOS)
        self.pub_wrench = {s: self.create_publisher(WrenchStamped, f"/{s}_foot/wrench", STATE_QOS) for s in r.config.feet}
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
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

    # ------------------------------------------------------------------ hardware mode
    @staticmethod
    def _check_hardware_settings(cfg) -> None:
        """Settings that only make sense for a simulation, refused on the real robot."""
        if cfg["mode"] != "realtime":
            raise ConfigError("simulation: false needs mode: realtime (lockstep steps a simulation)",
                              "driver parameter 'mode'")
        for name in ("pushes", "faults"):
            if any(cfg[name]):
                raise ConfigError(f"'{name}' exist only in simulation (simulation: false)", f"driver parameter '{name}'")

    def _attach_transport(self, hw) -> None:
        if hasattr(hw, "on_joint_state"):  # the topic bridge: its topics live on this node
            from humanoid_control.nodes.hardware_bridge_node import attach_topic_bridge
            attach_topic_bridge(self, hw, hw.params, spin_while_activating=True)

    def on_imu_input(self, m: Imu) -> None:
        buf = self._sensor_in.get("imu")
        if buf is not None and len(buf) >= 10:
            o, w, a = m.orientation, m.angular_velocity, m.linear_acceleration
            buf[:10] = (o.x, o.y, o.z, o.w, w.x, w.y, w.z, a.x, a.y, a.z)
            self._sensor_rx = time.monotonic()

    def on_wrench_input(self, side: str, m: WrenchStamped) -> None:
        buf = self._sensor_in.get(f"{side}_foot_wrench")
        if buf is not None and len(buf) >= 6:
            f, t = m.wrench.force, m.wrench.torque
            buf[:6] = (f.x, f.y, f.z, t.x, t.y, t.z)

    def _take_hardware_sensors(self) -> None:
        """Hardware mode: the newest sensor messages into the backend's sensor states (what
        arrived replaces what the backend has; a mock keeps its level IMU until then)."""
        for name, buf in self._sensor_in.items():
            if name in self.hw.sensor_state and np.all(np.isfinite(buf)):
                self.hw.sensor_state[name][:] = buf

    def _check_sensor_watchdog(self, t: float) -> None:
        if self.commands_received == 0 or self.hardware.backend == "mock" or self.safety.mode is not Mode.NORMAL:
            return
        if self._sensor_rx is None or time.monotonic() - self._sensor_rx > self.cfg["sensor_timeout_s"]:
            self.safety.trip(t, "sensor_timeout")

    # ------------------------------------------------------------------ commands
    def _command_map(self, names) -> JointMap:
        key = tuple(names)
        m = self._cmd_maps.get(key)
        if m is None:
            m = JointMap(key, self.hw.joint_names, "joint in /joint_commands")
            self._cmd_maps[key] = m
        return m

    def on_command(self, msg: JointCommand) -> None:
        n = len(msg.name)
        if not (len(msg.position) == len(msg.velocity) == len(msg.effort) == len(msg.kp) == len(msg.kd) == n):
            self.safety.rejected += 1
            self.safety.last_rejection = "JointCommand arrays differ in length"
            return
        try:
            m = self._command_map(msg.name)
        except HumanoidControlError as exc:
            self.safety.rejected += 1
            self.safety.last_rejection = str(exc)
            return
        cmd = CommandArrays(m(msg.position), m(msg.velocity), m(msg.effort), m(msg.kp), m(msg.kd))
        stamp = stamp_to_ns(msg.header.stamp)
        t = self.tick_ns * 1e-9
        cmd = self.faults.filter_command(cmd, t)
        if cmd is None:  # fault: the command never reaches the driver
            if self.lockstep:
                self.step()
            return
        if self.lockstep and stamp != self.tick_ns:
            self.commands_rejected_stale += 1  # answers an older state
            return
        if not self.lockstep:
            age_ns = self.get_clock().now().nanoseconds - stamp
            self.latency.add(age_ns * 1e-3)  # sensor sample published -> its command here [µs]
            if age_ns > self.cfg["command_timeout_s"] * 1e9:
                self.commands_rejected_stale += 1  # answers a state older than the watchdog allows
                return
        if self.safety.accept(cmd, t):
            self.command = cmd
            self.commands_received += 1
        if self.lockstep:
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
            self.missed_ticks += 1
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
        self.missed_ticks += steps - 1
        self.apply_and_advance(steps)
        self.publish_state()

    def step(self) -> None:
        self.apply_and_advance()
        self.publish_state()

    def apply_and_advance(self, steps: int = 1) -> None:
        """Safety check, command to the hardware, ``steps`` physics periods, read back."""
        sw = Stopwatch()
        t = self.tick_ns * 1e-9
        self.faults.step(t)
        if not self.simulation:
            self._check_sensor_watchdog(t)
        joint_q = self.hw_to_pin(self.hw.joint_state["position"])
        base_R_imu, soles_in_base = self.robot.base_frame_kinematics(joint_q)
        imu_q = self.hw.sensor_state["imu"][0:4]
        height = math.inf
        if self.safety.params.min_base_height_m > 0.0 and np.all(np.isfinite(imu_q)) and np.all(np.isfinite(joint_q)):
            height = self.robot.base_height_above_soles(soles_in_base, quat_xyzw_to_matrix(imu_q) @ base_R_imu.T)
        if self.simulation or np.all(np.isfinite(imu_q)):  # hardware before its first IMU message: nothing to judge
            self.safety.check(t, base_tilt_rad(imu_q, base_R_imu), height)
        if "temperature" in self.hw.joint_state:
            self.safety.check_motors(t, self.hw.joint_state["temperature"], self.hw.joint_state["error_code"],
                                     self.hw.lost_joints())
        out = self.safety.output(self.command, t)
        c = self.hw.joint_command
        c["position"][:] = out.position
        c["velocity"][:] = out.velocity
        c["effort"][:] = out.effort
        c["kp"][:] = out.kp
        c["kd"][:] = out.kd
        while self._next_push < len(self.pushes) and self.pushes[self._next_push].t <= t:
            p = self.pushes[self._next_push]
            self.sim.apply_push(np.array(p.force), p.duration)
            self._next_push += 1
        if self.hw.write_checked(t, self.dt * steps) is ReturnType.ERROR and self.safety.mode is not Mode.TORQUE_OFF:
            self.safety.hardware_error(t, getattr(self.hw, "last_error", "") or f"write failed ({self.hw.state.value})")
        self.hardware.advance(t, self.dt * steps)
        self.tick_ns += self.dt_ns * steps
        self.hw.read_checked(self.tick_ns * 1e-9, self.dt * steps)
        sim = self.sim
        if sim is not None:
            self.slip.update({s: sim.data.xpos[b] for s, b in sim.h.foot_bodies.items()},
                             {s: sim.sensor_state[f"{s}_foot_wrench"][2] for s in sim.h.foot_bodies})
        else:
            self._take_hardware_sensors()
        self.stats.add(sw.us())
        self._wait_since = time.monotonic()

    # ------------------------------------------------------------------ publishing
    def stamp_ns(self) -> int:
        """Stamp of the state published now [ns]: sim time in lockstep, ROS time in real time."""
        return self.tick_ns if self.lockstep else self.get_clock().now().nanoseconds

    def publish_state(self) -> None:
        stamp = ns_to_stamp(self.stamp_ns())
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

    def hardware_health(self) -> dict:
        """CAN backends: per motor ``motor.<joint>.{temperature_c, error_code, reply_loss_rate,
        commands_saturated}`` and per bus ``bus.<name>.{frames_sent, corrupt_frames, send_errors}``
        (empty for the MuJoCo backend)."""
        hw = self.hw
        if not hasattr(hw, "reply_loss_rate"):
            return {}
        out = {}
        loss = hw.reply_loss_rate()
        for i, j in enumerate(hw.joint_names):
            out[f"motor.{j}.temperature_c"] = round(float(hw.joint_state["temperature"][i]), 2)
            out[f"motor.{j}.error_code"] = int(hw.joint_state["error_code"][i])
            out[f"motor.{j}.reply_loss_rate"] = round(float(loss[i]), 5)
            out[f"motor.{j}.commands_saturated"] = int(hw.saturations[i])
        for b in hw.config.buses:
            out[f"bus.{b}.frames_sent"] = hw.frames_sent[b]
            out[f"bus.{b}.corrupt_frames"] = hw.corrupt_frames[b]
            out[f"bus.{b}.send_errors"] = hw.send_errors[b]
        return out

    def latency_figures(self) -> dict:
        """Real time: ``latency_{p50,p99,max}_us`` from a state's publication to the arrival of
        the command that answers it, and ``latency_samples`` (0 in lockstep)."""
        p50, p99, pmax = self.latency.percentiles()
        return {"latency_p50_us": round(p50, 1), "latency_p99_us": round(p99, 1), "latency_max_us": round(pmax, 1),
                "latency_samples": self.latency.count}

    def publish_diagnostics(self, stamp) -> None:
        s = self.safety
        level = 0 if s.mode is Mode.NORMAL else 2
        events = ";".join(f"{e.t:.3f}:{e.reason}:{e.action}:{e.joint}" for e in s.events)
        extra = {"mode": s.mode.value, "commands_received": self.commands_received, "commands_rejected": s.rejected,
                 "commands_stale": self.commands_rejected_stale, "last_rejection": s.last_rejection,
                 "missed_ticks": self.missed_ticks, **self.latency_figures(), "safety_events": events, "backend": self.hardware.backend,
                 "lifecycle": self.hw.state.value, "foot_slip_max_m": f"{self.slip.max_slip_m:.5f}",
                 "hardware_message": s.hardware_message, "commands_muted": self.faults.commands_muted,
                 **self.hardware_health()}
        msg = diagnostics_msg(self, stamp, self.stats, level, s.mode.value, extra)
        self.pub_diag.publish(msg)

    def destroy_node(self):
        self.hardware.shutdown()
        return super().destroy_node()


def _spin_until_fatal(node: DriverNode, executor) -> int:
    while rclpy.ok(context=node.context) and node.fatal is None:
        executor.spin_once(timeout_sec=0.1)
    return 1 if node.fatal else 0


def main(args=None):
    return run_node("driver", DriverNode, args, spin=_spin_until_fatal)


if __name__ == "__main__":
    sys.exit(main())
