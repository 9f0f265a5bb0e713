"""Contact-wrench regularisation: keep each foot's wrench [N, N·m] (LWA at the sole) close
to a reference, by default an even share of the robot's weight. Spreads the load and keeps
the QP strictly convex in the wrench variables."""
from __future__ import annotations

import numpy as np

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout
from humanoid_control.wbc.tasks.base import Task, TaskBlock


class ContactWrenchTask(Task):
    """Identity Jacobian on the wrench columns; residual ``w - w_ref``."""

    name = "contact_wrench"

    def __init__(self, weight=1e-3):
        super().__init__(weight)
        self.wrench_ref = {}  # contact -> (6,) reference; missing = zero
        self._target = np.zeros(0)

    def compute_block(self, terms: DynamicsTerms, layout: QpLayout) -> TaskBlock:
        m = layout.n - layout.nv
        if self._target.shape[0] != m:
            self._target = np.zeros(m)
        b = self._target
        for k, c in enumerate(layout.contacts):
            ref = self.wrench_ref.get(c)
            if ref is None:
                b[6 * k:6 * k + 6] = 0.0
            else:
                b[6 * k:6 * k + 6] = ref
        return TaskBlock(None, b, layout.nv)
