"""Standing balance by divergent-component-of-motion (DCM) feedback.

With CoM height z0 and omega = sqrt(g / z0), the DCM is ``xi = c + c_dot / omega`` and obeys
``xi_dot = omega (xi - p)`` for a centre of pressure p. Choosing
``p = xi_ref + (1 + k) (xi - xi_ref)``, clipped to the (shrunk) support polygon, makes
``xi`` converge to ``xi_ref`` at rate ``k omega`` whenever the CoP is not saturated, and
pushes the CoP to the polygon edge (ankle strategy) when it is. The CoM acceleration that
realises p is ``c_ddot = omega² (c - p)``, handed to the CoM task. When the CoP saturates,
the CoM task still asks for the unclipped acceleration (capped at ``max_acceleration``):
the QP can only deliver it by changing centroidal angular momentum — bending at the hips
(hip strategy) — because the contact constraints keep the CoP inside the feet."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from humanoid_control.constants import GRAVITY


@dataclass
class BalanceOutput:
    com_acceleration_xy: np.ndarray  # [m/s²] world
    cop_xy: np.ndarray  # [m] commanded centre of pressure, world
    dcm_xy: np.ndarray  # [m] measured DCM
    saturated: bool  # CoP clipped to the support polygon


class DcmBalance:
    def __init__(self, gain: float = 1.0, margin: float = 0.02, max_acceleration: float = 6.0):
        self.gain = gain  # [-] k above, > 0
        self.margin = margin  # [m] CoP kept this far inside the support rectangle
        self.max_acceleration = max_acceleration  # [m/s²] cap of the requested CoM acceleration

    def compute(self, com: np.ndarray, com_velocity: np.ndarray, dcm_ref_xy: np.ndarray,
                support_min_xy: np.ndarray, support_max_xy: np.ndarray, com_height: float) -> BalanceOutput:
        omega = np.sqrt(GRAVITY / max(com_height, 0.1))
        xi = com[:2] + com_velocity[:2] / omega
        p = dcm_ref_xy + (1.0 + self.gain) * (xi - dcm_ref_xy)
        lo = support_min_xy + self.margin
        hi = support_max_xy - self.margin
        p_clip = np.minimum(np.maximum(p, lo), hi)
        acc = omega ** 2 * (com[:2] - p)
        norm = float(np.linalg.norm(acc))
        if norm > self.max_acceleration:
            acc *= self.max_acceleration / norm
        return BalanceOutput(acc, p_clip, xi, bool(np.any(p_clip != p)))


def support_rectangle(feet_corners_xy: list) -> tuple:
    """Axis-aligned bounding box (min_xy, max_xy) [m] of the stance feet's sole corners."""
    pts = np.vstack(feet_corners_xy)
    return pts.min(axis=0), pts.max(axis=0)


def net_cop_xy(sole_positions: list, wrenches: list, min_normal_force_N: float = 1.0):
    """Centre of pressure [m] (world x, y) of contact wrenches, or None when they carry less
    than ``min_normal_force_N`` in all.

    ``sole_positions``: (3,) [m] world points the wrenches act at; ``wrenches``: (6,)
    [N, N·m] force and torque about that point, world axes. The CoP lies on the plane of the
    soles' load-weighted height, where the total horizontal moment vanishes."""
    p = np.asarray(sole_positions, dtype=float).reshape(-1, 3)
    w = np.asarray(wrenches, dtype=float).reshape(-1, 6)
    fz = float(w[:, 2].sum())
    if fz < min_normal_force_N:
        return None
    z = float((p[:, 2] * w[:, 2]).sum()) / fz
    dz = p[:, 2] - z
    x = float((p[:, 0] * w[:, 2] - w[:, 4] - dz * w[:, 0]).sum()) / fz
    y = float((p[:, 1] * w[:, 2] + w[:, 3] - dz * w[:, 1]).sum()) / fz
    return np.array([x, y])
