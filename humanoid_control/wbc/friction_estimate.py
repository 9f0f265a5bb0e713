"""The floor's friction, read from the soles' force sensors: a slip lowers the QP's μ.

The whole-body QP keeps each sole's force inside a friction cone of ``friction_coefficient``
(0.5 by default). On a floor slipperier than that the QP asks for tangential forces the floor
cannot give: the loaded stance sole slides and the robot falls (the humanoid on a μ 0.3 floor
at 0.3 and 0.4 m/s; with the QP's μ set to 0.3 it walks). A sliding sole shows in its force
sensor: the floor then gives its own kinetic friction, so the tangential-to-normal ratio the
sensor measures stays below the one the QP commanded. Measured on loaded stance soles (both
normal forces above ``min_load_n``): walking at 0.5 m/s on a normal floor the commanded ratio
exceeded the measured one by at most 0.07 (p99 0.05); on a μ 0.3 floor by 0.4–0.6 while the
sole slid.

:class:`FrictionEstimate` watches that gap, per sole, every tick. When it stays above ``gap``
for ``hold_s`` the estimate drops to ``margin`` × the measured ratio of that moment (never
below ``min_mu``, never up on a slip); ``recover_after_s`` after the last slip it creeps back
towards the configured μ at ``recover_per_s``. The controller rebuilds its friction cone when
the estimate moves (``ContactWrenchCone.set_mu``); the control loop hands it only soles in a
settled stance (``WbcCore.SLIP_SETTLED_S``).

Opt-in (``wbc.slip_friction_gap``, 0 by default): the gap also opens without a slip when the
joints do not realise the QP's wrench — a hard shove's capture step on a μ 1 floor read 0.28
against 0.5 commanded for 28 ms, and climbing the 15° ramp at 0.4 m/s read slips that slowed
it to 0.06 m/s. A sliding speed to confirm the reading is what would make it a default."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import check_ranges


@dataclass(frozen=True)
class FrictionEstimateParams:
    gap: float = 0.1  # [-] commanded minus measured tangential/normal ratio read as a slip, [0, 1] (0: off; the WBC's default)
    hold_s: float = 0.02  # [s] that long in a row, [0.001, 1]
    margin: float = 0.9  # [-] the estimate is this share of the measured ratio, [0.3, 1]
    min_mu: float = 0.15  # [-] never lower, [0.05, 1]
    min_load_n: float = 100.0  # [N] both normal forces (commanded, measured) above this: a loaded sole, [0, 5000]
    recover_after_s: float = 2.0  # [s] without a slip before the estimate creeps back up, [0, 60]
    recover_per_s: float = 0.05  # [1/s] how fast it does, [0, 10]

    def validate(self) -> "FrictionEstimateParams":
        check_ranges(self, (("gap", 0.0, 1.0), ("hold_s", 0.001, 1.0), ("margin", 0.3, 1.0), ("min_mu", 0.05, 1.0),
                            ("min_load_n", 0.0, 5000.0), ("recover_after_s", 0.0, 60.0),
                            ("recover_per_s", 0.0, 10.0)), "friction estimate")
        return self


def tangential_ratio(force_sole) -> float:
    """[-] |(fx, fy)| / fz of a force (3,) [N] in the sole frame (0 when fz ≤ 0)."""
    fz = float(force_sole[2])
    return math.hypot(float(force_sole[0]), float(force_sole[1])) / fz if fz > 0.0 else 0.0


class FrictionEstimate:
    """The floor's μ as the soles read it (see the module docstring). ``mu`` [-] starts at, and
    never exceeds, the configured ``mu0``; ``slips`` counts the slips read; ``dt`` [s] the tick."""

    def __init__(self, mu0: float, feet, dt: float, params: FrictionEstimateParams | None = None):
        self.p = (params or FrictionEstimateParams()).validate()
        self.mu0 = float(mu0)
        self.mu = self.mu0
        self.dt = float(dt)
        self.slips = 0
        self._run = {f: 0 for f in feet}  # ticks in a row with the gap above the threshold
        self._since_slip_s = math.inf
        self._hold_ticks = max(1, int(round(self.p.hold_s / self.dt)))

    @property
    def enabled(self) -> bool:
        return self.p.gap > 0.0

    def update(self, commanded: dict, rotations: dict, measured: dict) -> float:
        """One tick: ``commanded`` {sole: wrench (6,) [N, N·m], world-aligned axes} of the QP's
        solution (the soles in contact), ``rotations`` {sole: world_R_sole (3, 3)}, ``measured``
        {sole: wrench (6,), sole frame} of the force sensors. Returns the estimate ``mu`` [-]."""
        if not self.enabled:
            return self.mu
        slipped = None
        for f, run in self._run.items():
            w_cmd, w_meas, R = commanded.get(f), measured.get(f), rotations.get(f)
            if w_cmd is None or w_meas is None or R is None:
                self._run[f] = 0
                continue
            f_cmd = np.asarray(R).T @ np.asarray(w_cmd)[0:3]  # [N] sole frame
            if f_cmd[2] < self.p.min_load_n or float(w_meas[2]) < self.p.min_load_n:
                self._run[f] = 0
                continue
            ratio = tangential_ratio(w_meas)
            if tangential_ratio(f_cmd) - ratio > self.p.gap:
                self._run[f] = run + 1
                if self._run[f] >= self._hold_ticks:
                    slipped = ratio if slipped is None else min(slipped, ratio)
            else:
                self._run[f] = 0
        if slipped is not None:
            self.slips += 1
            self._since_slip_s = 0.0
            self._run = dict.fromkeys(self._run, 0)
            self.mu = max(self.p.min_mu, min(self.mu, self.p.margin * slipped))
        else:
            self._since_slip_s += self.dt
            if self._since_slip_s > self.p.recover_after_s and self.mu < self.mu0:
                self.mu = min(self.mu0, self.mu + self.p.recover_per_s * self.dt)
        return self.mu
