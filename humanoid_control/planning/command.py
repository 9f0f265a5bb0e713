"""Velocity commands: parsing the scripted form, and limiting what reaches the planner.

A command is (vx [m/s], vy [m/s], wz [rad/s]) in the base's heading frame (REP-103:
x forward, y left, z up), as in ``geometry_msgs/Twist`` on ``/cmd_vel``."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import ConfigError


@dataclass(frozen=True)
class ScriptedCommand:
    t: float  # [s] from when it holds (until the next one)
    velocity: tuple  # (vx [m/s], vy [m/s], wz [rad/s])

    def text(self) -> str:
        return f"{self.t:g}:{self.velocity[0]:g},{self.velocity[1]:g},{self.velocity[2]:g}"


def parse_cmd_vel(text: str) -> ScriptedCommand:
    """Parse ``T:VX,VY,WZ`` (s; m/s, m/s, rad/s), e.g. ``1:0.5,0,0``."""
    try:
        t_text, v_text = text.split(":")
        t = float(t_text)
        v = tuple(float(x) for x in v_text.split(","))
        if len(v) != 3 or t < 0 or not all(np.isfinite(v)) or not np.isfinite(t):
            raise ValueError
    except ValueError:
        raise ConfigError(f"command '{text}' is not T:VX,VY,WZ with T >= 0 (e.g. 1:0.5,0,0)", "--cmd-vel") from None
    return ScriptedCommand(t, v)


def scripted_command_at(script, t: float) -> tuple:
    """The piecewise-constant scripted command at time ``t`` [s] (zero before the first)."""
    v = (0.0, 0.0, 0.0)
    for c in sorted(script, key=lambda c: c.t):
        if c.t <= t:
            v = c.velocity
    return v


class CommandLimiter:
    """Clamps a velocity command to ``max_velocity`` and slews it at ``max_acceleration``
    (each (3,): [m/s, m/s, rad/s] and [m/s², m/s², rad/s²]); ``max_backward`` [m/s] (default:
    ``max_velocity[0]``) limits vx below zero on its own."""

    def __init__(self, max_velocity, max_acceleration, max_backward: float | None = None):
        self.max_velocity = np.asarray(max_velocity, dtype=float)
        self.min_velocity = -self.max_velocity
        if max_backward is not None:
            self.min_velocity[0] = -float(max_backward)
        self.max_acceleration = np.asarray(max_acceleration, dtype=float)
        self.value = np.zeros(3)
        self._t = None
        self.clamped = 0  # commands that asked for more than max_velocity

    def update(self, t: float, target) -> np.ndarray:
        target = np.asarray(target, dtype=float)
        if not np.all(np.isfinite(target)):
            target = np.zeros(3)
        limited = np.clip(target, self.min_velocity, self.max_velocity)
        if np.any(limited != target):
            self.clamped += 1
        dt = 0.0 if self._t is None else max(t - self._t, 0.0)
        self._t = t
        step = self.max_acceleration * dt
        self.value = self.value + np.clip(limited - self.value, -step, step)
        return self.value.copy()
