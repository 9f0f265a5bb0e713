"""Constraint family of the whole-body QP.

An equality constraint gives ``A x = b``; an inequality constraint ``l <= C x <= u``
(one-sided rows use ±inf, passed to the solver as ±1e20). Row counts are fixed for a given
layout so the QP keeps its dimensions when contacts switch: a swing foot's rows become
``w = 0`` instead of disappearing."""
from __future__ import annotations

import abc

from humanoid_control.wbc.dynamics_terms import DynamicsTerms
from humanoid_control.wbc.layout import QpLayout


class Constraint(abc.ABC):
    name = "constraint"
    is_equality = True

    @abc.abstractmethod
    def num_rows(self, layout: QpLayout) -> int:
        """Rows this constraint contributes (independent of contact state)."""

    @abc.abstractmethod
    def compute(self, terms: DynamicsTerms, layout: QpLayout, active: dict) -> tuple:
        """``(A, b)`` for equalities, ``(C, l, u)`` for inequalities. ``active`` maps each
        contact name to True (in contact) or False (swing)."""
