"""Actuator torque limits [N·m] on the torques implied by the QP variables:
``tau = M[6:] qdd + h[6:] - sum_c J_c[:, 6:]^T w_c``, bounded by the URDF's effort limits."""
from __future__ import annotations

import numpy as np

from humanoid_control.kernels import wbc as kernels
from humanoid_control.wbc.constraints.base import Constraint
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class TorqueLimits(Constraint):
    name = "torque_limits"
    is_equality = False

    def __init__(self, tau_max: np.ndarray, scale: float = 1.0):
        self.tau_max = np.ascontiguousarray(tau_max, dtype=float) * scale  # [N·m] Pinocchio joint order

    def num_rows(self, layout: QpLayout) -> int:
        return layout.nv - 6

    def fill(self, terms: DynamicsTerms, layout: QpLayout, active: np.ndarray, out: tuple) -> None:
        C, lo, up = out
        kernels.torque_limit_rows(C, lo, up, terms.M, terms.h, terms.J_contacts, self.tau_max, layout.nv)
