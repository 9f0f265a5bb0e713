"""The driver's per-tick body, ROS-free: the hardware backend, the safety supervisor and,
in simulation only, the scenario helpers (pushes, injected faults, foot-slip meter).

One tick (:meth:`DriverCore.advance`): faults due → safety checks (watchdog, fall from IMU
tilt and kinematic base height, motor health) → the safe command into the backend's command
interfaces → ``write`` → physics / devices → ``read``. Commands enter through
:meth:`DriverCore.receive_command` in the hardware's joint order. The driver node and the
control loop both run this object; neither adds control logic of its own."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import ConfigError, HumanoidControlError
from humanoid_control.hardware.backends import make_hardware, make_simulated_hardware, resolve_backend
from humanoid_control.hardware.mujoco_system import SimParams, named_values
from humanoid_control.hardware.system_interface import ReturnType
from humanoid_control.robot.joint_map import JointMap
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import hardware_info_for
from humanoid_control.safety.fall_kinematics import FallKinematics
from humanoid_control.safety.supervisor import CommandArrays, Mode, SafetyParams, SafetySupervisor
from humanoid_control.sim.foot_slip import FootSlipMeter
from humanoid_control.sim.scenario import FaultInjector, check_faults, parse_fault, parse_push
from humanoid_control.timing import NodeStats, Stopwatch, TimingStats


class SimulationHelpers:
    """What only a simulation has: scheduled pushes on the base, injected faults, and the
    foot-slip meter (ground truth, for reports). Plugged into :class:`DriverCore` when the
    backend sits on a MuJoCo simulation; a real robot never gets one."""

    def __init__(self, cfg: dict, hardware, safety: SafetySupervisor):
        faults = [parse_fault(s) for s in cfg["faults"] if s]
        self.faults = FaultInjector(faults, safety, hardware, cfg["motor_max_temperature_c"] + 10.0)
        self.pushes = sorted((parse_push(s) for s in cfg["pushes"] if s), key=lambda p: p.t)
        self._next_push = 0
        self.slip = FootSlipMeter()
        self.sim = hardware.sim
        #: (side, MuJoCo body, its F/T sensor's state) per foot
        self._feet = [(s, b, self.sim.sensor_state[f"{s}_foot_wrench"]) for s, b in self.sim.h.foot_bodies.items()]

    def before_write(self, t: float) -> None:
        """Pushes due at ``t`` [s] start now."""
        while self._next_push < len(self.pushes) and self.pushes[self._next_push].t <= t:
            p = self.pushes[self._next_push]
            self.sim.apply_push(np.array(p.force), p.duration)
            self._next_push += 1

    def after_read(self) -> None:
        xpos, slip = self.sim.data.xpos, self.slip
        for side, body, wrench in self._feet:
            slip.update_foot(side, xpos[body, 0], xpos[body, 1], wrench[2])


class CommandVerdict:
    """What :meth:`DriverCore.receive_command` did with a command."""

    ACCEPTED = "accepted"  # in force from now on
    REJECTED = "rejected"  # refused by the safety layer (invalid: the robot damps)
    STALE = "stale"  # answers an older state than the driver's (lockstep) or the watchdog allows
    MUTED = "muted"  # an injected fault swallowed it


@dataclass
class DriverCounters:
    commands_received: int = 0
    commands_rejected_stale: int = 0
    missed_ticks: int = 0


class DriverCore:
    """Hardware + safety (+ simulation helpers) from the driver's parameters (``params.DRIVER``).

    ``attach_transport(hw)`` runs between the backend's configure and activate on the real
    robot (the topic bridge gets its ROS transport there)."""

    def __init__(self, cfg: dict, robot: RobotModel | None = None, attach_transport=None):
        self.cfg = cfg
        self.dt = 1.0 / cfg["rate_hz"]  # [s]
        self.dt_ns = int(round(self.dt * 1e9))
        self.lockstep = cfg["mode"] == "lockstep"
        self.robot = robot if robot is not None else RobotModel.load(cfg["robot"])
        r = self.robot
        info = hardware_info_for(r.urdf_text, str(r.config.urdf_path), r.joint_names)
        self.simulation = cfg["simulation"]
        backend = resolve_backend(cfg["backend"], info)
        if self.simulation:
            check_faults([parse_fault(s) for s in cfg["faults"] if s], backend, info.joint_names)
            sim = SimParams(timestep=min(0.001, self.dt), friction=cfg["friction"],
                            imu_gyro_noise_std=cfg["imu_gyro_noise_std"], imu_accel_noise_std=cfg["imu_accel_noise_std"],
                            imu_orientation_noise_std=cfg["imu_orientation_noise_std"],
                            joint_velocity_noise_std=cfg["joint_velocity_noise_std"], seed=cfg["seed"],
                            terrain=cfg["terrain"], joint_position_noise_std=cfg["joint_position_noise_std"],
                            imu_gyro_bias=tuple(cfg["imu_gyro_bias"]),
                            link_mass_scale=named_values(cfg["link_mass_scale"], "link_mass_scale"),
                            link_com_offset=named_values(cfg["link_com_offset"], "link_com_offset", 3),
                            torque_constant_scale=named_values(cfg["torque_constant_scale"], "torque_constant_scale"),
                            joint_friction=cfg["joint_friction"], sensor_delay_s=cfg["sensor_delay_s"],
                            actuation_delay_s=cfg["actuation_delay_s"])
            self.hardware = make_simulated_hardware(backend, r, info, sim, cfg["hardware_config"], cfg["seed"],
                                                    cfg["rate_hz"])
        else:
            self.check_hardware_settings(cfg)
            self.hardware = make_hardware(backend, r, info, cfg["hardware_config"], cfg["rate_hz"],
                                          before_activate=attach_transport)
        self.hw = self.hardware.hw
        self.sim = self.hardware.sim
        hw_names = self.hw.joint_names
        self.hw_to_ros = JointMap(hw_names, r.ros_joint_names)
        self.hw_to_pin = JointMap(hw_names, r.joint_names)
        self.pin_to_hw = JointMap(r.joint_names, hw_names)
        pin_idx = [r.joint_names.index(n) for n in hw_names]
        kp_max = self.hw.command_max.get("kp", np.full(len(hw_names), 1e3))
        kd_max = self.hw.command_max.get("kd", np.full(len(hw_names), 1e2))
        self.safety = SafetySupervisor(
            hw_names, (r.q_lower[pin_idx], r.q_upper[pin_idx]), r.v_max[pin_idx], r.tau_max[pin_idx],
            (np.where(np.isfinite(kp_max), kp_max, 1e3), np.where(np.isfinite(kd_max), kd_max, 1e2)),
            SafetyParams(cfg["command_timeout_s"], cfg["damping_kd"], cfg["max_tilt_rad"], cfg["estop_action"],
                         cfg["soft_start_s"], cfg["motor_derate_temperature_c"], cfg["motor_max_temperature_c"],
                         cfg["min_base_height_ratio"] * float(r.nominal_configuration()[2]), cfg["hold_timeout_s"],
                         cfg["hold_deflection_rad"], cfg["hold_damping_s"]))
        self.helpers = SimulationHelpers(cfg, self.hardware, self.safety) if self.simulation else None
        #: fall detection's tilt and base height from the IMU and the leg kinematics
        self.fall = FallKinematics(r)
        self._joint_q = np.zeros(r.nj)  # [rad] Pinocchio order, the fall check's joint angles
        c = self.hw.joint_command
        self._hw_command = CommandArrays(c["position"], c["velocity"], c["effort"], c["kp"], c["kd"])
        self._cmd_maps = {}
        #: the last accepted command (hardware order), copied: a sender's buffer may change after
        self.command: CommandArrays | None = None
        n = len(hw_names)
        self._accepted = CommandArrays(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))
        self.tick_ns = 0  # [ns] time since the start of the run (pushes and faults are scheduled on it)
        self.counters = DriverCounters()
        #: real time: sensor -> command latency [µs]
        self.latency = TimingStats(self.dt)
        self.stats = TimingStats(self.dt)
        #: hardware mode: the newest sensor samples from the robot's topics, and when the IMU's arrived
        self.sensor_inputs = {s: np.full(len(v), np.nan) for s, v in self.hw.sensor_state.items()}
        self.sensor_rx: float | None = None  # [s] monotonic

    # ------------------------------------------------------------------ set-up checks
    @staticmethod
    def check_hardware_settings(cfg) -> None:
        """Settings that only make sense for a simulation, refused on the real robot."""
        if cfg["mode"] != "realtime":
            raise ConfigError("simulation: false needs mode: realtime (lockstep steps a simulation)",
                              "driver parameter 'mode'")
        for name in ("pushes", "faults"):
            if any(cfg[name]):
                raise ConfigError(f"'{name}' exist only in simulation (simulation: false)", f"driver parameter '{name}'")

    # ------------------------------------------------------------------ commands
    def command_map(self, names) -> JointMap:
        """Joint-name map from a command's joint list to the hardware order (cached per list).
        Raises :class:`~humanoid_control.errors.HumanoidControlError` naming an unknown joint."""
        key = tuple(names)
        m = self._cmd_maps.get(key)
        if m is None:
            m = JointMap(key, self.hw.joint_names, "joint in /joint_commands")
            self._cmd_maps[key] = m
        return m

    def reject(self, why: str) -> None:
        self.safety.rejected += 1
        self.safety.last_rejection = why

    def receive_command(self, cmd: CommandArrays, stamp_ns: int, now_ns: int | None = None) -> str:
        """A command (hardware joint order) answering the state stamped ``stamp_ns``.
        Lockstep: only the current state's command counts. Real time: ``now_ns`` (the clock
        the stamps come from) gives the sensor→command latency and the age check.
        Returns a :class:`CommandVerdict` value."""
        t = self.tick_ns * 1e-9
        if self.helpers is not None:
            cmd = self.helpers.faults.filter_command(cmd, t)
            if cmd is None:
                return CommandVerdict.MUTED
        if self.lockstep and stamp_ns != self.tick_ns:
            self.counters.commands_rejected_stale += 1
            return CommandVerdict.STALE
        if not self.lockstep and now_ns is not None:
            age_ns = now_ns - stamp_ns
            self.latency.add(age_ns * 1e-3)
            if age_ns > self.cfg["command_timeout_s"] * 1e9:
                self.counters.commands_rejected_stale += 1
                return CommandVerdict.STALE
        if self.safety.accept(cmd, t):
            self.command = self._accepted.assign(cmd)
            self.counters.commands_received += 1
            return CommandVerdict.ACCEPTED
        return CommandVerdict.REJECTED

    # ------------------------------------------------------------------ hardware mode
    def take_hardware_sensors(self) -> None:
        """Hardware mode: the newest sensor samples into the backend's sensor states (what
        arrived replaces what the backend has; a mock keeps its level IMU until then)."""
        for name, buf in self.sensor_inputs.items():
            if name in self.hw.sensor_state and np.all(np.isfinite(buf)):
                self.hw.sensor_state[name][:] = buf

    def check_sensor_watchdog(self, t: float) -> None:
        if (self.counters.commands_received == 0 or self.hardware.backend == "mock"
                or self.safety.mode is not Mode.NORMAL):
            return
        if self.sensor_rx is None or time.monotonic() - self.sensor_rx > self.cfg["sensor_timeout_s"]:
            self.safety.trip(t, "sensor_timeout")

    # ------------------------------------------------------------------ the tick
    def advance(self, steps: int = 1) -> None:
        """Safety checks, the safe command to the hardware, ``steps`` control periods of the
        plant (physics keeps its own clock when ticks come late), read back."""
        sw = Stopwatch()
        t = self.tick_ns * 1e-9
        hw, safety, helpers = self.hw, self.safety, self.helpers
        if helpers is not None:
            helpers.faults.step(t)
        else:
            self.check_sensor_watchdog(t)
        imu_q = hw.sensor_state["imu"][0:4]
        if self.simulation or math.isfinite(imu_q[0] + imu_q[1] + imu_q[2] + imu_q[3]):
            # (hardware before its first IMU message: nothing to judge)
            np.take(hw.joint_state["position"], self.hw_to_pin.index, out=self._joint_q)
            tilt, height = self.fall.figures(self._joint_q, imu_q)
            safety.check(t, tilt, height if safety.params.min_base_height_m > 0.0 else math.inf,
                         hw.joint_state["position"], None if self.command is None else self.command.effort)
        if hw.has_motor_telemetry:
            safety.check_motors(t, hw.joint_state["temperature"], hw.joint_state["error_code"], hw.lost_joints())
        safety.output(self.command, t, self._hw_command)  # straight into the command interfaces
        if helpers is not None:
            helpers.before_write(t)
        period = self.dt * steps
        if hw.write_checked(t, period) is ReturnType.ERROR and safety.mode is not Mode.TORQUE_OFF:
            safety.hardware_error(t, hw.last_error or f"write failed ({hw.state.value})")
        self.hardware.advance(t, period)
        self.tick_ns += self.dt_ns * steps
        hw.read_checked(self.tick_ns * 1e-9, period)
        if helpers is not None:
            helpers.after_read()
        else:
            self.take_hardware_sensors()
        self.stats.add(sw.us())

    # ------------------------------------------------------------------ reporting
    def latency_figures(self, recent_s: float | None = None) -> dict:
        """Real time: ``latency_{p50,p99,max}_us`` from a state's sampling to the arrival of
        the command that answers it, and ``latency_samples`` (0 in lockstep)."""
        p50, p99, pmax = self.latency.percentiles(recent_s)
        return {"latency_p50_us": round(p50, 1), "latency_p99_us": round(p99, 1), "latency_max_us": round(pmax, 1),
                "latency_samples": self.latency.count}

    def plant_figures(self, recent_s: float | None = None) -> dict:
        """Simulation: ``plant_{p50,p99}_us``, the simulated world's share of the driver's
        time (actuators, MuJoCo's step, the F/T sensors); empty on a robot."""
        if self.sim is None:
            return {}
        p50, p99, _ = self.sim.plant_stats.percentiles(recent_s)
        return {"plant_p50_us": round(p50, 1), "plant_p99_us": round(p99, 1)}

    def node_stats(self, name: str = "driver", recent_s: float | None = None) -> NodeStats:
        s, c = self.safety, self.counters
        helpers = self.helpers
        values = {"mode": s.mode.value, "commands_received": c.commands_received, "commands_rejected": s.rejected,
                  "commands_stale": c.commands_rejected_stale, "last_rejection": s.last_rejection,
                  "missed_ticks": c.missed_ticks, **self.latency_figures(recent_s), "backend": self.hardware.backend,
                  "lifecycle": self.hw.state.value,
                  "foot_slip_max_m": round(helpers.slip.max_slip_m, 5) if helpers is not None else 0.0,
                  "hardware_message": s.hardware_message,
                  "commands_muted": helpers.faults.commands_muted if helpers is not None else 0,
                  **self.plant_figures(recent_s), **self.hw.health()}
        return NodeStats.of(name, self.stats, 0 if s.mode is Mode.NORMAL else 2, s.mode.value, values,
                            [e.__dict__ for e in s.events], recent_s=recent_s)

    def shutdown(self) -> None:
        self.hardware.shutdown()


__all__ = ["DriverCore", "SimulationHelpers", "CommandVerdict", "HumanoidControlError"]
