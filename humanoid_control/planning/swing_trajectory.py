"""Swing-foot trajectories: lift-off to touch-down, C2, with an apex height.

Horizontal motion is a quintic from the lift-off state to rest at the target; height is the
same quintic between the two heights plus a bump ``h · 64 s³ (1 − s)³`` (peak ``h`` at mid
swing, zero velocity and acceleration at both ends). All positions are in world [m], times
in [s].

A :class:`SwingProfile` with a rise share makes the swing *lift first*: the foot travels only
inside a window of the swing and the bump is a plateau (rise, hold, lower) — with the classic
bump a foot had 1.6 cm of its 6-cm apex when it had covered 6 % of its way, so a toe 1 cm from
a 5-cm riser caught it. The default is the classic swing.

Touch-down handling: a swing that reaches its planned end without ground contact keeps
descending at ``late_descent_speed`` [m/s] (down to ``max_late_descent`` below the target),
so a late touch-down still lands softly; an early touch-down is the caller's business (the
gait switches the foot to stance), and :meth:`SwingTrajectory.retarget` re-plans towards a
new target from the current position, velocity and acceleration without a jump."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import check_ranges

from humanoid_control.kernels import swing as swing_kernels
from humanoid_control.kernels.swing import evaluate_polynomial


def quintic_coefficients(p0, v0, a0, p1, v1, a1, duration: float) -> np.ndarray:
    """Coefficients c (6, d) of p(τ) = Σ c_k τ^k, τ ∈ [0, duration], meeting position,
    velocity and acceleration at both ends (each argument a scalar or a (d,) array)."""
    T = float(duration)
    if not T > 0.0:
        raise ValueError(f"quintic duration must be > 0 s, got {T}")
    p0, v0, a0, p1, v1, a1 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (p0, v0, a0, p1, v1, a1))
    c0, c1, c2 = p0, v0, 0.5 * a0
    # remaining three from the end conditions
    d = p1 - (c0 + c1 * T + c2 * T ** 2)
    e = v1 - (c1 + 2 * c2 * T)
    f = a1 - 2 * c2
    c3 = (10 * d - 4 * e * T + 0.5 * f * T ** 2) / T ** 3
    c4 = (-15 * d + 7 * e * T - f * T ** 2) / T ** 4
    c5 = (6 * d - 3 * e * T + 0.5 * f * T ** 2) / T ** 5
    return np.vstack([c0, c1, c2, c3, c4, c5])


@dataclass(frozen=True)
class SwingProfile:
    """When a swing travels and how its height goes, as shares of its duration [-].
    ``rise_fraction`` 0: the classic swing (travel all along, bump apex at mid-swing);
    lift-first, e.g. (0.1, 0.1, 0.35, 0.35): travel from 10 % to 90 % of the swing, at the
    apex from 35 % to 65 %."""

    lift_fraction: float = 0.0  # horizontal travel starts after this share, [0, 0.4]
    land_fraction: float = 0.0  # and ends this share before touch-down, [0, 0.4]
    rise_fraction: float = 0.0  # at the apex after this share (0: classic bump), 0 or [0.05, 0.5]
    fall_fraction: float = 0.35  # and leaves it this share before touch-down, [0.05, 0.5]

    def validate(self) -> "SwingProfile":
        ranges = (("lift_fraction", 0.0, 0.4), ("land_fraction", 0.0, 0.4), ("fall_fraction", 0.05, 0.5))
        if self.rise_fraction != 0.0:  # (0: the classic swing)
            ranges += (("rise_fraction", 0.05, 0.5),)
        check_ranges(self, ranges, "swing profile")
        return self

    @property
    def lift_first(self) -> bool:
        return self.rise_fraction > 0.0

    def windows(self, duration: float, moving: bool = False) -> np.ndarray:
        """(4,) [s] h0, h1, t_r, t_f of a swing of ``duration`` (the kernel's layout);
        ``moving``: it starts with horizontal speed, so it travels at once."""
        T = float(duration)
        h0 = 0.0 if moving else self.lift_fraction * T
        h1 = (1.0 - self.land_fraction) * T
        if h1 - h0 < 1e-3:
            h0, h1 = 0.0, T
        if not self.lift_first:
            return np.array([h0, h1, 0.0, 0.0])
        return np.array([h0, h1, self.rise_fraction * T, (1.0 - self.fall_fraction) * T])


CLASSIC = SwingProfile()


@dataclass(frozen=True)
class SwingState:
    position: np.ndarray  # (3,) [m] world
    velocity: np.ndarray  # (3,) [m/s]
    acceleration: np.ndarray  # (3,) [m/s²]
    phase: float  # [-] 0 at lift-off, 1 at the planned touch-down (may exceed 1 when late)


class SwingTrajectory:
    """One swing of one foot, from ``start`` at ``t_start`` to ``target`` at
    ``t_start + duration`` with apex ``height`` [m] above the higher of the two ends."""

    #: a lift-first swing (planned in uneven-ground mode or over a terrain map's edge): the
    #: whole-body QP follows its height with the stiff vertical gains (WbcParams.swing_kp_z_uneven);
    #: re-planned copies (retarget, retime) keep it
    lifts_over_edge: bool = False

    def __init__(self, start, target, t_start: float, duration: float, height: float,
                 start_velocity=None, start_acceleration=None,
                 late_descent_speed: float = 0.1, max_late_descent: float = 0.05,
                 profile: SwingProfile | None = None):
        if not duration > 0.0:
            raise ValueError(f"swing duration must be > 0 s, got {duration}")
        if height < 0.0:
            raise ValueError(f"swing apex height must be >= 0 m, got {height}")
        self.start = np.asarray(start, dtype=float).copy()
        self.target = np.asarray(target, dtype=float).copy()
        self.t_start = float(t_start)
        self.duration = float(duration)
        self.height = float(height)
        self.late_descent_speed = float(late_descent_speed)
        self.max_late_descent = float(max_late_descent)
        self.profile = profile or CLASSIC
        v0 = np.zeros(3) if start_velocity is None else np.asarray(start_velocity, dtype=float)
        a0 = np.zeros(3) if start_acceleration is None else np.asarray(start_acceleration, dtype=float)
        self._windows = self.profile.windows(self.duration, moving=bool(np.any(v0[:2]) or np.any(a0[:2])))
        h0, h1 = self._windows[0], self._windows[1]
        self._c = quintic_coefficients(self.start, v0, a0, self.target, np.zeros(3), np.zeros(3), self.duration)
        if h0 > 0.0 or h1 < self.duration:
            self._c[:, :2] = quintic_coefficients(self.start[:2], v0[:2], a0[:2], self.target[:2], np.zeros(2),
                                                  np.zeros(2), h1 - h0)

    @property
    def t_end(self) -> float:
        """Planned touch-down time [s]."""
        return self.t_start + self.duration

    def evaluate(self, t: float) -> SwingState:
        """Desired foot position, velocity and acceleration at time ``t`` [s] (one kernel
        call, :func:`humanoid_control.kernels.swing.swing_state`; the three vectors are rows
        of one new array). Past the planned touch-down the foot keeps reaching down, gently."""
        out = np.empty((3, 3))
        swing_kernels.swing_state(out, self._c, self._windows, t - self.t_start, self.duration, self.height,
                                  self.late_descent_speed, self.max_late_descent)
        return SwingState(out[0], out[1], out[2], (t - self.t_start) / self.duration)

    def retarget(self, t: float, new_target) -> "SwingTrajectory":
        """A swing that continues from this one's state at ``t`` to ``new_target``, landing
        at the same planned time, C2 at ``t`` (same position, velocity and acceleration).
        The horizontal path is planned anew; the height profile (apex included) is kept and
        only blended towards a new landing height."""
        remaining = self.t_end - t
        if remaining <= 1e-3 or t < self.t_start:
            return self
        tau_r = t - self.t_start
        h0, h1 = self._windows[0], self._windows[1]
        sigma = min(max(tau_r - h0, 0.0), h1 - h0)
        new_target = np.asarray(new_target, dtype=float)
        new = SwingTrajectory.__new__(SwingTrajectory)
        new.__dict__.update(self.__dict__)
        new.target = new_target.copy()
        new._c = self._c.copy()
        if h1 - h0 - sigma > 1e-3:  # still travelling: the rest of the way planned anew
            p, v, a = evaluate_polynomial(self._c[:, :2], sigma)
            xy = quintic_coefficients(p, v, a, new_target[:2], np.zeros(2), np.zeros(2), (h1 - h0) - sigma)
            new._c[:, :2] = shift_polynomial(xy, sigma)
        else:  # done travelling: it lands where it is
            new.target[:2] = self.target[:2]
        dz = float(new_target[2] - self.target[2])
        blend = quintic_coefficients(0.0, 0.0, 0.0, dz, 0.0, 0.0, remaining)
        new._c[:, 2] += shift_polynomial(blend, tau_r)[:, 0]
        return new


    def horizontal_overshoot_m(self, t_from: float | None = None, samples: int = 12) -> float:
        """[m] how far beyond its target the path goes horizontally from ``t_from`` (default:
        lift-off) to touch-down: the largest distance from the target along the approach
        direction (0 when it arrives without passing it). A quintic that starts fast and has
        little time left swings past its end point; a foot that meets the ground there lands
        beyond the legal reach."""
        t0 = self.t_start if t_from is None else max(t_from, self.t_start)
        now = self.evaluate(t0)
        d = self.target[:2] - now.position[:2]
        if float(np.linalg.norm(d)) < 0.01:  # (nearly) there: the way it is moving is the approach
            d = now.velocity[:2]
        n = float(np.linalg.norm(d))
        if n < 1e-6:
            return 0.0
        u = d / n
        worst = 0.0
        for t in np.linspace(t0, self.t_end, samples):
            worst = max(worst, float((self.evaluate(t).position[:2] - self.target[:2]) @ u))
        return worst

    def retime(self, t: float, new_target, t_touchdown: float, min_height: float = 0.0) -> "SwingTrajectory":
        """A swing that continues from this one's state at ``t`` (C2: same position, velocity
        and acceleration) to ``new_target``, touching down at ``t_touchdown`` [s] instead of
        the planned time (step-timing adaptation: an earlier landing catches a push sooner).
        The apex still to come is kept, lowered in proportion to the time taken away, and is
        at least ``min_height`` [m] above the higher end (a swing made longer and wider late,
        near the ground, still lifts its sole over it)."""
        remaining = float(t_touchdown) - t
        if remaining <= 1e-3 or t < self.t_start:
            return self
        now = self.evaluate(t)
        new_target = np.asarray(new_target, dtype=float)
        old_remaining = max(self.t_end - t, remaining)
        height = 0.0
        if now.phase < 0.5:  # the apex is still ahead
            apex = max(self.start[2], self.target[2]) + self.height
            height = max(0.0, apex - max(now.position[2], new_target[2])) * remaining / old_remaining
        height = max(height, float(min_height))
        new = SwingTrajectory.__new__(SwingTrajectory)
        new.__dict__.update(self.__dict__)
        new.start, new.target = now.position.copy(), new_target.copy()
        new.t_start, new.duration, new.height = float(t), remaining, height
        new._windows = CLASSIC.windows(remaining)  # a retimed swing travels all along, classic bump
        new._c = quintic_coefficients(now.position, now.velocity, now.acceleration, new_target, np.zeros(3),
                                      np.zeros(3), remaining)
        return new


def shift_polynomial(c: np.ndarray, delta: float) -> np.ndarray:
    """Coefficients of q(τ) = p(τ − δ) given those of p (rows = powers)."""
    c = np.atleast_2d(np.asarray(c, dtype=float))
    if c.shape[0] == 1:
        c = c.T
    n = c.shape[0]
    S = np.zeros((n, n))  # S[k, j] = C(j, k) (−δ)^(j−k): out = S c
    for j in range(n):
        for k in range(j + 1):
            S[k, j] = math.comb(j, k) * (-delta) ** (j - k)
    return S @ c
