"""Centre-of-mass task: drive the whole-body CoM [m] (world frame) to a reference."""
from __future__ import annotations

import numpy as np

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.tasks.base import AccelerationTask


class ComTask(AccelerationTask):
    name = "com"

    def __init__(self, weight=100.0, kp=(0.0, 0.0, 100.0), kd=(0.0, 0.0, 20.0)):
        super().__init__(weight, np.asarray(kp, dtype=float), np.asarray(kd, dtype=float))
        self.com_ref = None  # [m] world

    def compute_error(self, terms: DynamicsTerms) -> np.ndarray:
        return (terms.com if self.com_ref is None else self.com_ref) - terms.com

    def compute_jacobian(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.J_com

    def compute_velocity(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.com_velocity

    def compute_drift(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.com_drift
