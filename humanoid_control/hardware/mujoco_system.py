"""MuJoCo simulation backend (plugin ``humanoid_control/MujocoSystem``).

``write(time, period)`` applies the joint commands the way an electric actuator's MIT mode
does, at physics rate::

    tau = clip(effort + kp * (position - q) + kd * (velocity - dq), -tau_max, tau_max)

and advances the physics by ``period``. ``read`` fills joint states, the IMU (orientation,
angular velocity, proper linear acceleration, with configurable noise and gyro bias) and the
foot contact wrenches (the sum of contact forces on each foot, expressed in the sole frame
at its origin — what sole pressure / ankle F/T sensors measure). Ground truth is available
through :meth:`ground_truth` for tests and reports only; no controller reads it.

The robot it simulates may differ from the one the controller believes in (all off by
default; the robustness campaigns draw them, ``humanoid_control/sim/campaign.py``): link
masses and centres of mass (``link_mass_scale``, ``link_com_offset``), each motor's torque
constant (``torque_constant_scale``: the torque produced is the command times it, the effort
read back is the command — as a current-sensing drive reports it), Coulomb joint friction
(``joint_friction``), and delays: the controller reads joint states, IMU and foot wrenches
``sensor_delay_s`` late and its commands act ``actuation_delay_s`` late (each rounded to
whole control periods)."""
from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter_ns as time_ns

import mujoco
import numpy as np

from humanoid_control.errors import ConfigError, ParameterRangeError, UnknownNameError
from humanoid_control.hardware.mujoco_model import build_mujoco_model, set_qpos_from_pinocchio
from humanoid_control.hardware.system_interface import CallbackReturn, LifecycleState, ReturnType, SystemInterface
from humanoid_control.kernels import contact as contact_kernels
from humanoid_control.kernels import sim_io
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import HardwareInfo
from humanoid_control.timing import TimingStats

IMU_INTERFACES = ("orientation.x", "orientation.y", "orientation.z", "orientation.w",
                  "angular_velocity.x", "angular_velocity.y", "angular_velocity.z",
                  "linear_acceleration.x", "linear_acceleration.y", "linear_acceleration.z")
WRENCH_INTERFACES = ("force.x", "force.y", "force.z", "torque.x", "torque.y", "torque.z")


@dataclass
class SimParams:
    """Simulation settings; bounds are checked by :meth:`validate`."""

    timestep: float = 0.001  # [s] physics step, (0, 0.005]
    friction: float = 1.0  # [-] sliding friction coefficient, [0.05, 3]
    imu_orientation_noise_std: float = 0.0  # [rad] per axis, [0, 0.1]
    imu_gyro_noise_std: float = 0.0  # [rad/s], [0, 1]
    imu_gyro_bias: tuple = (0.0, 0.0, 0.0)  # [rad/s]
    imu_accel_noise_std: float = 0.0  # [m/s²], [0, 5]
    joint_position_noise_std: float = 0.0  # [rad], [0, 0.01]
    joint_velocity_noise_std: float = 0.0  # [rad/s], [0, 1]
    seed: int = 0
    terrain: str = "flat"  # the ground (humanoid_control/sim/terrain.py: flat, slope:DEG[@X], ...)
    # the simulated robot's differences from the model (see the module docstring); name -> value
    link_mass_scale: dict = field(default_factory=dict)  # [-] link -> mass (and inertia) factor, [0.5, 1.5]
    link_com_offset: dict = field(default_factory=dict)  # [m] link -> (3,) CoM shift in the link frame, each ≤ 0.05
    torque_constant_scale: dict = field(default_factory=dict)  # [-] joint -> torque factor, [0.5, 1.5]
    joint_friction: float = 0.0  # [N·m] Coulomb friction of every joint, [0, 10]
    sensor_delay_s: float = 0.0  # [s], [0, 0.02]
    actuation_delay_s: float = 0.0  # [s], [0, 0.02]

    def validate(self) -> "SimParams":
        for name, lo, hi, unit in (("timestep", 1e-5, 0.005, "s"), ("friction", 0.05, 3.0, ""),
                                   ("imu_orientation_noise_std", 0, 0.1, "rad"), ("imu_gyro_noise_std", 0, 1, "rad/s"),
                                   ("imu_accel_noise_std", 0, 5, "m/s²"), ("joint_position_noise_std", 0, 0.01, "rad"),
                                   ("joint_velocity_noise_std", 0, 1, "rad/s"), ("joint_friction", 0, 10, "N·m"),
                                   ("sensor_delay_s", 0, 0.02, "s"), ("actuation_delay_s", 0, 0.02, "s")):
            v = getattr(self, name)
            if not (lo <= v <= hi):
                raise ParameterRangeError(name, v, lo, hi, unit)
        for what, values, lo, hi in (("link_mass_scale", self.link_mass_scale, 0.5, 1.5),
                                     ("torque_constant_scale", self.torque_constant_scale, 0.5, 1.5),
                                     ("link_com_offset", self.link_com_offset, -0.05, 0.05)):
            for name, v in values.items():
                for x in np.atleast_1d(np.asarray(v, dtype=float)):
                    if not lo <= x <= hi:
                        raise ParameterRangeError(what, float(x), lo, hi, source=f"{what} entry '{name}'")
        if len(self.imu_gyro_bias) != 3:
            raise ConfigError(f"imu_gyro_bias needs 3 values [rad/s], got {list(self.imu_gyro_bias)}", "imu_gyro_bias")
        return self


class SensorNoise:
    """Standard normals for the simulated sensors' noise, drawn BLOCK ticks at a time (one
    generator call per block instead of up to five per tick: ~20 µs a tick less). The
    numbers and their order are those of drawing each sensor's noise tick by tick
    (joint positions, joint velocities, IMU orientation, gyro, accelerometer — each only if
    its standard deviation is non-zero); ``slices`` says where each lies in a row."""

    BLOCK = 1000

    def __init__(self, rng: np.random.Generator, n_joints: int, params: "SimParams"):
        self.rng = rng
        self.slices = {}
        k = 0
        for name, std, n in (("position", params.joint_position_noise_std, n_joints),
                             ("velocity", params.joint_velocity_noise_std, n_joints),
                             ("orientation", params.imu_orientation_noise_std, 3),
                             ("gyro", params.imu_gyro_noise_std, 3), ("accel", params.imu_accel_noise_std, 3)):
            if std > 0:
                self.slices[name] = slice(k, k + n)
                k += n
        self.width = k
        self._block = np.zeros((0, k))
        self._row = 0

    def next_row(self) -> np.ndarray:
        """(width,) this tick's standard normals."""
        if self._row >= len(self._block):
            self._block = self.rng.standard_normal((self.BLOCK, self.width))
            self._row = 0
        self._row += 1
        return self._block[self._row - 1]


def named_values(entries, param: str, width: int = 1) -> dict:
    """``["NAME:V", ...]`` (``width`` numbers ``V1,V2,...`` each) of a driver parameter ->
    {name: value} (a float, or a list of ``width`` floats); '' entries are skipped."""
    out = {}
    for text in entries:
        if not str(text).strip():
            continue
        name, sep, raw = str(text).rpartition(":")
        try:
            values = [float(x) for x in raw.split(",")]
        except ValueError:
            values = []
        if not sep or not name.strip() or len(values) != width:
            form = "NAME:" + ",".join(f"V{i + 1}" for i in range(width)) if width > 1 else "NAME:VALUE"
            raise ConfigError(f"entry '{text}' does not read as {form}", param)
        out[name.strip()] = values[0] if width == 1 else values
    return out


class DelayLine:
    """A fixed delay of whole samples: :meth:`push` stores this sample's row and returns the
    one ``delay`` pushes older (the oldest stored while fewer have been pushed)."""

    def __init__(self, delay: int, width: int):
        self.delay = int(delay)
        self._rows = np.zeros((self.delay + 1, width))
        self._n = 0  # rows pushed

    def push(self, row: np.ndarray) -> np.ndarray:
        k = self.delay + 1
        self._rows[self._n % k] = row
        self._n += 1
        return self._rows[max(self._n - 1 - self.delay, 0) % k]


def _apply_model_errors(model, robot_joints, params: "SimParams", h) -> None:
    """The simulated robot's link masses, CoMs, joint friction (see :class:`SimParams`);
    names that MuJoCo does not have are refused with the ones it has."""
    bodies = [mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_BODY, b) for b in range(1, model.nbody)]
    for what, values in (("link_mass_scale", params.link_mass_scale), ("link_com_offset", params.link_com_offset)):
        for link, value in values.items():
            b = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, link)
            if b <= 0:
                raise UnknownNameError("link", link, bodies, what)
            if what == "link_mass_scale":
                model.body_mass[b] *= float(value)
                model.body_inertia[b] *= float(value)
            else:
                model.body_ipos[b] += np.asarray(value, dtype=float).reshape(3)
    if params.joint_friction > 0.0:
        model.dof_frictionloss[h.joint_dof_adr] = params.joint_friction
    for joint in params.torque_constant_scale:
        if joint not in robot_joints:
            raise UnknownNameError("joint", joint, robot_joints, "torque_constant_scale")


class MujocoSystem(SystemInterface):
    """The embedded default backend: the robot standing on a flat floor in MuJoCo."""

    PLUGIN = "humanoid_control/MujocoSystem"

    def __init__(self, robot: RobotModel, params: SimParams | None = None):
        super().__init__()
        self.robot = robot
        self.params = (params or SimParams()).validate()
        self.rng = np.random.default_rng(self.params.seed)
        self._push_force = np.zeros(3)
        self._push_until = -1.0
        self._pushed = False  # the base carries a push force in xfrc_applied
        #: [µs] per write: the simulated world (actuators, physics, F/T sensors) — on a robot
        #: this time is not the controller's (reports keep it apart from the driver's own)
        self.plant_stats = TimingStats(self.params.timestep)

    # ------------------------------------------------------------------ lifecycle
    def on_init(self, info: HardwareInfo) -> CallbackReturn:
        super().on_init(info)
        for n in self.joint_names:
            if n not in self.robot.joint_names:
                raise UnknownNameError("joint", n, self.robot.joint_names, "<ros2_control>")
        missing = [n for n in self.robot.joint_names if n not in self.joint_names]
        if missing:
            raise ConfigError(f"URDF joints {missing} have no <ros2_control> <joint> entry", "<ros2_control>")
        sensors = {s.name: s for s in info.sensors}
        need = {"imu": IMU_INTERFACES, **{f"{side}_foot_wrench": WRENCH_INTERFACES for side in self.robot.config.feet}}
        for name, ifaces in need.items():
            if name not in sensors:
                raise UnknownNameError("sensor", name, sorted(sensors), "<ros2_control> (MujocoSystem needs it)")
            have = [s.name for s in sensors[name].state_interfaces]
            if tuple(have) != ifaces:
                raise ConfigError(f"sensor '{name}' must have state interfaces {list(ifaces)}, has {have}", "<ros2_control>")
        ts = info.hardware_parameters.get("timestep_s")
        if ts is not None:
            self.params.timestep = float(ts)
            self.params.validate()
        from humanoid_control.sim.terrain import Terrain

        self.model, self.h = build_mujoco_model(self.robot, self.joint_names, self.params.timestep, self.params.friction,
                                                terrain=Terrain.parse(self.params.terrain))
        _apply_model_errors(self.model, list(self.joint_names), self.params, self.h)
        self.data = mujoco.MjData(self.model)
        mujoco.mj_setConst(self.model, self.data)  # subtree masses etc. of the changed links
        self._kt = np.array([float(self.params.torque_constant_scale.get(n, 1.0)) for n in self.joint_names])
        self._kt_on = bool(np.any(self._kt != 1.0))
        self.tau_max = np.array([self.robot.tau_max[self.robot.joint_names.index(n)] for n in self.joint_names])
        self._pin_index = np.array([self.robot.joint_names.index(n) for n in self.joint_names], dtype=np.intp)
        self._sides = tuple(self.h.foot_geoms)
        # per foot (flat, for the kernel): the bodies its geoms belong to (chain[chain_ptr[j]:chain_ptr[j + 1]]),
        # its sole body, and the root body whose subtree CoM cfrc_ext refers to
        chains = [np.unique(self.model.geom_bodyid[sorted(self.h.foot_geoms[side])]) for side in self._sides]
        self._chain = np.concatenate(chains).astype(np.intp)
        self._chain_ptr = np.cumsum([0] + [len(c) for c in chains]).astype(np.intp)
        self._foot_body_ids = np.array([self.h.foot_bodies[side] for side in self._sides], dtype=np.intp)
        self._foot_root_ids = np.array([self.model.body_rootid[b] for b in self._foot_body_ids], dtype=np.intp)
        # the F/T sensors' state interfaces are the rows of one array the wrench kernel fills
        self._wrenches = np.full((len(self._sides), 6), np.nan)
        for j, side in enumerate(self._sides):
            self.sensor_state[f"{side}_foot_wrench"] = self._wrenches[j]
        self._gyro_bias = np.asarray(self.params.imu_gyro_bias, dtype=float)
        self._noise = SensorNoise(self.rng, len(self.joint_names), self.params)
        p = self.params
        self._noise_at = np.array([self._noise.slices[n].start if n in self._noise.slices else -1
                                   for n in ("position", "velocity", "orientation", "gyro", "accel")], dtype=np.intp)
        self._noise_std = np.array([p.joint_position_noise_std, p.joint_velocity_noise_std,
                                    p.imu_orientation_noise_std, p.imu_gyro_noise_std, p.imu_accel_noise_std])
        self._no_noise = np.zeros(0)
        self._sensor_delay = self._actuation_delay = None  # DelayLines, made at the first read / write
        self._fresh_wrenches = self._wrenches  # what the wrench kernel fills: the simulation's values now
        if self.params.sensor_delay_s > 0.0:  # the controller reads copies: the simulation's own values move on
            self._wrenches = self._fresh_wrenches.copy()
            for j, side in enumerate(self._sides):
                self.sensor_state[f"{side}_foot_wrench"] = self._wrenches[j]
        contact_kernels.warm_up()
        sim_io.warm_up()
        self.applied_effort = np.zeros(len(self.joint_names))
        self.sim_time = 0.0
        return CallbackReturn.SUCCESS

    def on_configure(self, previous_state: LifecycleState) -> CallbackReturn:
        self.reset(self.robot.nominal_configuration())
        return CallbackReturn.SUCCESS

    # ------------------------------------------------------------------ simulation
    def reset(self, q_pin: np.ndarray) -> None:
        """Put the robot at a Pinocchio configuration, at rest."""
        mujoco.mj_resetData(self.model, self.data)
        self._pushed = False
        set_qpos_from_pinocchio(self.data.qpos, self.h, q_pin, self._pin_index)
        mujoco.mj_forward(self.model, self.data)
        self._read_foot_wrenches()
        self.sim_time = 0.0

    def apply_push(self, force_world: np.ndarray, duration: float) -> None:
        """Apply a force [N] (world frame) at the base's centre of mass for ``duration`` [s]."""
        self._push_force = np.asarray(force_world, dtype=float).copy()
        self._push_until = self.sim_time + duration

    def read(self, time: float, period: float) -> ReturnType:
        d, h, noise = self.data, self.h, self._noise
        sim_io.read_sensors(self.joint_state["position"], self.joint_state["velocity"], self.joint_state["effort"],
                            self.sensor_state["imu"], d.qpos, d.qvel, h.joint_qpos_adr, h.joint_dof_adr,
                            self.applied_effort, d.sensordata, h.imu_quat_adr, h.gyro_adr, h.accel_adr,
                            self._gyro_bias, noise.next_row() if noise.width else self._no_noise, self._noise_at,
                            self._noise_std)
        if self.params.sensor_delay_s > 0.0:
            self._delay_sensors(period)
        return ReturnType.OK  # the foot wrenches were read by write() (or reset())

    def _sensor_rows(self) -> list:
        js, imu = self.joint_state, self.sensor_state["imu"]
        return [js["position"], js["velocity"], js["effort"], imu, self._wrenches.reshape(-1)]

    def _delay_sensors(self, period: float) -> None:
        """What the controller reads: this tick's sensors (the wrenches as the simulation has
        them now) stored, those of ``sensor_delay_s`` ago put in their place."""
        self._wrenches[:] = self._fresh_wrenches
        rows = self._sensor_rows()
        if self._sensor_delay is None:
            self._sensor_delay = DelayLine(round(self.params.sensor_delay_s / period), sum(len(r) for r in rows))
        old = self._sensor_delay.push(np.concatenate(rows))
        k = 0
        for r in rows:
            r[:] = old[k:k + len(r)]
            k += len(r)

    def _read_foot_wrenches(self) -> None:
        """Each foot's contact wrench at its sole origin, in the sole frame: MuJoCo's external
        forces on the foot's bodies (``cfrc_ext``, contact forces only: nothing else acts on
        a foot), summed and carried from the subtree CoM they are expressed at to the sole."""
        m, d = self.model, self.data
        mujoco.mj_rnePostConstraint(m, d)
        contact_kernels.foot_wrenches(self._fresh_wrenches, d.cfrc_ext, d.subtree_com, d.xpos, d.xmat, self._chain,
                                      self._chain_ptr, self._foot_body_ids, self._foot_root_ids)

    def write(self, time: float, period: float) -> ReturnType:
        cmd = self.joint_command
        pos, vel, eff, kp, kd = cmd["position"], cmd["velocity"], cmd["effort"], cmd["kp"], cmd["kd"]
        if not self.commands_finite():
            return ReturnType.ERROR  # the safety layer upstream never lets this happen
        if self.params.actuation_delay_s > 0.0:  # the command of actuation_delay_s ago acts now
            if self._actuation_delay is None:
                self._actuation_delay = DelayLine(round(self.params.actuation_delay_s / period), 5 * len(pos))
            pos, vel, eff, kp, kd = self._actuation_delay.push(np.concatenate([pos, vel, eff, kp, kd])).reshape(5, -1)
        d, h = self.data, self.h
        steps = max(1, int(round(period / self.params.timestep)))
        tau = self.applied_effort
        t0 = time_ns()
        for k in range(steps):
            sim_io.actuator_torques(tau, d.qfrc_applied, d.qpos, d.qvel, h.joint_qpos_adr, h.joint_dof_adr, pos, vel,
                                    eff, kp, kd, self.tau_max)
            if self._kt_on:  # the motors make kt × the commanded torque; the drive reports the command
                d.qfrc_applied[h.joint_dof_adr] = tau * self._kt
            pushing = self.sim_time < self._push_until
            if pushing or self._pushed:  # written while a push lasts, and once more to end it
                d.xfrc_applied[h.base_body, 0:3] = self._push_force if pushing else 0.0
                self._pushed = pushing
            # mj_step split in its halves, second half first: the positions, contacts and
            # sensors of the current state were computed by the previous mj_step1 (or
            # mj_forward at reset), so no extra mj_forward is needed after stepping.
            mujoco.mj_step2(self.model, d)  # constraint forces at the state just left, then integrate
            if k == steps - 1:
                self._read_foot_wrenches()  # those contact forces: the F/T sensors lag one physics step
            mujoco.mj_step1(self.model, d)  # positions, contacts, IMU orientation and gyro at the new state
            self.sim_time += self.params.timestep
        self.plant_stats.add((time_ns() - t0) * 1e-3)
        return ReturnType.OK

    # ------------------------------------------------------------------ ground truth
    def ground_truth(self) -> dict:
        """Simulator truth for tests and reports: base position [m] and orientation (xyzw)
        in world, base linear velocity [m/s] in world, angular velocity [rad/s] in base
        frame, whole-body centre of mass [m]."""
        d = self.data
        return {
            "base_position": d.qpos[0:3].copy(),
            "base_orientation_xyzw": np.array([d.qpos[4], d.qpos[5], d.qpos[6], d.qpos[3]]),
            "base_linear_velocity_world": d.qvel[0:3].copy(),
            "base_angular_velocity_local": d.qvel[3:6].copy(),
            "com": d.subtree_com[0].copy(),
        }
