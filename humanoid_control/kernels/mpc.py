"""Numba kernels of the centroidal MPC, each with a pure-numpy twin (same contract as
:mod:`humanoid_control.kernels.wbc`: ``*_numpy`` is the reference, the ``@njit`` function
computes the same numbers, ``test/kernels/test_mpc_kernels.py`` checks they agree, :func:`warm_up`
compiles them at start-up; ``HUMANOID_CONTROL_NUMBA=0`` selects the twins)."""
from __future__ import annotations

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select


def rollout_numpy(x, x0, x_ref, foot_position, u, A, B_force, d, dt):
    """States of the centroidal model under piecewise-constant foot wrenches.

    x (N + 1, 9) output [c, ċ, L]; x0 (9,); x_ref (N + 1, 9) (its CoM linearises the
    angular momentum, row 0 is replaced by x0); foot_position (N, nf, 3) [m]; u (N, nf, 6)
    [N, N·m]; A (9, 9), B_force (9, 3), d (9,) the CoM part's exact discretisation; dt [s]."""
    x[0] = x0
    for k in range(u.shape[0]):
        c_ref = x_ref[k, 0:3] if k > 0 else x0[0:3]
        f_total = u[k, :, 0:3].sum(axis=0)
        l_dot = (np.cross(foot_position[k] - c_ref, u[k, :, 0:3]) + u[k, :, 3:6]).sum(axis=0)
        x[k + 1] = A @ x[k] + B_force @ f_total + d
        x[k + 1, 6:9] = x[k, 6:9] + dt * l_dot


@njit(cache=True)
def _rollout(x, x0, x_ref, foot_position, u, A, B_force, d, dt):
    nx = x.shape[1]
    for i in range(nx):
        x[0, i] = x0[i]
    f = np.zeros(3)
    l_dot = np.zeros(3)
    for k in range(u.shape[0]):
        for i in range(3):
            f[i] = 0.0
            l_dot[i] = 0.0
        for j in range(u.shape[1]):
            rx = foot_position[k, j, 0] - (x_ref[k, 0] if k > 0 else x0[0])
            ry = foot_position[k, j, 1] - (x_ref[k, 1] if k > 0 else x0[1])
            rz = foot_position[k, j, 2] - (x_ref[k, 2] if k > 0 else x0[2])
            fx, fy, fz = u[k, j, 0], u[k, j, 1], u[k, j, 2]
            f[0] += fx
            f[1] += fy
            f[2] += fz
            l_dot[0] += ry * fz - rz * fy + u[k, j, 3]
            l_dot[1] += rz * fx - rx * fz + u[k, j, 4]
            l_dot[2] += rx * fy - ry * fx + u[k, j, 5]
        for i in range(nx):
            s = d[i]
            for m in range(nx):
                s += A[i, m] * x[k, m]
            for m in range(3):
                s += B_force[i, m] * f[m]
            x[k + 1, i] = s
        for i in range(3):
            x[k + 1, 6 + i] = x[k, 6 + i] + dt * l_dot[i]


NUMPY_TWINS = {"rollout": rollout_numpy}
NUMBA_KERNELS = {"rollout": _rollout}
rollout = select(NUMBA_KERNELS, NUMPY_TWINS)["rollout"]


def example_arguments(N: int = 6, rng=None) -> dict:
    rng = rng or np.random.default_rng(0)
    A = np.eye(9) + 0.01 * rng.normal(size=(9, 9))
    return {"rollout": (np.zeros((N + 1, 9)), rng.normal(size=9), rng.normal(size=(N + 1, 9)),
                        rng.normal(size=(N, 2, 3)), rng.normal(size=(N, 2, 6)) * 100, A, rng.normal(size=(9, 3)),
                        rng.normal(size=9), 0.05)}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)
