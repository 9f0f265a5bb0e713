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


def centroidal_stages_numpy(B, G, h, foot_position, foot_yaw, c_ref, contact, units):
    """The interior-point solver's per-knot matrices of the centroidal MPC, per-unit inputs
    (force / (m g), torque / (m g ℓ)) and angular momentum per unit mass (L / m):

    B (N, 9, 12) ← input matrices of x_{k+1} = A x_k + B_k u_k + d; G (N, 2, 11, 6), h (N, 2, 11) ←
    each foot's rows G u ≤ h (friction pyramid ±f_x', ±f_y' ≤ μ f_z; CoP ±τ_x' ≤ W/2 f_z,
    ±τ_y' ≤ L/2 f_z; ±τ_z ≤ r_yaw f_z; f_z ≤ f_max), primes in the foot's yaw frame.
    foot_position (N, 2, 3) [m]; foot_yaw (N, 2) [rad]; c_ref (N, 3) [m] the CoM the angular
    momentum is linearised about; contact (N, 2) (unused rows of swing feet are still written);
    units (9,) = [dt s, mass kg, force unit N, torque unit N·m, μ, half width m, half length m,
    yaw lever m, f_max N]."""
    dt, mass, fu, tu, mu, hw, hl, ry, fmax = units
    B[...] = 0.0
    for i in range(2):
        o = 6 * i
        for a in range(3):
            B[:, a, o + a] = 0.5 * dt * dt * fu / mass
            B[:, 3 + a, o + a] = dt * fu / mass
            B[:, 6 + a, o + 3 + a] = dt * tu / mass
        r = foot_position[:, i] - c_ref  # (N, 3)
        s = dt * fu / mass
        # (r × f) = skew(r) f
        B[:, 6, o + 1] = -s * r[:, 2]
        B[:, 6, o + 2] = s * r[:, 1]
        B[:, 7, o + 0] = s * r[:, 2]
        B[:, 7, o + 2] = -s * r[:, 0]
        B[:, 8, o + 0] = -s * r[:, 1]
        B[:, 8, o + 1] = s * r[:, 0]
    c, sn = np.cos(foot_yaw), np.sin(foot_yaw)  # (N, 2)
    aw, al, ay = hw / (tu / fu), hl / (tu / fu), ry / (tu / fu)  # levers in torque units per force unit
    G[...] = 0.0
    for sign, r0 in ((1.0, 0), (-1.0, 1)):
        G[:, :, r0, 0], G[:, :, r0, 1], G[:, :, r0, 2] = sign * c, sign * sn, -mu
        G[:, :, 2 + r0, 0], G[:, :, 2 + r0, 1], G[:, :, 2 + r0, 2] = -sign * sn, sign * c, -mu
        G[:, :, 4 + r0, 3], G[:, :, 4 + r0, 4], G[:, :, 4 + r0, 2] = sign * c, sign * sn, -aw
        G[:, :, 6 + r0, 3], G[:, :, 6 + r0, 4], G[:, :, 6 + r0, 2] = -sign * sn, sign * c, -al
        G[:, :, 8 + r0, 5], G[:, :, 8 + r0, 2] = sign, -ay
    G[:, :, 10, 2] = 1.0
    h[...] = 0.0
    h[:, :, 10] = fmax / fu


NUMPY_TWINS = {"rollout": rollout_numpy, "centroidal_stages": centroidal_stages_numpy}
@njit(cache=True)
def _centroidal_stages(B, G, h, foot_position, foot_yaw, c_ref, contact, units):
    dt, mass, fu, tu, mu, hw, hl, ry, fmax = (units[0], units[1], units[2], units[3], units[4], units[5],
                                              units[6], units[7], units[8])
    N = B.shape[0]
    lever = tu / fu
    aw, al, ay = hw / lever, hl / lever, ry / lever
    s = dt * fu / mass
    for k in range(N):
        for a in range(9):
            for j in range(12):
                B[k, a, j] = 0.0
        for i in range(2):
            o = 6 * i
            for a in range(3):
                B[k, a, o + a] = 0.5 * dt * dt * fu / mass
                B[k, 3 + a, o + a] = dt * fu / mass
                B[k, 6 + a, o + 3 + a] = dt * tu / mass
            rx = foot_position[k, i, 0] - c_ref[k, 0]
            ry_ = foot_position[k, i, 1] - c_ref[k, 1]
            rz = foot_position[k, i, 2] - c_ref[k, 2]
            B[k, 6, o + 1] = -s * rz
            B[k, 6, o + 2] = s * ry_
            B[k, 7, o + 0] = s * rz
            B[k, 7, o + 2] = -s * rx
            B[k, 8, o + 0] = -s * ry_
            B[k, 8, o + 1] = s * rx
            c, sn = np.cos(foot_yaw[k, i]), np.sin(foot_yaw[k, i])
            for r in range(11):
                h[k, i, r] = 0.0
                for j in range(6):
                    G[k, i, r, j] = 0.0
            for r0 in range(2):
                sign = 1.0 - 2.0 * r0
                G[k, i, r0, 0], G[k, i, r0, 1], G[k, i, r0, 2] = sign * c, sign * sn, -mu
                G[k, i, 2 + r0, 0], G[k, i, 2 + r0, 1], G[k, i, 2 + r0, 2] = -sign * sn, sign * c, -mu
                G[k, i, 4 + r0, 3], G[k, i, 4 + r0, 4], G[k, i, 4 + r0, 2] = sign * c, sign * sn, -aw
                G[k, i, 6 + r0, 3], G[k, i, 6 + r0, 4], G[k, i, 6 + r0, 2] = -sign * sn, sign * c, -al
                G[k, i, 8 + r0, 5], G[k, i, 8 + r0, 2] = sign, -ay
            G[k, i, 10, 2] = 1.0
            h[k, i, 10] = fmax / fu


NUMBA_KERNELS = {"rollout": _rollout, "centroidal_stages": _centroidal_stages}
_selected = select(NUMBA_KERNELS, NUMPY_TWINS)
rollout, centroidal_stages = _selected["rollout"], _selected["centroidal_stages"]


def example_arguments(N: int = 6, rng=None) -> dict:
    rng = rng or np.random.default_rng(0)
    A = np.eye(9) + 0.01 * rng.normal(size=(9, 9))
    return {"rollout": (np.zeros((N + 1, 9)), rng.normal(size=9), rng.normal(size=(N + 1, 9)),
                        rng.normal(size=(N, 2, 3)), rng.normal(size=(N, 2, 6)) * 100, A, rng.normal(size=(9, 3)),
                        rng.normal(size=9), 0.05),
            "centroidal_stages": (np.zeros((N, 9, 12)), np.zeros((N, 2, 11, 6)), np.zeros((N, 2, 11)),
                                  rng.normal(size=(N, 2, 3)), rng.normal(size=(N, 2)), rng.normal(size=(N, 3)),
                                  rng.random((N, 2)) < 0.7,
                                  np.array([0.05, 37.4, 366.9, 40.4, 0.6, 0.055, 0.11, 0.033, 2000.0]))}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)
