"""Joint posture task: actuated joint angles [rad] to a reference posture."""
from __future__ import annotations

import numpy as np

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.tasks.base import AccelerationTask


class PostureTask(AccelerationTask):
    """The Jacobian selects the joint velocities, ``[0 (nj, 6) | I (nj)]``: the QP block is
    the identity on the joint columns of qdd (the diagonal kernel), the drift is zero."""

    name = "posture"
    identity_columns = 6  # qdd's joint block

    def __init__(self, q_ref: np.ndarray, weight=1.0, kp=50.0, kd=10.0):
        super().__init__(weight, kp, kd)
        self.q_ref = np.asarray(q_ref, dtype=float)  # [rad], Pinocchio joint order
        self._nj = len(self.q_ref)
        self._J = None
        self._zero = None

    def compute_error(self, terms: DynamicsTerms) -> np.ndarray:
        return self.q_ref - terms.q[7:]

    def compute_jacobian(self, terms: DynamicsTerms) -> np.ndarray:
        if self._J is None or self._J.shape[1] != terms.v.shape[0]:
            self._J = np.hstack([np.zeros((self._nj, 6)), np.eye(self._nj)])
        return self._J

    def compute_velocity(self, terms: DynamicsTerms) -> np.ndarray:
        return terms.v[6:]

    def compute_drift(self, terms: DynamicsTerms) -> np.ndarray:
        if self._zero is None:
            self._zero = np.zeros(self._nj)
        return self._zero
