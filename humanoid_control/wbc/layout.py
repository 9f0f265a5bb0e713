"""Decision-vector layout of the whole-body QP: ``x = [qdd (nv) | w_left (6) | w_right (6)]``.

Each contact wrench ``w = [f (3) N, tau (3) N·m]`` is applied at the sole frame's origin
with world-aligned axes (LWA). The layout is fixed: a foot in swing keeps its 6 variables,
forced to zero, so the QP is initialised once and only updated."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QpLayout:
    nv: int
    contacts: tuple  # contact names in order, e.g. ("left", "right")

    @property
    def n(self) -> int:
        return self.nv + 6 * len(self.contacts)

    @property
    def qdd(self) -> slice:
        return slice(0, self.nv)

    def wrench(self, contact: str) -> slice:
        k = self.contacts.index(contact)
        return slice(self.nv + 6 * k, self.nv + 6 * k + 6)

    @property
    def wrenches(self) -> slice:
        return slice(self.nv, self.n)
