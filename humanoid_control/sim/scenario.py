"""Scripted disturbances of a simulated run, parsed from the CLI's text forms."""
from __future__ import annotations

from dataclasses import dataclass

from humanoid_control.errors import ConfigError


@dataclass(frozen=True)
class Push:
    """A force applied at the base: from ``t`` [s] for ``duration`` [s], ``force`` [N] in world."""

    t: float
    force: tuple
    duration: float

    @property
    def impulse(self) -> float:
        """|F|·duration [N·s]."""
        return (self.force[0] ** 2 + self.force[1] ** 2 + self.force[2] ** 2) ** 0.5 * self.duration

    def text(self) -> str:
        return f"{self.t:g}:{self.force[0]:g},{self.force[1]:g},{self.force[2]:g}:{self.duration:g}"


def parse_push(text: str) -> Push:
    """Parse ``T:FX,FY,FZ:DUR`` (seconds, newtons, seconds), e.g. ``2:110,0,0:0.1``."""
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        t = float(parts[0])
        force = tuple(float(f) for f in parts[1].split(","))
        dur = float(parts[2])
        if len(force) != 3:
            raise ValueError
    except ValueError:
        raise ConfigError(f"push '{text}' is not T:FX,FY,FZ:DUR (e.g. 2:110,0,0:0.1)", "--push") from None
    if t < 0 or not 0 < dur <= 5.0:
        raise ConfigError(f"push '{text}': need T >= 0 [s] and 0 < DUR <= 5 [s]", "--push")
    if max(abs(f) for f in force) > 1e4:
        raise ConfigError(f"push '{text}': force components must be within ±10000 N", "--push")
    return Push(t, force, dur)
