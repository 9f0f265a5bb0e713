"""Unactuated floating-base rows of the equations of motion:
``M[:6] qdd + h[:6] = sum_c J_c[:, :6]^T w_c`` (no torque acts on the base)."""
from __future__ import annotations

import numpy as np

from humanoid_control.kernels import wbc as kernels
from humanoid_control.wbc.constraints.base import Constraint
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class FloatingBaseDynamics(Constraint):
    name = "floating_base_dynamics"

    def num_rows(self, layout: QpLayout) -> int:
        return 6

    def fill(self, terms: DynamicsTerms, layout: QpLayout, active: np.ndarray, out: tuple) -> None:
        A, b = out
        kernels.floating_base_rows(A, b, terms.M, terms.h, terms.J_contacts, layout.nv)
