"""Numba kernels of the driver's safety layer, each with a pure-numpy twin (same contract as
:mod:`humanoid_control.kernels.wbc`; ``test/kernels/test_safety_kernels.py`` checks the
pairs agree): the per-tick command check and the clamped, ramped command written straight
into the hardware's command interfaces."""
from __future__ import annotations

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select

#: tolerance of each command field's check, in CommandArrays' field order
#: (position slightly beyond a limit is clamped, not rejected)
TOLERANCES = np.array([0.05, 1e-3, 1e-3, 1e-3, 1e-3])


def first_violation_numpy(pos, vel, eff, kp, kd, q_lo, q_hi, v_max, tau_max, kp_max, kd_max) -> int:
    """``field * n + joint`` of the first field (position, velocity, effort, kp, kd) that has a
    value not finite or beyond its limit (± TOLERANCES), its first such joint; -1 if none."""
    n = pos.shape[0]
    fields = ((pos, q_lo, q_hi), (vel, -v_max, v_max), (eff, -tau_max, tau_max), (kp, 0.0 * kp_max, kp_max),
              (kd, 0.0 * kd_max, kd_max))
    for k, (x, lo, hi) in enumerate(fields):
        bad = ~np.isfinite(x) | (x < lo - TOLERANCES[k]) | (x > hi + TOLERANCES[k])
        if bad.any():
            return k * n + int(np.argmax(bad))
    return -1


@njit(cache=True)
def _first_violation(pos, vel, eff, kp, kd, q_lo, q_hi, v_max, tau_max, kp_max, kd_max):
    n = pos.shape[0]
    tol = (0.05, 1e-3, 1e-3, 1e-3, 1e-3)
    for k in range(5):
        for j in range(n):
            if k == 0:
                x, lo, hi = pos[j], q_lo[j], q_hi[j]
            elif k == 1:
                x, lo, hi = vel[j], -v_max[j], v_max[j]
            elif k == 2:
                x, lo, hi = eff[j], -tau_max[j], tau_max[j]
            elif k == 3:
                x, lo, hi = kp[j], 0.0, kp_max[j]
            else:
                x, lo, hi = kd[j], 0.0, kd_max[j]
            if not np.isfinite(x) or x < lo - tol[k] or x > hi + tol[k]:
                return k * n + j
    return -1


def safe_command_numpy(pos, vel, eff, kp, kd, out_pos, out_vel, out_eff, out_kp, out_kd, q_lo, q_hi, v_max, tau_max,
                       ramp, on):
    """The command that reaches the hardware, into ``out_*``: position clamped to [q_lo,
    q_hi] [rad], velocity to ±v_max [rad/s], effort to ±tau_max [N·m]; effort and gains times
    ``ramp`` [-] (soft start) and ``on`` (per joint 1, or 0 for a joint whose torque is off)."""
    np.clip(pos, q_lo, q_hi, out=out_pos)
    np.clip(vel, -v_max, v_max, out=out_vel)
    out_eff[:] = np.clip(eff, -tau_max, tau_max) * ramp * on
    out_kp[:] = kp * ramp * on
    out_kd[:] = kd * ramp * on


@njit(cache=True)
def _safe_command(pos, vel, eff, kp, kd, out_pos, out_vel, out_eff, out_kp, out_kd, q_lo, q_hi, v_max, tau_max,
                  ramp, on):
    for j in range(pos.shape[0]):
        out_pos[j] = min(max(pos[j], q_lo[j]), q_hi[j])
        out_vel[j] = min(max(vel[j], -v_max[j]), v_max[j])
        s = ramp * on[j]
        out_eff[j] = min(max(eff[j], -tau_max[j]), tau_max[j]) * s
        out_kp[j] = kp[j] * s
        out_kd[j] = kd[j] * s


NUMPY_TWINS = {"first_violation": first_violation_numpy, "safe_command": safe_command_numpy}
NUMBA_KERNELS = {"first_violation": _first_violation, "safe_command": _safe_command}
first_violation = select(NUMBA_KERNELS, NUMPY_TWINS)["first_violation"]
safe_command = select(NUMBA_KERNELS, NUMPY_TWINS)["safe_command"]


def example_arguments(n: int = 12, rng=None) -> dict:
    rng = rng or np.random.default_rng(0)
    limits = (-np.full(n, 1.5), np.full(n, 1.5), np.full(n, 10.0), np.full(n, 50.0))
    cmd = tuple(rng.uniform(0.0, 1.0, n) for _ in range(5))
    out = tuple(np.zeros(n) for _ in range(5))
    on = np.ones(n)
    on[n // 2] = 0.0
    return {"first_violation": (*cmd, *limits, np.full(n, 500.0), np.full(n, 50.0)),
            "safe_command": (*cmd, *out, *limits, 0.7, on)}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)
