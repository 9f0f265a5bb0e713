"""Planar (ground-plane) geometry shared by the planners: yaw angles [rad] and 2-D rotations."""
from __future__ import annotations

import math

import numpy as np


def wrap_angle(a: float) -> float:
    """``a`` [rad] wrapped into [−π, π)."""
    return (a + math.pi) % (2 * math.pi) - math.pi


def clamp(x: float, lower: float, upper: float) -> float:
    """``x`` limited to [lower, upper] (plain floats: numpy's clip costs ~6 µs on a scalar)."""
    return float(min(max(x, lower), upper))


def rotation_2d(yaw: float) -> np.ndarray:
    """(2, 2) rotation by ``yaw`` [rad]: heading frame → world for x, y vectors."""
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s], [s, c]])


def rectangle_half_extent(angle_rad: float, length_m: float, width_m: float) -> float:
    """[m] half the extent, along an axis, of a ``length_m`` × ``width_m`` rectangle (a sole)
    whose length is turned ``angle_rad`` from that axis."""
    return 0.5 * (abs(math.cos(angle_rad)) * length_m + abs(math.sin(angle_rad)) * width_m)


def circular_mean(angles) -> float:
    """Mean direction [rad] of ``angles`` [rad], in [−π, π]: right across the ±π seam, where
    the arithmetic mean of π − ε and −π + ε would point the opposite way."""
    a = np.asarray(angles, dtype=float)
    if a.size == 0:
        raise ValueError("circular_mean of no angles")
    return math.atan2(float(np.sin(a).sum()), float(np.cos(a).sum()))
