"""Unactuated floating-base rows of the equations of motion:
``M[:6] qdd + h[:6] = sum_c J_c[:, :6]^T w_c`` (no torque acts on the base)."""
from __future__ import annotations

import numpy as np

from humanoid_control.wbc.constraints.base import Constraint
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class FloatingBaseDynamics(Constraint):
    name = "floating_base_dynamics"

    def num_rows(self, layout: QpLayout) -> int:
        return 6

    def compute(self, terms: DynamicsTerms, layout: QpLayout, active: dict) -> tuple:
        A = np.zeros((6, layout.n))
        A[:, layout.qdd] = terms.M[:6]
        for c in layout.contacts:
            A[:, layout.wrench(c)] = -terms.J_feet[c][:, :6].T
        return A, -terms.h[:6]
