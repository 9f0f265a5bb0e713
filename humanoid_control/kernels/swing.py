"""Numba kernel of a swing foot's reference state, with its numpy twin (same contract as the
other kernel modules; ``test/kernels/test_swing_kernels.py``). The WBC evaluates the
current swing every tick (:meth:`humanoid_control.planning.swing_trajectory.SwingTrajectory.evaluate`):
a quintic per axis, an apex bump on z and the late-touch-down descent — ~9 µs through
numpy's small-array calls, ~1 µs here.

``c`` (6, 3): rows = powers; columns x and y in σ = clip(τ − h0, 0, h1 − h0) (the foot
travels only inside the window [h0, h1] of the swing, τ = time since lift-off), z in τ.
``windows`` (4,) = h0, h1, t_r, t_f [s]. The bump added to z is the classic
h·64 s³(1−s)³ (s = τ/T) when t_r ≤ 0, else a plateau: h·S(τ/t_r) while rising, h from t_r
to t_f, h·S((T − τ)/(T − t_f)) while lowering (S: the quintic smoothstep 10u³ − 15u⁴ + 6u⁵)."""
from __future__ import annotations

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select

_EXPONENTS = np.arange(6.0)
_D1 = np.arange(1.0, 6.0)  # d/dτ of τ^k: k τ^(k−1)
_D2 = np.arange(2.0, 6.0) * np.arange(1.0, 5.0)  # d²/dτ²: k (k − 1) τ^(k−2)


def evaluate_polynomial(c: np.ndarray, tau: float) -> tuple:
    """(position, velocity, acceleration) of the quintic with coefficients c (6, d) at τ."""
    powers = tau ** _EXPONENTS
    p = powers @ c
    v = (_D1 * powers[:5]) @ c[1:]
    a = (_D2 * powers[:4]) @ c[2:]
    return p, v, a


def _smoothstep(u: float, rate: float) -> tuple:
    """S(u), dS/dτ, d²S/dτ² of the quintic smoothstep with u = rate·τ (+ const)."""
    return (u ** 3 * (10.0 - 15.0 * u + 6.0 * u * u), 30.0 * u * u * (1.0 - u) ** 2 * rate,
            60.0 * u * (1.0 - u) * (1.0 - 2.0 * u) * rate * rate)


def swing_state_numpy(out, c, windows, elapsed, duration, height, late_descent_speed, max_late_descent) -> None:
    """``out`` (3, 3) ← rows position [m], velocity [m/s], acceleration [m/s²] (world) of a
    swing ``elapsed`` [s] after its lift-off (τ = clip(elapsed, 0, duration)): the pieces of
    the module docstring, and past the planned touch-down a descent at
    ``late_descent_speed`` down to ``max_late_descent`` [m] below the target."""
    h0, h1, t_r, t_f = windows
    tau = min(max(elapsed, 0.0), duration)
    out[0, 0:2], out[1, 0:2], out[2, 0:2] = evaluate_polynomial(c[:, 0:2], min(max(tau - h0, 0.0), h1 - h0))
    p, v, a = evaluate_polynomial(c[:, 2:3], tau)
    out[0, 2], out[1, 2], out[2, 2] = p[0], v[0], a[0]
    T, h = duration, height
    if t_r <= 0.0:
        s = tau / duration
        out[0, 2] += 64.0 * h * s ** 3 * (1 - s) ** 3
        out[1, 2] += 64.0 * h * (3 * s ** 2 * (1 - s) ** 3 - 3 * s ** 3 * (1 - s) ** 2) / T
        out[2, 2] += 64.0 * h * (6 * s * (1 - s) ** 3 - 18 * s ** 2 * (1 - s) ** 2 + 6 * s ** 3 * (1 - s)) / T ** 2
    else:
        if tau < t_r:
            b = _smoothstep(tau / t_r, 1.0 / t_r)
        elif tau <= t_f:
            b = (1.0, 0.0, 0.0)
        else:
            b = _smoothstep((T - tau) / (T - t_f), -1.0 / (T - t_f))
        out[0, 2] += h * b[0]
        out[1, 2] += h * b[1]
        out[2, 2] += h * b[2]
    late = elapsed - duration
    if late > 0.0:
        depth = min(late * late_descent_speed, max_late_descent)
        out[0, 2] -= depth
        out[1, 2] = -late_descent_speed if depth < max_late_descent else 0.0


@njit(cache=True)
def _swing_state(out, c, windows, elapsed, duration, height, late_descent_speed, max_late_descent):
    h0, h1, t_r, t_f = windows[0], windows[1], windows[2], windows[3]
    tau = min(max(elapsed, 0.0), duration)
    sigma = min(max(tau - h0, 0.0), h1 - h0)
    for d in range(3):
        x = sigma if d < 2 else tau
        p = 0.0
        v = 0.0
        a = 0.0
        tk = 1.0  # x^k
        for k in range(6):
            p += c[k, d] * tk
            if k + 1 < 6:
                v += (k + 1) * c[k + 1, d] * tk
            if k + 2 < 6:
                a += (k + 2) * (k + 1) * c[k + 2, d] * tk
            tk *= x
        out[0, d] = p
        out[1, d] = v
        out[2, d] = a
    T, h = duration, height
    if t_r <= 0.0:
        s = tau / duration
        u = 1.0 - s
        out[0, 2] += 64.0 * h * s ** 3 * u ** 3
        out[1, 2] += 64.0 * h * (3 * s ** 2 * u ** 3 - 3 * s ** 3 * u ** 2) / T
        out[2, 2] += 64.0 * h * (6 * s * u ** 3 - 18 * s ** 2 * u ** 2 + 6 * s ** 3 * u) / T ** 2
    else:
        if tau < t_r:
            w, rate = tau / t_r, 1.0 / t_r
        elif tau <= t_f:
            w, rate = 1.0, 0.0
        else:
            w, rate = (T - tau) / (T - t_f), -1.0 / (T - t_f)
        out[0, 2] += h * w ** 3 * (10.0 - 15.0 * w + 6.0 * w * w)
        out[1, 2] += h * 30.0 * w * w * (1.0 - w) ** 2 * rate
        out[2, 2] += h * 60.0 * w * (1.0 - w) * (1.0 - 2.0 * w) * rate * rate
    late = elapsed - duration
    if late > 0.0:
        depth = min(late * late_descent_speed, max_late_descent)
        out[0, 2] -= depth
        out[1, 2] = -late_descent_speed if depth < max_late_descent else 0.0


NUMPY_TWINS = {"swing_state": swing_state_numpy}
NUMBA_KERNELS = {"swing_state": _swing_state}
swing_state = select(NUMBA_KERNELS, NUMPY_TWINS)["swing_state"]


def example_arguments(rng=None, elapsed: float = 0.2) -> dict:
    rng = rng or np.random.default_rng(0)
    plateau = np.array([0.035, 0.315, 0.12, 0.23])  # lift-first windows; classic: [0, T, 0, 0]
    return {"swing_state": (np.zeros((3, 3)), rng.normal(size=(6, 3)), plateau, elapsed, 0.35, 0.06, 0.1, 0.05)}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)


__all__ = ["swing_state", "swing_state_numpy", "evaluate_polynomial", "warm_up", "example_arguments"]
