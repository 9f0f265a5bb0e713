"""Foot contact detection from the measured normal force [N] with hysteresis (Schmitt
trigger): contact starts above ``on_threshold`` and ends below ``off_threshold``."""
from __future__ import annotations


class ContactDetector:
    def __init__(self, names, on_threshold: float = 50.0, off_threshold: float = 20.0):
        if not 0.0 <= off_threshold < on_threshold:
            raise ValueError(f"need 0 <= off_threshold ({off_threshold}) < on_threshold ({on_threshold}) [N]")
        self.on, self.off = on_threshold, off_threshold
        self.state = {n: True for n in names}  # the robot starts standing

    def update(self, normal_forces: dict) -> dict:
        """``normal_forces`` maps contact name -> force along the sole's z axis [N]."""
        for n, fz in normal_forces.items():
            if self.state[n] and fz < self.off:
                self.state[n] = False
            elif not self.state[n] and fz > self.on:
                self.state[n] = True
        return dict(self.state)

    def probability(self, fz: float) -> float:
        """Contact confidence in [0, 1], linear between the two thresholds."""
        return min(1.0, max(0.0, (fz - self.off) / (self.on - self.off)))
