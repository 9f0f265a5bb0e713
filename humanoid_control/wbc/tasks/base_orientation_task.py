"""Base (pelvis) orientation task: world_R_base to a reference rotation, error as the
rotation vector log(R_ref R^T) [rad] in world axes; angular velocity [rad/s] in world axes."""
from __future__ import annotations

import numpy as np
import pinocchio as pin

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.tasks.base import AccelerationTask


class BaseOrientationTask(AccelerationTask):
    name = "base_orientation"

    def __init__(self, weight=50.0, kp=100.0, kd=20.0):
        super().__init__(weight, kp, kd)
        self.rotation_ref = np.eye(3)

    def compute_error(self, terms: DynamicsTerms) -> np.ndarray:
        return pin.log3(self.rotation_ref @ terms.base_rotation.T)

    def compute_jacobian(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.J_base[3:6]

    def compute_drift(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.base_drift[3:6]
