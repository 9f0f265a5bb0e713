"""Small 3-D helpers for per-tick code: ``np.cross`` and friends cost ~20 µs a call on
3-vectors (axis normalisation), these a few µs."""
from __future__ import annotations

import numpy as np


def cross3(a, b) -> np.ndarray:
    """``a × b`` of two 3-vectors (any sequences of 3 floats), as a new (3,) array."""
    a0, a1, a2 = a[0], a[1], a[2]
    b0, b1, b2 = b[0], b[1], b[2]
    return np.array([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])


def rotate_by_quaternion(q_xyzw, v) -> np.ndarray:
    """``v`` rotated by the unit quaternion ``q = (x, y, z, w)``: v + 2 u × (u × v + w v)."""
    x, y, z, w = q_xyzw
    v0, v1, v2 = v[0], v[1], v[2]
    t0 = y * v2 - z * v1 + w * v0  # u × v + w v
    t1 = z * v0 - x * v2 + w * v1
    t2 = x * v1 - y * v0 + w * v2
    return np.array([v0 + 2.0 * (y * t2 - z * t1), v1 + 2.0 * (z * t0 - x * t2), v2 + 2.0 * (x * t1 - y * t0)])


def yaw_of_quaternion(q_xyzw):
    """Heading [rad] of unit quaternion(s) ``(x, y, z, w)`` (last axis): the rotation about
    world z of the body's x axis projected on the ground; works on arrays of quaternions."""
    x, y, z, w = np.moveaxis(np.asarray(q_xyzw, dtype=float), -1, 0)
    return np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
