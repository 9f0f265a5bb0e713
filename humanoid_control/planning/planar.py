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


def convex_hull(points) -> np.ndarray:
    """(k, 2) the convex hull of (n, 2) ``points`` [m], counter-clockwise, without repeats
    (Andrew's monotone chain)."""
    pts = sorted(set(map(tuple, np.asarray(points, dtype=float).reshape(-1, 2))))
    if len(pts) <= 2:
        return np.array(pts, dtype=float).reshape(-1, 2)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0.0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0.0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1], dtype=float)


def signed_distance_to_polygon(point, polygon) -> float:
    """[m] from ``point`` (2,) to the convex ``polygon`` (k ≥ 3, 2) counter-clockwise (as from
    :func:`convex_hull`): outside, the distance to it (> 0); inside, minus the distance to its
    nearest edge."""
    p = np.asarray(point, dtype=float)
    poly = np.asarray(polygon, dtype=float)
    inside_margin, outside = -math.inf, math.inf
    is_outside = False
    for a, b in zip(poly, np.roll(poly, -1, axis=0)):
        edge = b - a
        length = math.hypot(edge[0], edge[1])
        if length == 0.0:
            continue
        # > 0: right of the edge, outside a counter-clockwise polygon
        side = (edge[0] * (p[1] - a[1]) - edge[1] * (p[0] - a[0])) / -length
        if side > 0.0:
            is_outside = True
        inside_margin = max(inside_margin, side)
        u = min(max(float(np.dot(p - a, edge)) / (length * length), 0.0), 1.0)
        outside = min(outside, float(np.linalg.norm(p - (a + u * edge))))
    return outside if is_outside else inside_margin
