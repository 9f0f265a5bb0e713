"""Blind landings on a ramp: the swing sole parallel to the ground it will meet (ROS-free).

The plan gives a swing foot a position and a yaw; its sole is held level. Walking up a ramp,
a level sole meets the ground toe first and is pitched up by it (Talos on a 10° ramp at
0.3 m/s: landings pitched 25–33°, steps cut short, the robot ran ahead and fell). The ground
a blind robot knows best is under its stance sole. On a *uniform* ramp — three footholds in
a row tilted alike: the stance sole now, the swinging sole as it lifted off and the sole that
lifted off before it — the next landing will most likely be tilted alike too, so
:class:`SlopeLanding` turns the swing's level orientation by the smallest rotation G that takes
world z onto the stance sole's normal n:

    world_R_swing_ref = G(n) · Rz(yaw_ref)      (its sole's normal is n, its heading ≈ yaw_ref)

It does so only walking *uphill* (the stance sole's normal leans against the direction of
travel): walking down a ramp a level sole meets the ground heel first and rolls onto it (the
humanoid's ±10–15° descents walk as before; with the tilt, the 15° descent at 0.4 m/s fell).
A stance sole tilted less than ``min_tilt_deg`` (4°) is on level enough ground (nothing
changes there); one tilted more than ``max_tilt_deg``, or more than ``agree_deg`` (3°) unlike
either of the two soles before it, rests on an edge (a stair nosing) or on rough ground, not
on a ramp (on ±1–1.5 cm rough ground, three footholds alike within 5° and tilted 2° or more
tilted 5–7 landings a run; with these bounds 0–1). The controller does not ask in blind
uneven-ground mode (feet at two heights, a stumble or a straddled nosing: stairs, not a ramp —
with the tilt there, the suite's blind four-stair flight fell).

Rotation matrices are world_R_sole (3, 3); vectors are world (3,), unit."""
from __future__ import annotations

import math

import numpy as np

from humanoid_control.errors import check_ranges


def tilt_angle_deg(normal) -> float:
    """[deg] how far the unit vector ``normal`` (3,) leans from world z."""
    return math.degrees(math.acos(max(-1.0, min(1.0, float(normal[2])))))


def angle_between_deg(a, b) -> float:
    """[deg] the angle between the unit vectors ``a`` and ``b`` (3,)."""
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(a, b))))))


def ground_tilt(normal, out: np.ndarray | None = None) -> np.ndarray:
    """(3, 3) the smallest rotation taking world z onto the unit vector ``normal`` (3,): about
    the horizontal axis ``z × normal`` (Rodrigues; the identity for ``normal`` = z)."""
    n = np.asarray(normal, dtype=float)
    out = np.empty((3, 3)) if out is None else out
    kx, ky = -float(n[1]), float(n[0])  # z × n
    s = math.hypot(kx, ky)  # sin of the angle
    c = float(n[2])
    out[:] = 0.0
    out[0, 0] = out[1, 1] = out[2, 2] = 1.0
    if s < 1e-12:
        return out
    kx, ky = kx / s, ky / s
    v = 1.0 - c
    out[0, 0], out[0, 1], out[0, 2] = c + kx * kx * v, kx * ky * v, ky * s
    out[1, 0], out[1, 1], out[1, 2] = kx * ky * v, c + ky * ky * v, -kx * s
    out[2, 0], out[2, 1], out[2, 2] = -ky * s, kx * s, c
    return out


class SlopeLanding:
    """Per swing foot, the tilt its landing orientation takes (see the module docstring).

    Call :meth:`stance` for each foot on the ground and :meth:`landing_tilt` every tick of a
    foot's swing: the tilt the foot had at its first swing tick is its lift-off tilt.
    ``max_tilt_deg`` [deg] [0, 45] (0: off), ``agree_deg`` [deg] [0, 45], ``min_tilt_deg``
    [deg] [0, 45]."""

    #: [m/s] slower than this the direction of travel is unknown: no tilt
    MIN_SPEED_MPS = 0.05
    #: [-] the stance sole's normal must lean against the travel by at least this (sin ≈ 1.7°)
    UPHILL_LEAN = 0.03

    def __init__(self, max_tilt_deg: float = 20.0, agree_deg: float = 3.0, min_tilt_deg: float = 4.0):
        self.max_tilt_deg, self.agree_deg, self.min_tilt_deg = float(max_tilt_deg), float(agree_deg), float(min_tilt_deg)
        check_ranges(self, (("max_tilt_deg", 0.0, 45.0), ("agree_deg", 0.0, 45.0), ("min_tilt_deg", 0.0, 45.0)),
                     "slope landing")
        self._liftoff_normal = {}  # foot -> (3,) its sole's normal at its swing's first tick
        self._previous = None  # (3,) the lift-off normal of the swing before the present one
        self._last_liftoff = None
        self._tilt = np.eye(3)
        self.landings_tilted = 0  # swings given a tilt (counted once per swing)
        self._counted = set()

    def stance(self, foot: str) -> None:
        """``foot`` stands: its next swing records its lift-off tilt anew."""
        self._liftoff_normal.pop(foot, None)
        self._counted.discard(foot)

    def landing_tilt(self, foot: str, world_R_foot: np.ndarray, world_R_stance: np.ndarray,
                     velocity_xy) -> np.ndarray | None:
        """(3, 3) G, the rotation (world axes) that the swinging ``foot``'s level orientation
        reference takes this tick (``G · Rz(yaw)``), or None (level). ``world_R_foot``: its sole
        now; ``world_R_stance``: the one stance sole; ``velocity_xy`` [m/s] (2,) world: the
        direction of travel (the plan's CoM velocity). The returned array is reused."""
        if self.max_tilt_deg <= 0.0:
            return None
        start = self._liftoff_normal.get(foot)
        if start is None:
            self._previous = self._last_liftoff
            start = self._liftoff_normal[foot] = self._last_liftoff = np.array(world_R_foot[:, 2], dtype=float)
        n = world_R_stance[:, 2]
        if not self.min_tilt_deg <= tilt_angle_deg(n) <= self.max_tilt_deg:
            return None
        speed = math.hypot(float(velocity_xy[0]), float(velocity_xy[1]))
        if speed < self.MIN_SPEED_MPS:
            return None
        if (float(n[0]) * float(velocity_xy[0]) + float(n[1]) * float(velocity_xy[1])) / speed > -self.UPHILL_LEAN:
            return None  # the ground does not rise ahead: land level
        if angle_between_deg(start, n) > self.agree_deg or self._previous is None or \
                angle_between_deg(self._previous, n) > self.agree_deg:
            return None  # three footholds in a row disagree: an edge or rough ground, not a ramp
        if foot not in self._counted:
            self._counted.add(foot)
            self.landings_tilted += 1
        return ground_tilt(n, self._tilt)


__all__ = ["SlopeLanding", "angle_between_deg", "ground_tilt", "tilt_angle_deg"]
