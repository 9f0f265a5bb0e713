"""Contact wrench cone of a flat rectangular foot, written in the sole frame:

* unilateral contact and a normal-force cap: ``fz_min <= fz <= fz_max``;
* linearised friction cone (``cone``): ``"pyramid"`` (the default), ``|fx| <= mu fz`` and
  ``|fy| <= mu fz`` — a diagonal force reaches sqrt(2) mu fz, outside the real cone; or
  ``"octagon"``, the regular octagon inscribed in the circle ``|f_t| <= mu fz`` with its
  vertices on the sole's axes and diagonals (facets ``cos(a) fx + sin(a) fy <= mu cos(pi/8) fz``
  for a = pi/8 + k pi/4): never outside the real cone, at most 7.6 % of it lost;
* centre of pressure inside the sole: ``-L/2 <= -tau_y / fz <= L/2``, ``-W/2 <= tau_x / fz <= W/2``
  (L, W shrunk by a safety margin);
* yaw-torque friction: ``|tau_z| <= mu_z fz``.

11 rows per foot with the pyramid, 15 with the octagon. The QP's wrench is in world-aligned axes (LWA), so each row is rotated
by the sole's orientation: ``w_sole = blockdiag(R^T, R^T) w``."""
from __future__ import annotations

import numpy as np

from humanoid_control.errors import UnknownNameError
from humanoid_control.kernels import wbc as kernels
from humanoid_control.wbc.constraints.base import Constraint
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout

#: friction rows per foot (the first rows) of each cone shape
FRICTION_ROWS = {"pyramid": 4, "octagon": 8}
ROWS_PER_FOOT = 7 + FRICTION_ROWS["pyramid"]  # the default shape's: friction, CoP (4), yaw (2), fz


def friction_rows(mu: float, cone: str = "pyramid") -> list:
    """The friction rows ``[cx, cy, -reach, 0, 0, 0]`` (``row · w_sole <= 0``) of the ``cone``
    shape (a key of FRICTION_ROWS) for the coefficient ``mu`` [-]."""
    if cone == "pyramid":
        return [[1, 0, -mu, 0, 0, 0], [-1, 0, -mu, 0, 0, 0], [0, 1, -mu, 0, 0, 0], [0, -1, -mu, 0, 0, 0]]
    if cone == "octagon":
        n = FRICTION_ROWS[cone]
        inradius = mu * np.cos(np.pi / n)  # [-] per newton of fz
        return [[np.cos(a), np.sin(a), -inradius, 0, 0, 0] for a in np.pi / n + np.arange(n) * (2.0 * np.pi / n)]
    raise UnknownNameError("friction cone", cone, tuple(FRICTION_ROWS))


def wrench_cone_matrix(mu: float, half_length: float, half_width: float, mu_yaw: float,
                       cone: str = "pyramid") -> np.ndarray:
    """Rows U (7 + FRICTION_ROWS[cone], 6) with ``U w_sole <= 0`` for the friction/CoP/yaw part,
    plus the last row ``[0 0 1 0 0 0]`` (fz, bounded separately). Columns: fx, fy, fz, tx, ty, tz.
    ``mu`` [-]; ``half_length``, ``half_width`` [m] of the CoP rectangle; ``mu_yaw`` [m]."""
    return np.array(friction_rows(mu, cone) + [
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
                 cop_margin: float = 0.85, mu_yaw: float = 0.02, cop_margin_walking: float | None = None,
                 cone: str = "pyramid"):
        """``feet`` maps contact names to :class:`FootConfig`; ``mu`` [-] is the friction
        coefficient of the ``cone`` shape (a key of FRICTION_ROWS; pass a margin below the real
        one); ``fz_min``, ``fz_max`` [N]; ``cop_margin`` [0..1] scales the sole rectangle;
        ``mu_yaw`` [m]; ``cop_margin_walking``: the scale while :attr:`walking` is set (default:
        the same)."""
        self.mu, self.fz_min, self.fz_max = mu, float(fz_min), float(fz_max)
        self.rows_per_foot = 7 + len(friction_rows(mu, cone))  # (checks the shape's name first)
        self.walking = False  # the WBC follows a plan with steps (set per tick by the controller)
        self._feet, self._cone = feet, cone
        self._margins = (cop_margin, cop_margin if cop_margin_walking is None else cop_margin_walking)
        self.set_mu(mu, mu_yaw)

    def set_mu(self, mu: float, mu_yaw: float) -> None:
        """The friction coefficient ``mu`` [-] and the torsional one ``mu_yaw`` [m] from the next
        fill on (the rows are rebuilt: a few µs, for a change of the floor's estimate)."""
        self.mu, self.mu_yaw = float(mu), float(mu_yaw)

        def cones(scale: float) -> dict:
            return {c: wrench_cone_matrix(self.mu, scale * f.length / 2, scale * f.width / 2, self.mu_yaw, self._cone)
                    for c, f in self._feet.items()}

        self.U = cones(self._margins[0])
        self.U_walking = cones(self._margins[1])
        self._U = None  # (nc, rows_per_foot, 6) in layout order, stacked on first use
        self._U_walking = None

    def num_rows(self, layout: QpLayout) -> int:
        return self.rows_per_foot * len(layout.contacts)

    def fill(self, terms: DynamicsTerms, layout: QpLayout, active: np.ndarray, out: tuple) -> None:
        C, lo, up = out
        if self._U is None or self._U.shape[0] != len(layout.contacts):
            self._U = np.ascontiguousarray(np.stack([self.U[c] for c in layout.contacts]))
            self._U_walking = np.ascontiguousarray(np.stack([self.U_walking[c] for c in layout.contacts]))
        kernels.wrench_cone_rows(C, lo, up, self._U_walking if self.walking else self._U, terms.contact_rotation,
                                 active, self.fz_min, self.fz_max, layout.nv)
