"""Task family of the whole-body QP.

A task is a weighted least-squares objective ``weight * ||A x - b||²`` on the decision
vector ``x`` (see :class:`~humanoid_control.wbc.layout.QpLayout`). Acceleration tasks
write only :meth:`compute_error`, :meth:`compute_jacobian`, :meth:`compute_velocity` and
:meth:`compute_drift`; :class:`AccelerationTask` turns them into the PD law

    J qdd + dJ·v = a_ref + kp * e - kd * (J v - v_ref)

and the base adds ``weight * A^T A`` and ``-weight * A^T b`` to the QP cost in one place."""
from __future__ import annotations

import abc

import numpy as np

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class Task(abc.ABC):
    """A weighted objective. ``weight`` is a scalar or a per-row array."""

    name = "task"

    def __init__(self, weight):
        self.weight = weight

    @abc.abstractmethod
    def compute_residual(self, terms: DynamicsTerms, layout: QpLayout) -> tuple:
        """Return ``(A (m, n), b (m,))`` with residual ``A x - b``."""

    def add_to_cost(self, terms: DynamicsTerms, layout: QpLayout, H: np.ndarray, g: np.ndarray) -> None:
        """Accumulate this task into the QP cost ``0.5 x^T H x + g^T x`` (factor 2 folded in)."""
        A, b = self.compute_residual(terms, layout)
        w = np.asarray(self.weight, dtype=float)
        WA = A * w[:, None] if w.ndim else A * w
        H += WA.T @ A
        g -= WA.T @ b


class AccelerationTask(Task):
    """A task on a quantity whose acceleration is linear in qdd: ``J qdd + dJ·v``."""

    def __init__(self, weight, kp, kd):
        super().__init__(weight)
        self.kp = kp
        self.kd = kd
        self.a_ref = None  # feed-forward acceleration, shape (m,); None = 0
        self.v_ref = None  # reference velocity, shape (m,); None = 0

    @abc.abstractmethod
    def compute_error(self, terms: DynamicsTerms) -> np.ndarray:
        """Error e = reference - current, shape (m,)."""

    @abc.abstractmethod
    def compute_jacobian(self, terms: DynamicsTerms) -> np.ndarray:
        """Task Jacobian J, shape (m, nv)."""

    @abc.abstractmethod
    def compute_drift(self, terms: DynamicsTerms) -> np.ndarray:
        """dJ·v, shape (m,)."""

    def compute_velocity(self, terms: DynamicsTerms) -> np.ndarray:
        """Current task velocity, J v by default."""
        return self.compute_jacobian(terms) @ terms.v

    def desired_acceleration(self, terms: DynamicsTerms) -> np.ndarray:
        e = self.compute_error(terms)
        vel = self.compute_velocity(terms)
        v_ref = 0.0 if self.v_ref is None else self.v_ref
        a = self.kp * e - self.kd * (vel - v_ref)
        if self.a_ref is not None:
            a = a + self.a_ref
        return a

    def compute_residual(self, terms: DynamicsTerms, layout: QpLayout) -> tuple:
        J = self.compute_jacobian(terms)
        A = np.zeros((J.shape[0], layout.n))
        A[:, layout.qdd] = J
        b = self.desired_acceleration(terms) - self.compute_drift(terms)
        return A, b
