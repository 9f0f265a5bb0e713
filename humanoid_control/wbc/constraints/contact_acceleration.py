"""Rigid flat-foot contact: a stance sole does not accelerate,
``J_c qdd + dJ_c·v = -kd * J_c v`` (the damping term removes residual sliding);
a swing foot instead carries no wrench, ``w_c = 0``."""
from __future__ import annotations

import numpy as np

from humanoid_control.kernels import wbc as kernels
from humanoid_control.wbc.constraints.base import Constraint
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class ContactAcceleration(Constraint):
    name = "contact_acceleration"

    def __init__(self, kd: float = 10.0):
        self.kd = float(kd)  # [1/s] velocity damping of the contact constraint

    def num_rows(self, layout: QpLayout) -> int:
        return 6 * len(layout.contacts)

    def fill(self, terms: DynamicsTerms, layout: QpLayout, active: np.ndarray, out: tuple) -> None:
        A, b = out
        kernels.contact_acceleration_rows(A, b, terms.J_contacts, terms.contact_drift, terms.contact_velocity,
                                          active, self.kd, layout.nv)
