"""Foot slip from simulator ground truth (reports only; controllers never see it)."""
from __future__ import annotations

import math


class FootSlipMeter:
    """Largest horizontal distance [m] a foot travels while it carries load: each stance
    (normal force above ``load_on_N`` [N]) anchors the foot where the stance began."""

    def __init__(self, load_on_N: float = 30.0):
        self.load_on_N = float(load_on_N)
        self.anchor: dict = {}
        self.max_slip_m = 0.0

    def update(self, positions: dict, normal_forces: dict) -> None:
        """``positions``: foot -> (3,) world [m]; ``normal_forces``: foot -> [N]."""
        for foot, p in positions.items():
            self.update_foot(foot, p[0], p[1], normal_forces.get(foot, 0.0))

    def update_foot(self, foot, x: float, y: float, normal_force: float) -> None:
        """One foot at (x, y) world [m] carrying ``normal_force`` [N]."""
        if normal_force > self.load_on_N:
            x, y = float(x), float(y)
            a = self.anchor.get(foot)
            if a is None:
                self.anchor[foot] = (x, y)
            else:
                d = math.hypot(x - a[0], y - a[1])
                if d > self.max_slip_m:
                    self.max_slip_m = d
        elif foot in self.anchor:
            del self.anchor[foot]
