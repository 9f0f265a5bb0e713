"""Task family of the whole-body QP.

A task is a weighted least-squares objective ``||diag(sqrt w) (J x[cols] - r)||²`` on a
block of columns of the decision vector ``x`` (see :class:`~humanoid_control.wbc.layout.QpLayout`).
Acceleration tasks write only :meth:`~AccelerationTask.compute_error`,
:meth:`~AccelerationTask.compute_jacobian`, :meth:`~AccelerationTask.compute_velocity` and
:meth:`~AccelerationTask.compute_drift`; :class:`AccelerationTask` turns them into the PD law

    J qdd + dJ·v = a_ref + kp * e - kd * (J v - v_ref)

and the base adds ``Jᵀ W J`` and ``-Jᵀ W r`` to the QP cost in one place, with the Numba
kernels of :mod:`humanoid_control.kernels.wbc` (a block whose Jacobian is the identity
takes the diagonal kernel)."""
from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np

from humanoid_control.kernels import wbc as kernels
from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


@dataclass
class TaskBlock:
    """One task's least-squares rows: residual ``J x[col0 : col0 + k] - r``.

    J (m, k) C-contiguous, or None for the identity (then m = k); r (m,)."""

    J: np.ndarray | None
    r: np.ndarray
    col0: int


def _rows(value, m: int, cache: dict, name: str) -> np.ndarray:
    """``value`` (scalar or (m,)) as a C-contiguous (m,) float array for the Numba kernels,
    converted again only when another object is assigned (or m changes)."""
    if type(value) is np.ndarray and value.shape == (m,) and value.dtype == np.float64 and value.flags.c_contiguous:
        return value
    hit = cache.get(name)
    if hit is None or hit[0] is not value or hit[1].shape[0] != m:
        hit = (value, np.ascontiguousarray(np.broadcast_to(np.asarray(value, dtype=float), (m,))))
        cache[name] = hit
    return hit[1]


class Task(abc.ABC):
    """A weighted objective. ``weight`` is a scalar or a per-row array."""

    name = "task"

    def __init__(self, weight):
        self.weight = weight
        self._rows_cache = {}

    @abc.abstractmethod
    def compute_block(self, terms: DynamicsTerms, layout: QpLayout) -> TaskBlock:
        """The task's rows on their block of QP columns."""

    def row_weights(self, m: int) -> np.ndarray:
        """``weight`` as an (m,) array."""
        return _rows(self.weight, m, self._rows_cache, "weight")

    def add_to_cost(self, terms: DynamicsTerms, layout: QpLayout, H: np.ndarray, g: np.ndarray) -> None:
        """Accumulate this task into the QP cost ``0.5 xᵀ H x + gᵀ x`` (factor 2 folded in)."""
        blk = self.compute_block(terms, layout)
        w = self.row_weights(blk.r.shape[0])
        if blk.J is None:
            kernels.add_diagonal(H, g, w, blk.r, blk.col0)
        else:
            kernels.add_weighted_gram(H, g, blk.J, blk.r, w, blk.col0)


class AccelerationTask(Task):
    """A task on a quantity whose acceleration is linear in qdd: ``J qdd + dJ·v``.

    ``identity_columns``: a subclass whose Jacobian selects a block of qdd (the posture's
    joint columns) names that block's first column; the cost then takes the diagonal path."""

    identity_columns: int | None = None

    def __init__(self, weight, kp, kd):
        super().__init__(weight)
        self.kp = kp
        self.kd = kd
        self.a_ref = None  # feed-forward acceleration, shape (m,); None = 0
        self.v_ref = None  # reference velocity, shape (m,); None = 0
        self._gain_rows = None  # (kp, kd, weight, m, their rows): see add_to_cost

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

    def compute_block(self, terms: DynamicsTerms, layout: QpLayout) -> TaskBlock:
        r = self.desired_acceleration(terms) - self.compute_drift(terms)
        if self.identity_columns is not None:
            return TaskBlock(None, r, self.identity_columns)
        return TaskBlock(self.compute_jacobian(terms), r, 0)

    def add_to_cost(self, terms: DynamicsTerms, layout: QpLayout, H: np.ndarray, g: np.ndarray) -> None:
        """The PD law and the weighted Gram matrix in one kernel call (same numbers as
        :meth:`compute_block` + :meth:`Task.add_to_cost`)."""
        e = self.compute_error(terms)
        m = e.shape[0]
        c = self._rows_cache
        gains = self._gain_rows
        if gains is None or gains[0] is not self.kp or gains[1] is not self.kd or gains[2] is not self.weight \
                or gains[3] != m:  # gains and weight as rows, converted again only when one is reassigned
            gains = self._gain_rows = (self.kp, self.kd, self.weight, m, _rows(self.kp, m, c, "kp"),
                                       _rows(self.kd, m, c, "kd"), _rows(self.weight, m, c, "weight"))
        ident = self.identity_columns is not None
        v_ref, a_ref = self.v_ref, self.a_ref
        kernels.add_pd_task(H, g, self._J_or_empty(terms, ident), self.compute_drift(terms), e,
                            self.compute_velocity(terms), _rows(0.0 if v_ref is None else v_ref, m, c, "v"),
                            _rows(0.0 if a_ref is None else a_ref, m, c, "a"), gains[4], gains[5], gains[6],
                            self.identity_columns if ident else 0, ident)

    _EMPTY = np.zeros((0, 0))

    def _J_or_empty(self, terms: DynamicsTerms, identity: bool) -> np.ndarray:
        return self._EMPTY if identity else self.compute_jacobian(terms)

    def compute_residual(self, terms: DynamicsTerms, layout: QpLayout) -> tuple:
        """``(A (m, n), b (m,))`` with residual ``A x - b`` over the whole decision vector
        (for inspection and tests; the tick uses :meth:`compute_block`)."""
        blk = self.compute_block(terms, layout)
        J = np.eye(blk.r.shape[0]) if blk.J is None else blk.J
        A = np.zeros((J.shape[0], layout.n))
        A[:, blk.col0:blk.col0 + J.shape[1]] = J
        return A, blk.r
