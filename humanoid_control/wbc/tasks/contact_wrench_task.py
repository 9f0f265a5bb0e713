"""Contact-wrench regularisation: keep each foot's wrench [N, N·m] (LWA at the sole) close
to a reference, by default an even share of the robot's weight. Spreads the load and keeps
the QP strictly convex in the wrench variables."""
from __future__ import annotations

import numpy as np

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout
from humanoid_control.wbc.tasks.base import Task


class ContactWrenchTask(Task):
    name = "contact_wrench"

    def __init__(self, weight=1e-3):
        super().__init__(weight)
        self.wrench_ref = {}  # contact -> (6,) reference; missing = zero

    def compute_residual(self, terms: DynamicsTerms, layout: QpLayout) -> tuple:
        A = np.zeros((layout.n - layout.nv, layout.n))
        A[:, layout.wrenches] = np.eye(layout.n - layout.nv)
        b = np.zeros(layout.n - layout.nv)
        for k, c in enumerate(layout.contacts):
            if c in self.wrench_ref:
                b[6 * k:6 * k + 6] = self.wrench_ref[c]
        return A, b
