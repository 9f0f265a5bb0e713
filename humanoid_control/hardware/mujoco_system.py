"""MuJoCo simulation backend (plugin ``humanoid_control/MujocoSystem``).

``write(time, period)`` applies the joint commands the way an electric actuator's MIT mode
does, at physics rate::

    tau = clip(effort + kp * (position - q) + kd * (velocity - dq), -tau_max, tau_max)

and advances the physics by ``period``. ``read`` fills joint states, the IMU (orientation,
angular velocity, proper linear acceleration, with configurable noise and gyro bias) and the
foot contact wrenches (the sum of contact forces on each foot, expressed in the sole frame
at its origin — what sole pressure / ankle F/T sensors measure). Ground truth is available
through :meth:`ground_truth` for tests and reports only; no controller reads it."""
from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from humanoid_control.errors import ConfigError, ParameterRangeError, UnknownNameError
from humanoid_control.hardware.mujoco_model import build_mujoco_model, set_qpos_from_pinocchio
from humanoid_control.hardware.system_interface import CallbackReturn, LifecycleState, ReturnType, SystemInterface
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import HardwareInfo
from humanoid_control.spatial import cross3

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

    def validate(self) -> "SimParams":
        for name, lo, hi, unit in (("timestep", 1e-5, 0.005, "s"), ("friction", 0.05, 3.0, ""),
                                   ("imu_orientation_noise_std", 0, 0.1, "rad"), ("imu_gyro_noise_std", 0, 1, "rad/s"),
                                   ("imu_accel_noise_std", 0, 5, "m/s²"), ("joint_position_noise_std", 0, 0.01, "rad"),
                                   ("joint_velocity_noise_std", 0, 1, "rad/s")):
            v = getattr(self, name)
            if not (lo <= v <= hi):
                raise ParameterRangeError(name, v, lo, hi, unit)
        return self


def _quat_mul_wxyz(a, b):
    aw, ax, ay, az = a
    bw, bx, by, bz = b
    return np.array([aw * bw - ax * bx - ay * by - az * bz, aw * bx + ax * bw + ay * bz - az * by,
                     aw * by - ax * bz + ay * bw + az * bx, aw * bz + ax * by - ay * bx + az * bw])


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
        self.model, self.h = build_mujoco_model(self.robot, self.joint_names, self.params.timestep, self.params.friction)
        self.data = mujoco.MjData(self.model)
        self.tau_max = np.array([self.robot.tau_max[self.robot.joint_names.index(n)] for n in self.joint_names])
        self._pin_index = np.array([self.robot.joint_names.index(n) for n in self.joint_names], dtype=np.intp)
        self._f6 = np.zeros(6)
        self._sides = tuple(self.h.foot_geoms)
        self._foot_body = [self.h.foot_bodies[side] for side in self._sides]
        #: per foot, the bodies its geoms belong to, and the body whose subtree CoM cfrc_ext refers to
        self._foot_chain = [np.unique(self.model.geom_bodyid[sorted(self.h.foot_geoms[side])]).astype(np.intp)
                            for side in self._sides]
        self._foot_root = [int(self.model.body_rootid[b]) for b in self._foot_body]
        self._wrench_out = [self.sensor_state[f"{side}_foot_wrench"] for side in self._sides]
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
        set_qpos_from_pinocchio(self.data.qpos, self.h, q_pin, self._pin_index)
        mujoco.mj_forward(self.model, self.data)
        self._read_foot_wrenches()
        self.sim_time = 0.0

    def apply_push(self, force_world: np.ndarray, duration: float) -> None:
        """Apply a force [N] (world frame) at the base's centre of mass for ``duration`` [s]."""
        self._push_force = np.asarray(force_world, dtype=float).copy()
        self._push_until = self.sim_time + duration

    def read(self, time: float, period: float) -> ReturnType:
        d, h, p = self.data, self.h, self.params
        q = d.qpos[h.joint_qpos_adr]
        dq = d.qvel[h.joint_dof_adr]
        if p.joint_position_noise_std > 0:
            q = q + self.rng.normal(0.0, p.joint_position_noise_std, q.shape)
        if p.joint_velocity_noise_std > 0:
            dq = dq + self.rng.normal(0.0, p.joint_velocity_noise_std, dq.shape)
        self.joint_state["position"][:] = q
        self.joint_state["velocity"][:] = dq
        self.joint_state["effort"][:] = self.applied_effort
        imu = self.sensor_state["imu"]
        quat = d.sensordata[h.imu_quat_adr:h.imu_quat_adr + 4].copy()  # wxyz
        if p.imu_orientation_noise_std > 0:
            dtheta = self.rng.normal(0.0, p.imu_orientation_noise_std, 3)
            quat = _quat_mul_wxyz(quat, np.concatenate(([1.0], 0.5 * dtheta)))
            quat /= np.linalg.norm(quat)
        imu[0:3] = quat[1:4]
        imu[3] = quat[0]
        imu[4:7] = d.sensordata[h.gyro_adr:h.gyro_adr + 3] + np.asarray(p.imu_gyro_bias)
        imu[7:10] = d.sensordata[h.accel_adr:h.accel_adr + 3]  # acceleration stage: one physics step old
        if p.imu_gyro_noise_std > 0:
            imu[4:7] += self.rng.normal(0.0, p.imu_gyro_noise_std, 3)
        if p.imu_accel_noise_std > 0:
            imu[7:10] += self.rng.normal(0.0, p.imu_accel_noise_std, 3)
        return ReturnType.OK  # the foot wrenches were read by write() (or reset())

    def _read_foot_wrenches(self) -> None:
        """Each foot's contact wrench at its sole origin, in the sole frame: MuJoCo's external
        forces on the foot's bodies (``cfrc_ext``, contact forces only: nothing else acts on
        a foot), summed and carried from the subtree CoM they are expressed at to the sole."""
        m, d = self.model, self.data
        mujoco.mj_rnePostConstraint(m, d)
        cf, com = d.cfrc_ext, d.subtree_com
        for j, bodies in enumerate(self._foot_chain):
            w = cf[bodies].sum(axis=0) if len(bodies) > 1 else cf[bodies[0]]  # [torque about com, force], world
            b = self._foot_body[j]
            torque = w[0:3] + cross3(com[self._foot_root[j]] - d.xpos[b], w[3:6])
            R = d.xmat[b].reshape(3, 3)
            out = self._wrench_out[j]
            out[0:3] = w[3:6] @ R  # Rᵀ f
            out[3:6] = torque @ R

    def write(self, time: float, period: float) -> ReturnType:
        cmd = self.joint_command
        pos, vel, eff, kp, kd = cmd["position"], cmd["velocity"], cmd["effort"], cmd["kp"], cmd["kd"]
        if not (np.all(np.isfinite(pos)) and np.all(np.isfinite(vel)) and np.all(np.isfinite(eff))
                and np.all(np.isfinite(kp)) and np.all(np.isfinite(kd))):
            return ReturnType.ERROR  # the safety layer upstream never lets this happen
        d, h = self.data, self.h
        steps = max(1, int(round(period / self.params.timestep)))
        for k in range(steps):
            q = d.qpos[h.joint_qpos_adr]
            dq = d.qvel[h.joint_dof_adr]
            tau = eff + kp * (pos - q) + kd * (vel - dq)
            np.clip(tau, -self.tau_max, self.tau_max, out=tau)
            d.qfrc_applied[h.joint_dof_adr] = tau
            if self.sim_time < self._push_until:
                d.xfrc_applied[h.base_body, 0:3] = self._push_force
            else:
                d.xfrc_applied[h.base_body, 0:3] = 0.0
            # mj_step split in its halves, second half first: the positions, contacts and
            # sensors of the current state were computed by the previous mj_step1 (or
            # mj_forward at reset), so no extra mj_forward is needed after stepping.
            mujoco.mj_step2(self.model, d)  # constraint forces at the state just left, then integrate
            if k == steps - 1:
                self._read_foot_wrenches()  # those contact forces: the F/T sensors lag one physics step
            mujoco.mj_step1(self.model, d)  # positions, contacts, IMU orientation and gyro at the new state
            self.sim_time += self.params.timestep
            self.applied_effort = tau
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
