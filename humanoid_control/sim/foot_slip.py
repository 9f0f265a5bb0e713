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
            if normal_forces.get(foot, 0.0) > self.load_on_N:
                x, y = float(p[0]), float(p[1])
                a = self.anchor.setdefault(foot, (x, y))
                self.max_slip_m = max(self.max_slip_m, math.hypot(x - a[0], y - a[1]))
            else:
                self.anchor.pop(foot, None)
