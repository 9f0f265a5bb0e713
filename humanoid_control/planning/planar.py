"""Planar (ground-plane) geometry shared by the planners: yaw angles [rad] and 2-D rotations."""
from __future__ import annotations

import math

import numpy as np


def wrap_angle(a: float) -> float:
    """``a`` [rad] wrapped into [−π, π)."""
    return (a + math.pi) % (2 * math.pi) - math.pi


def rotation_2d(yaw: float) -> np.ndarray:
    """(2, 2) rotation by ``yaw`` [rad]: heading frame → world for x, y vectors."""
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s], [s, c]])
