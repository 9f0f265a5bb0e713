"""Constraint family of the whole-body QP.

An equality constraint gives ``A x = b``; an inequality constraint ``l <= C x <= u``
(one-sided rows use ±inf, passed to the solver as ±1e20). Row counts are fixed for a given
layout so the QP keeps its dimensions when contacts switch: a swing foot's rows become
``w = 0`` instead of disappearing.

Subclasses write :meth:`Constraint.fill`, which overwrites every entry of the row block it
is handed (views into the QP's preallocated matrices); :meth:`Constraint.compute` returns
fresh arrays for inspection and tests."""
from __future__ import annotations

import abc

import numpy as np

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class Constraint(abc.ABC):
    name = "constraint"
    is_equality = True

    @abc.abstractmethod
    def num_rows(self, layout: QpLayout) -> int:
        """Rows this constraint contributes (independent of contact state)."""

    @abc.abstractmethod
    def fill(self, terms: DynamicsTerms, layout: QpLayout, active: np.ndarray, out: tuple) -> None:
        """Write the rows into ``out``: ``(A (m, n), b (m,))`` for equalities, ``(C (m, n),
        l (m,), u (m,))`` for inequalities. ``active`` (nc,) bool: contact k of
        ``layout.contacts`` is in stance."""

    def compute(self, terms: DynamicsTerms, layout: QpLayout, active: dict) -> tuple:
        """The rows as new arrays; ``active`` maps contact names to stance (True) or swing."""
        m = self.num_rows(layout)
        out = (np.zeros((m, layout.n)),) + tuple(np.zeros(m) for _ in range(1 if self.is_equality else 2))
        self.fill(terms, layout, np.array([bool(active.get(c, False)) for c in layout.contacts]), out)
        return out
