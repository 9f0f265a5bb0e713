"""Velocity commands: parsing the scripted form, and limiting what reaches the planner.

A command is (vx [m/s], vy [m/s], wz [rad/s]) in the base's heading frame (REP-103:
x forward, y left, z up), as in ``geometry_msgs/Twist`` on ``/cmd_vel``."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import ConfigError, UnknownNameError


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


#: the shapes a command may be limited to (CommandLimiter's ``envelope``)
ENVELOPES = ("ellipsoid", "box")


class CommandLimiter:
    """Limits a velocity command to ``max_velocity`` and slews it at ``max_acceleration``
    (each (3,): [m/s, m/s, rad/s] and [m/s², m/s², rad/s²]); ``max_backward`` [m/s] (default:
    ``max_velocity[0]``) limits vx below zero on its own.

    ``envelope`` "box" limits each axis alone; "ellipsoid" (the default) also keeps the
    command inside the ellipsoid through the axis limits, Σ (v_i / limit_i)² ≤ 1, by scaling
    the whole command down (its direction, and so the arc walked, is kept): each axis alone
    walks up to its limit, but two or three at once did not (the project humanoid fell at
    (0.9, 0, 0.7), (0.95, 0.1, 0.7) and (0.93, −0.34, −0.24); on the ellipsoid every
    direction measured walks, docs/walking_limits.md)."""

    def __init__(self, max_velocity, max_acceleration, max_backward: float | None = None,
                 envelope: str = "ellipsoid"):
        if envelope not in ENVELOPES:
            raise UnknownNameError("command envelope", envelope, ENVELOPES, "command_envelope")
        self.max_velocity = np.asarray(max_velocity, dtype=float)
        self.min_velocity = -self.max_velocity
        if max_backward is not None:
            self.min_velocity[0] = -float(max_backward)
        self.max_acceleration = np.asarray(max_acceleration, dtype=float)
        self.envelope = envelope
        self.value = np.zeros(3)
        self._t = None
        self.clamped = 0  # commands that asked for more than the envelope allows

    @classmethod
    def from_params(cls, cfg: dict) -> "CommandLimiter":
        """The limiter of the mpc node's validated parameters ``cfg`` (max_vx, max_vx_backward,
        max_vy, max_wz, max_acc_xy, max_acc_wz, command_envelope)."""
        return cls((cfg["max_vx"], cfg["max_vy"], cfg["max_wz"]),
                   (cfg["max_acc_xy"], cfg["max_acc_xy"], cfg["max_acc_wz"]), cfg["max_vx_backward"],
                   envelope=cfg["command_envelope"])

    def limit(self, target) -> np.ndarray:
        """``target`` (3,) [m/s, m/s, rad/s] inside the envelope (no slew); not finite -> zero."""
        target = np.asarray(target, dtype=float)
        if not np.all(np.isfinite(target)):
            return np.zeros(3)
        limited = np.clip(target, self.min_velocity, self.max_velocity)
        if self.envelope == "ellipsoid":
            bound = np.where(limited < 0.0, -self.min_velocity, self.max_velocity)
            axes = bound > 0.0
            norm = float(np.sqrt(np.sum((limited[axes] / bound[axes]) ** 2)))
            if norm > 1.0:
                limited = limited / norm
        return limited

    def update(self, t: float, target) -> np.ndarray:
        target = np.asarray(target, dtype=float)
        limited = self.limit(target)
        if np.all(np.isfinite(target)) and np.any(np.abs(limited - target) > 1e-12):
            self.clamped += 1
        dt = 0.0 if self._t is None else max(t - self._t, 0.0)
        self._t = t
        step = self.max_acceleration * dt
        self.value = self.value + np.clip(limited - self.value, -step, step)
        return self.value.copy()
