"""LocomotionPlan <-> flat arrays (the fields of humanoid_control_msgs/CentroidalPlan).

ROS-free: :func:`encode` returns a dict of plain values and numpy arrays named like the
message fields; :func:`decode` rebuilds a plan whose :meth:`reference_at` gives the same
WBC references as the original.

Swing row layout (``SWING_SIZE`` = 36 floats per foot, NaN row = no swing planned):
``t_start`` [s, relative to the stamp], ``duration`` [s], ``height`` [m],
``late_descent_speed`` [m/s], ``max_late_descent`` [m], ``start`` (3) [m], ``target`` (3) [m],
quintic coefficients (6 x 3, row-major), their windows h0, h1, t_r, t_f [s]
(``humanoid_control/kernels/swing.py``), ``yaw_start``, ``yaw_end`` [rad], ``lifts_over_edge``
(1 or 0)."""
from __future__ import annotations

import math

import numpy as np

from humanoid_control.mpc.centroidal_mpc import NX, MpcSolution
from humanoid_control.planning.gait_scheduler import Phase
from humanoid_control.planning.locomotion import LocomotionPlan, YawSwing
from humanoid_control.planning.swing_trajectory import CLASSIC

SWING_SIZE = 36


def encode(plan: LocomotionPlan) -> dict:
    """Plan -> message fields; times relative to ``plan.t0``."""
    t0 = plan.t0
    feet = list(plan.feet)
    swing = np.full((len(feet), SWING_SIZE), np.nan)
    for i, f in enumerate(feet):
        tr = plan.swings.get(f)
        if tr is None:
            continue
        swing[i] = np.concatenate([[tr.t_start - t0, tr.duration, tr.height, tr.late_descent_speed,
                                    tr.max_late_descent], tr.start, tr.target, tr._c.ravel(), tr._windows,
                                   [tr.yaw_start, tr.yaw_end, float(tr.lifts_over_edge)]])
    phases = [p for p in plan.phases if p.t_end > t0]
    return {
        "ok": bool(plan.mpc.ok),
        "dt": float(plan.dt),
        "feet": feet,
        "states": plan.mpc.states.ravel(),
        "wrenches": plan.mpc.wrenches.ravel(),
        "phase_start": np.array([p.t_start - t0 for p in phases]),
        "phase_end": np.array([p.t_end - t0 for p in phases]),
        "phase_swing_foot": np.array([-1 if p.swing_foot is None else feet.index(p.swing_foot) for p in phases],
                                     dtype=np.int8),
        "swing": swing.ravel(),
        "base_yaw0": float(plan.base_yaw0),
        "base_yaw_rate": float(plan.base_yaw_rate),
        "mass": float(plan.mass),
        "walking": bool(plan.walking),
        "uneven_ground": bool(plan.uneven_ground),
        "solve_time_ms": (plan.mpc.build_time_us + plan.mpc.solve_time_us) * 1e-3,
        "iterations": int(plan.mpc.iterations),
        "budget_exceeded": bool(plan.mpc.budget_exceeded),
        "solve_cpu_ms": plan.mpc.cpu_time_us * 1e-3,
    }


class PlanDecodeError(ValueError):
    """The arrays of a plan message do not fit together."""


def decode(fields: dict, t0: float) -> LocomotionPlan:
    """Message fields (stamp ``t0`` [s]) -> plan. Raises PlanDecodeError on bad shapes."""
    feet = tuple(fields["feet"])
    nf = len(feet)
    states = np.asarray(fields["states"], dtype=float)
    wrenches = np.asarray(fields["wrenches"], dtype=float)
    if nf == 0 or states.size % NX or states.size < 2 * NX:
        raise PlanDecodeError(f"states has {states.size} values, not (N+1) x {NX}")
    n = states.size // NX - 1
    if wrenches.size != n * nf * 6:
        raise PlanDecodeError(f"wrenches has {wrenches.size} values, expected {n} x {nf} x 6")
    starts = np.asarray(fields["phase_start"], float).tolist()
    ends = np.asarray(fields["phase_end"], float).tolist()
    swing_idx = np.asarray(fields["phase_swing_foot"], int).tolist()
    if not (len(starts) == len(ends) == len(swing_idx)) or any(k >= nf for k in swing_idx):
        raise PlanDecodeError("phase arrays differ in length or name a foot that does not exist")
    swing = np.asarray(fields["swing"], dtype=float)
    if swing.size != nf * SWING_SIZE:
        raise PlanDecodeError(f"swing has {swing.size} values, expected {nf} x {SWING_SIZE}")
    # a sum is finite only when every term is (one pass instead of an isfinite array each)
    if not (math.isfinite(float(states.sum()) + float(wrenches.sum())) and fields["dt"] > 0):
        raise PlanDecodeError("states, wrenches or dt are not finite / positive")
    phases = [Phase(t0 + a, t0 + b if math.isfinite(b) else math.inf, None if k < 0 else feet[k])
              for a, b, k in zip(starts, ends, swing_idx)]
    swings = {}
    rows = swing.reshape(nf, SWING_SIZE)
    for i, f in enumerate(feet):
        row = rows[i]
        if math.isnan(row[0]):
            continue
        tr = YawSwing.__new__(YawSwing)
        tr.t_start, tr.duration, tr.height = t0 + row[0], row[1], row[2]
        tr.late_descent_speed, tr.max_late_descent = row[3], row[4]
        tr.start, tr.target = row[5:8].copy(), row[8:11].copy()
        tr._c = row[11:29].reshape(6, 3).copy()
        tr._windows = row[29:33].copy()
        tr.profile = CLASSIC  # (only re-planning reads it; a decoded plan is followed, not re-planned)
        tr.yaw_start, tr.yaw_end = row[33], row[34]
        tr.lifts_over_edge = bool(row[35])
        swings[f] = tr
    mpc = MpcSolution(bool(fields["ok"]), "", int(fields.get("iterations", 0)), states.reshape(n + 1, NX),
                      wrenches.reshape(n, nf, 6))
    return LocomotionPlan(t0, mpc, float(fields["dt"]), feet, phases, swings, [], float(fields["base_yaw_rate"]),
                          float(fields["base_yaw0"]), float(fields["mass"]), bool(fields.get("walking", False)),
                          bool(fields.get("uneven_ground", False)))


def footstep_targets(feet, swing: np.ndarray) -> list:
    """[(foot, target (3,) world [m], yaw_end [rad])] of the swings a plan carries (message
    fields ``feet`` and ``swing`` reshaped to (len(feet), SWING_SIZE); NaN rows skipped)."""
    rows = np.asarray(swing, dtype=float).reshape(len(feet), SWING_SIZE)
    return [(f, rows[i, 8:11].copy(), float(rows[i, 34])) for i, f in enumerate(feet) if np.isfinite(rows[i, 0])]
