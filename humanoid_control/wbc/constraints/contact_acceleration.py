"""Rigid flat-foot contact: a stance sole does not accelerate,
``J_c qdd + dJ_c·v = -kd * J_c v`` (the damping term removes residual sliding);
a swing foot instead carries no wrench, ``w_c = 0``."""
from __future__ import annotations

import numpy as np

from humanoid_control.wbc.constraints.base import Constraint
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class ContactAcceleration(Constraint):
    name = "contact_acceleration"

    def __init__(self, kd: float = 10.0):
        self.kd = kd  # [1/s] velocity damping of the contact constraint

    def num_rows(self, layout: QpLayout) -> int:
        return 6 * len(layout.contacts)

    def compute(self, terms: DynamicsTerms, layout: QpLayout, active: dict) -> tuple:
        A = np.zeros((self.num_rows(layout), layout.n))
        b = np.zeros(self.num_rows(layout))
        for k, c in enumerate(layout.contacts):
            rows = slice(6 * k, 6 * k + 6)
            if active.get(c, False):
                A[rows, layout.qdd] = terms.J_feet[c]
                b[rows] = -terms.feet_drift[c] - self.kd * terms.feet_velocity[c]
            else:
                A[rows, layout.wrench(c)] = np.eye(6)
        return A, b
