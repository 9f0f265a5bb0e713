"""Numba kernels of the leg-kinematics Kalman filter, each with a pure-numpy twin (same
contract as :mod:`humanoid_control.kernels.wbc`; ``test/kernels/test_estimation_kernels.py``
checks the pairs agree). State layout: ``x = [p_base (3), v_base (3), p_foot (3) per contact]``."""
from __future__ import annotations

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select


def kf_predict_numpy(x, P, accel_world, dt, stance, accel_noise, foot_noise_stance, foot_noise_swing):
    """In place: ``x`` (n,) and ``P`` (n, n) propagated over ``dt`` [s] with the base's world
    acceleration [m/s²] (constant-acceleration base, random-walk feet; a stance foot's walk
    uses ``foot_noise_stance`` [m/√s], a swing foot's ``foot_noise_swing``)."""
    n = x.shape[0]
    x[0:3] += x[3:6] * dt + 0.5 * accel_world * dt * dt
    x[3:6] += accel_world * dt
    F = np.eye(n)
    F[0:3, 3:6] = np.eye(3) * dt
    q_acc = accel_noise ** 2
    Q = np.zeros((n, n))
    Q[0:3, 0:3] = np.eye(3) * q_acc * dt ** 4 / 4
    Q[0:3, 3:6] = Q[3:6, 0:3] = np.eye(3) * q_acc * dt ** 3 / 2
    Q[3:6, 3:6] = np.eye(3) * q_acc * dt * dt
    for k in range(stance.shape[0]):
        s = foot_noise_stance if stance[k] else foot_noise_swing
        Q[6 + 3 * k:9 + 3 * k, 6 + 3 * k:9 + 3 * k] = np.eye(3) * s * s * dt
    P[:] = F @ P @ F.T + Q


@njit(cache=True)
def _kf_predict(x, P, accel_world, dt, stance, accel_noise, foot_noise_stance, foot_noise_swing):
    n = x.shape[0]
    for i in range(3):
        x[i] += x[3 + i] * dt + 0.5 * accel_world[i] * dt * dt
        x[3 + i] += accel_world[i] * dt
    # F P Fᵀ with F = I + dt E, E selecting v into p: rows 0..2 gain dt * rows 3..5, then columns
    for i in range(3):
        for j in range(n):
            P[i, j] += dt * P[3 + i, j]
    for i in range(n):
        for j in range(3):
            P[i, j] += dt * P[i, 3 + j]
    q_acc = accel_noise * accel_noise
    for i in range(3):
        P[i, i] += q_acc * dt ** 4 / 4
        P[i, 3 + i] += q_acc * dt ** 3 / 2
        P[3 + i, i] += q_acc * dt ** 3 / 2
        P[3 + i, 3 + i] += q_acc * dt * dt
    for k in range(stance.shape[0]):
        s = foot_noise_stance if stance[k] else foot_noise_swing
        for i in range(3):
            P[6 + 3 * k + i, 6 + 3 * k + i] += s * s * dt


def kf_correct_numpy(x, P, H, z, r):
    """In place: the measurement ``z`` (m,) with model ``H`` (m, n) and independent noise
    variances ``r`` (m,), folded into ``x`` and ``P`` (symmetrised)."""
    y = z - H @ x
    S = H @ P @ H.T + np.diag(r)
    K = np.linalg.solve(S, H @ P).T
    x += K @ y
    P[:] = (np.eye(x.shape[0]) - K @ H) @ P
    P[:] = 0.5 * (P + P.T)


@njit(cache=True)
def _kf_correct(x, P, H, z, r):
    n = x.shape[0]
    HP = H @ P
    S = HP @ H.T
    for i in range(r.shape[0]):
        S[i, i] += r[i]
    K = np.linalg.solve(S, HP).T
    x += K @ (z - H @ x)
    P[:, :] = (np.eye(n) - K @ H) @ P
    for i in range(n):
        for j in range(i + 1, n):
            s = 0.5 * (P[i, j] + P[j, i])
            P[i, j] = s
            P[j, i] = s


NUMPY_TWINS = {"kf_predict": kf_predict_numpy, "kf_correct": kf_correct_numpy}
NUMBA_KERNELS = {"kf_predict": _kf_predict, "kf_correct": _kf_correct}
kf_predict = select(NUMBA_KERNELS, NUMPY_TWINS)["kf_predict"]
kf_correct = select(NUMBA_KERNELS, NUMPY_TWINS)["kf_correct"]


def example_arguments(nc: int = 2, rng=None) -> dict:
    rng = rng or np.random.default_rng(0)
    n, m = 6 + 3 * nc, 7 * nc
    A = rng.normal(size=(n, n))
    P = A @ A.T * 1e-3 + np.eye(n) * 1e-4
    stance = np.array([k % 2 == 0 for k in range(nc)])
    return {"kf_predict": (rng.normal(size=n), P.copy(), rng.normal(size=3), 0.001, stance, 0.5, 0.001, 10.0),
            "kf_correct": (rng.normal(size=n), P.copy(), rng.normal(size=(m, n)), rng.normal(size=m),
                           rng.uniform(1e-6, 1e-2, m))}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)
