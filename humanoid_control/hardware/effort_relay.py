"""Effort relay (Gazebo): the topic contract's JointState commands to the Float64MultiArray a
``forward_command_controller`` with ``interface_name: effort`` takes, in its joint order.

The driver folds the PD law into the effort (topic bridge ``effort_includes_pd``), so the
relay only reorders; what it will not forward it counts and names (``last_rejection``). When
no command has arrived for ``timeout_s`` it sends zero torques once (the robot goes limp
rather than holding a stale torque), and again after every later silence.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from humanoid_control.errors import ConfigError


def controller_joints(controllers_yaml: Path, controller: str) -> list:
    """The ``joints`` of ``controller`` in a ros2_control controllers file."""
    import yaml

    data = yaml.safe_load(Path(controllers_yaml).read_text()) or {}
    try:
        joints = data[controller]["ros__parameters"]["joints"]
    except (KeyError, TypeError):
        names = [k for k in data if k != "controller_manager"]
        raise ConfigError(f"no '{controller}: ros__parameters: joints' list; controllers there: {names}",
                          str(controllers_yaml)) from None
    if not joints or not all(isinstance(j, str) for j in joints):
        raise ConfigError(f"'{controller}' joints must be a list of joint names", str(controllers_yaml))
    return list(joints)


class EffortRelay:
    def __init__(self, joints, timeout_s: float = 0.05):
        if not timeout_s > 0:
            raise ConfigError(f"timeout_s must be > 0, got {timeout_s}", "effort relay")
        self.joints = list(joints)
        self.timeout_s = timeout_s
        self._index = {n: i for i, n in enumerate(self.joints)}
        self._last_rx = None  # [s] time of the newest forwarded command
        self._zeroed = True
        self.forwarded = 0
        self.rejected = 0
        self.last_rejection = ""

    def on_command(self, names, efforts, now_s: float):
        """Torques [N·m] in the controller's order, or None (counted) when the message does
        not command every joint with a finite effort."""
        if len(efforts) != len(names):
            return self._reject(f"{len(names)} names but {len(efforts)} efforts")
        out = np.zeros(len(self.joints))
        given = np.zeros(len(self.joints), dtype=bool)
        for n, e in zip(names, efforts):
            i = self._index.get(n)
            if i is not None:
                out[i] = e
                given[i] = True
        missing = [j for j, g in zip(self.joints, given) if not g]
        if missing:
            return self._reject(f"no effort for joints {missing}")
        if not np.all(np.isfinite(out)):
            return self._reject("non-finite effort")
        self._last_rx = now_s
        self._zeroed = False
        self.forwarded += 1
        return out

    def check_timeout(self, now_s: float):
        """Zero torques once when commands have been silent for ``timeout_s``, else None."""
        if self._zeroed or (self._last_rx is not None and now_s - self._last_rx <= self.timeout_s):
            return None
        self._zeroed = True
        return np.zeros(len(self.joints))

    def _reject(self, why: str):
        self.rejected += 1
        self.last_rejection = why
        return None
