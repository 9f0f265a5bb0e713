"""Contact wrench cone of a flat rectangular foot, written in the sole frame:

* unilateral contact and a normal-force cap: ``fz_min <= fz <= fz_max``;
* linearised friction pyramid: ``|fx| <= mu fz``, ``|fy| <= mu fz``;
* centre of pressure inside the sole: ``-L/2 <= -tau_y / fz <= L/2``, ``-W/2 <= tau_x / fz <= W/2``
  (L, W shrunk by a safety margin);
* yaw-torque friction: ``|tau_z| <= mu_z fz``.

11 rows per foot. The QP's wrench is in world-aligned axes (LWA), so each row is rotated
by the sole's orientation: ``w_sole = blockdiag(R^T, R^T) w``."""
from __future__ import annotations

import numpy as np

from humanoid_control.kernels import wbc as kernels
from humanoid_control.wbc.constraints.base import Constraint
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout

ROWS_PER_FOOT = 11


def wrench_cone_matrix(mu: float, half_length: float, half_width: float, mu_yaw: float) -> np.ndarray:
    """Rows U (11, 6) with ``U w_sole <= 0`` for the friction/CoP/yaw part, plus the last row
    ``[0 0 1 0 0 0]`` (fz, bounded separately). Columns: fx, fy, fz, tx, ty, tz."""
    return np.array([
        [1, 0, -mu, 0, 0, 0],
        [-1, 0, -mu, 0, 0, 0],
        [0, 1, -mu, 0, 0, 0],
        [0, -1, -mu, 0, 0, 0],
        [0, 0, -half_width, 1, 0, 0],     # tau_x <= W/2 fz   (CoP y = tau_x / fz)
        [0, 0, -half_width, -1, 0, 0],    # -tau_x <= W/2 fz
        [0, 0, -half_length, 0, 1, 0],    # tau_y <= L/2 fz   (CoP x = -tau_y / fz)
        [0, 0, -half_length, 0, -1, 0],   # -tau_y <= L/2 fz
        [0, 0, -mu_yaw, 0, 0, 1],
        [0, 0, -mu_yaw, 0, 0, -1],
        [0, 0, 1, 0, 0, 0],
    ], dtype=float)


class ContactWrenchCone(Constraint):
    name = "contact_wrench_cone"
    is_equality = False

    def __init__(self, feet: dict, mu: float = 0.7, fz_min: float = 5.0, fz_max: float = 2000.0,
                 cop_margin: float = 0.85, mu_yaw: float = 0.02, cop_margin_walking: float | None = None):
        """``feet`` maps contact names to :class:`FootConfig`; ``mu`` [-] is the friction
        coefficient used for the pyramid (pass a margin below the real one); ``fz_min``,
        ``fz_max`` [N]; ``cop_margin`` [0..1] scales the sole rectangle; ``mu_yaw`` [m];
        ``cop_margin_walking``: the scale while :attr:`walking` is set (default: the same)."""
        self.mu, self.fz_min, self.fz_max = mu, float(fz_min), float(fz_max)
        self._U = None  # (nc, 11, 6) in layout order, stacked on first use
        self._U_walking = None
        self.walking = False  # the WBC follows a plan with steps (set per tick by the controller)
        def cones(scale: float) -> dict:
            return {c: wrench_cone_matrix(mu, scale * f.length / 2, scale * f.width / 2, mu_yaw) for c, f in feet.items()}

        self.U = cones(cop_margin)
        self.U_walking = cones(cop_margin if cop_margin_walking is None else cop_margin_walking)

    def num_rows(self, layout: QpLayout) -> int:
        return ROWS_PER_FOOT * len(layout.contacts)

    def fill(self, terms: DynamicsTerms, layout: QpLayout, active: np.ndarray, out: tuple) -> None:
        C, lo, up = out
        if self._U is None or self._U.shape[0] != len(layout.contacts):
            self._U = np.ascontiguousarray(np.stack([self.U[c] for c in layout.contacts]))
            self._U_walking = np.ascontiguousarray(np.stack([self.U_walking[c] for c in layout.contacts]))
        kernels.wrench_cone_rows(C, lo, up, self._U_walking if self.walking else self._U, terms.contact_rotation,
                                 active, self.fz_min, self.fz_max, layout.nv)
