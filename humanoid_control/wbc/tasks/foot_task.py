"""Swing-foot task: the sole frame's placement to a reference (position [m] and rotation,
world axes; the 6-D error is [p_ref - p, log(R_ref R^T)]). Used for feet not in contact."""
from __future__ import annotations

import numpy as np
import pinocchio as pin

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.tasks.base import AccelerationTask


class FootTask(AccelerationTask):
    def __init__(self, side: str, weight=100.0, kp=400.0, kd=40.0):
        super().__init__(weight, kp, kd)
        self.side = side
        self.name = f"foot_{side}"
        self.placement_ref = None  # pin.SE3 world_T_sole; None = hold the current one

    def compute_error(self, terms: DynamicsTerms) -> np.ndarray:
        cur = terms.feet_placement[self.side]
        ref = cur if self.placement_ref is None else self.placement_ref
        return np.concatenate([ref.translation - cur.translation, pin.log3(ref.rotation @ cur.rotation.T)])

    def compute_jacobian(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.J_feet[self.side]

    def compute_velocity(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.feet_velocity[self.side]

    def compute_drift(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.feet_drift[self.side]
