"""Numba kernels of the MuJoCo backend's simulated actuators and joint/IMU sensors, each with
its numpy twin (same contract as the other kernel modules; ``test/kernels/test_sim_io_kernels.py``).
The foot force/torque sensors are in :mod:`humanoid_control.kernels.contact`.

Both do per tick what a dozen numpy calls on small arrays did (~30 µs of the driver's
tick, most of it call overhead), with the same floating-point operations in the same
order: a lockstep run gives the same numbers bit for bit."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select

#: ``noise_at`` entries: where each sensor's standard normals start in a noise row (-1: no noise)
NOISE_POSITION, NOISE_VELOCITY, NOISE_ORIENTATION, NOISE_GYRO, NOISE_ACCEL = range(5)


def actuator_torques_numpy(tau, qfrc_applied, qpos, qvel, qpos_adr, dof_adr, position, velocity, effort, kp, kd,
                           tau_max) -> None:
    """MIT-mode actuators: ``tau`` (nj) ← clip(effort + kp (position − q) + kd (velocity − dq),
    ±tau_max) [N·m], also written into ``qfrc_applied`` at the joints' DoF addresses."""
    q = qpos[qpos_adr]
    dq = qvel[dof_adr]
    tau[:] = effort + kp * (position - q) + kd * (velocity - dq)
    np.clip(tau, -tau_max, tau_max, out=tau)
    qfrc_applied[dof_adr] = tau


@njit(cache=True)
def _actuator_torques(tau, qfrc_applied, qpos, qvel, qpos_adr, dof_adr, position, velocity, effort, kp, kd, tau_max):
    for j in range(tau.shape[0]):
        t = effort[j] + kp[j] * (position[j] - qpos[qpos_adr[j]]) + kd[j] * (velocity[j] - qvel[dof_adr[j]])
        lo = -tau_max[j]
        t = lo if t < lo else t  # np.clip: max with the lower bound, then min with the upper
        t = tau_max[j] if t > tau_max[j] else t
        tau[j] = t
        qfrc_applied[dof_adr[j]] = t


def _perturbed_quaternion(w, x, y, z, dx, dy, dz) -> tuple:
    """(x, y, z, w) of the unit quaternion (w, x, y, z) ⊗ (1, dx, dy, dz), normalised: the
    true orientation turned by the small rotation 2·(dx, dy, dz) [rad]."""
    nw, nx = w - x * dx - y * dy - z * dz, w * dx + x + y * dz - z * dy
    ny, nz = w * dy - x * dz + y + z * dx, w * dz + x * dy - y * dx + z
    norm = math.sqrt(nw * nw + nx * nx + ny * ny + nz * nz)
    return nx / norm, ny / norm, nz / norm, nw / norm


_perturbed_quaternion_jit = njit(cache=True)(_perturbed_quaternion)


def read_sensors_numpy(position, velocity, effort, imu, qpos, qvel, qpos_adr, dof_adr, applied_effort, sensordata,
                       quat_adr, gyro_adr, accel_adr, gyro_bias, noise, noise_at, noise_std) -> None:
    """Joint states and the IMU from MuJoCo's state and sensor data.

    position, velocity, effort (nj) ← qpos, qvel at the joints' addresses (+ noise), the
    applied torque; imu (10) ← orientation x, y, z, w (the true one turned by a small random
    rotation when there is orientation noise), gyro [rad/s] + bias + noise, accelerometer
    [m/s²] + noise. ``noise`` is this tick's row of standard normals, ``noise_at[k]`` where
    sensor k's (NOISE_*) start in it or -1, ``noise_std[k]`` its standard deviation."""
    nj = position.shape[0]
    position[:] = qpos[qpos_adr]
    velocity[:] = qvel[dof_adr]
    if noise_at[NOISE_POSITION] >= 0:
        k = noise_at[NOISE_POSITION]
        position += noise_std[NOISE_POSITION] * noise[k:k + nj]
    if noise_at[NOISE_VELOCITY] >= 0:
        k = noise_at[NOISE_VELOCITY]
        velocity += noise_std[NOISE_VELOCITY] * noise[k:k + nj]
    effort[:] = applied_effort
    w, x, y, z = (float(c) for c in sensordata[quat_adr:quat_adr + 4])
    if noise_at[NOISE_ORIENTATION] >= 0:  # quat ⊗ (1, dθ/2)
        k = noise_at[NOISE_ORIENTATION]
        dx, dy, dz = (0.5 * (noise_std[NOISE_ORIENTATION] * noise[k:k + 3])).tolist()
        imu[0], imu[1], imu[2], imu[3] = _perturbed_quaternion(w, x, y, z, dx, dy, dz)
    else:
        imu[0], imu[1], imu[2], imu[3] = x, y, z, w
    imu[4:7] = sensordata[gyro_adr:gyro_adr + 3]
    imu[4:7] += gyro_bias
    imu[7:10] = sensordata[accel_adr:accel_adr + 3]
    if noise_at[NOISE_GYRO] >= 0:
        k = noise_at[NOISE_GYRO]
        imu[4:7] += noise_std[NOISE_GYRO] * noise[k:k + 3]
    if noise_at[NOISE_ACCEL] >= 0:
        k = noise_at[NOISE_ACCEL]
        imu[7:10] += noise_std[NOISE_ACCEL] * noise[k:k + 3]


@njit(cache=True)
def _read_sensors(position, velocity, effort, imu, qpos, qvel, qpos_adr, dof_adr, applied_effort, sensordata, quat_adr,
                  gyro_adr, accel_adr, gyro_bias, noise, noise_at, noise_std):
    nj = position.shape[0]
    kp_, kv_ = noise_at[NOISE_POSITION], noise_at[NOISE_VELOCITY]
    for j in range(nj):
        p = qpos[qpos_adr[j]]
        if kp_ >= 0:
            p = p + noise_std[NOISE_POSITION] * noise[kp_ + j]
        position[j] = p
        v = qvel[dof_adr[j]]
        if kv_ >= 0:
            v = v + noise_std[NOISE_VELOCITY] * noise[kv_ + j]
        velocity[j] = v
        effort[j] = applied_effort[j]
    w, x, y, z = sensordata[quat_adr], sensordata[quat_adr + 1], sensordata[quat_adr + 2], sensordata[quat_adr + 3]
    k = noise_at[NOISE_ORIENTATION]
    if k >= 0:
        s = noise_std[NOISE_ORIENTATION]
        dx, dy, dz = 0.5 * (s * noise[k]), 0.5 * (s * noise[k + 1]), 0.5 * (s * noise[k + 2])
        imu[0], imu[1], imu[2], imu[3] = _perturbed_quaternion_jit(w, x, y, z, dx, dy, dz)
    else:
        imu[0], imu[1], imu[2], imu[3] = x, y, z, w
    kg, ka = noise_at[NOISE_GYRO], noise_at[NOISE_ACCEL]
    for a in range(3):
        g = sensordata[gyro_adr + a] + gyro_bias[a]
        if kg >= 0:
            g = g + noise_std[NOISE_GYRO] * noise[kg + a]
        imu[4 + a] = g
        acc = sensordata[accel_adr + a]
        if ka >= 0:
            acc = acc + noise_std[NOISE_ACCEL] * noise[ka + a]
        imu[7 + a] = acc


NUMPY_TWINS = {"actuator_torques": actuator_torques_numpy, "read_sensors": read_sensors_numpy}
NUMBA_KERNELS = {"actuator_torques": _actuator_torques, "read_sensors": _read_sensors}
_selected = select(NUMBA_KERNELS, NUMPY_TWINS)
actuator_torques = _selected["actuator_torques"]
read_sensors = _selected["read_sensors"]


def example_arguments(nj: int = 6, rng=None, noisy: bool = True) -> dict:
    """A toy MuJoCo state of ``nj`` joints behind a free joint (qpos 7 + nj, qvel 6 + nj)."""
    rng = rng or np.random.default_rng(0)
    qpos = rng.normal(size=7 + nj)
    qvel = rng.normal(size=6 + nj)
    qpos_adr = np.arange(7, 7 + nj, dtype=np.intp)
    dof_adr = np.arange(6, 6 + nj, dtype=np.intp)
    cmd = tuple(rng.normal(size=nj) for _ in range(3)) + (rng.uniform(0, 50, nj), rng.uniform(0, 2, nj))
    quat = rng.normal(size=4)
    sensordata = np.concatenate([quat / np.linalg.norm(quat), rng.normal(size=6)])
    noise_at = np.array([0, nj, 2 * nj, 2 * nj + 3, 2 * nj + 6] if noisy else [-1] * 5, dtype=np.intp)
    return {"actuator_torques": (np.zeros(nj), np.zeros(6 + nj), qpos, qvel, qpos_adr, dof_adr, *cmd,
                                 np.full(nj, 1.5)),
            "read_sensors": (np.zeros(nj), np.zeros(nj), np.zeros(nj), np.zeros(10), qpos, qvel, qpos_adr, dof_adr,
                             rng.normal(size=nj), sensordata, 0, 4, 7, rng.normal(size=3) * 0.01,
                             rng.normal(size=2 * nj + 9), noise_at, np.array([1e-3, 1e-2, 5e-4, 2e-3, 2e-2]))}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)


__all__ = ["actuator_torques", "read_sensors", "warm_up", "example_arguments"]
