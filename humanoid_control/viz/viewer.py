"""MuJoCo's interactive viewer, following the run live from its recording.

The viewer shows the recorded configurations (ground-truth base pose, measured joints) on a
MuJoCo model of its own, so it works in every layout (the simulation may run in another
process). It needs a display; :func:`display_problem` says why there is none."""
from __future__ import annotations

import os

import numpy as np

from humanoid_control.hardware.mujoco_model import build_mujoco_model, set_qpos_from_pinocchio

SYNC_PERIOD_S = 1.0 / 30.0  # [s] wall time between viewer refreshes


def display_problem() -> str:
    """'' when a display is available, else a sentence saying why there is none."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return "no display is available (DISPLAY and WAYLAND_DISPLAY are unset)"


class LiveViewer:
    """``update(recording)`` shows its newest sample (at most every ``SYNC_PERIOD_S`` of wall
    time); ``close()`` ends the window."""

    def __init__(self, robot, terrain: str = "flat"):
        import mujoco
        import mujoco.viewer

        from humanoid_control.sim.terrain import Terrain

        self._mujoco = mujoco
        self.model, self.h = build_mujoco_model(robot, robot.joint_names, scenery=True, terrain=Terrain.parse(terrain))
        self.data = mujoco.MjData(self.model)
        self.handle = mujoco.viewer.launch_passive(self.model, self.data)
        self._last = -1.0

    def update(self, recording, wall_s: float) -> None:
        if wall_s - self._last < SYNC_PERIOD_S or not len(recording) or not self.handle.is_running():
            return
        self._last = wall_s
        sample = recording.latest_sample()
        if sample is None or not np.all(np.isfinite(sample[1])):
            return
        set_qpos_from_pinocchio(self.data.qpos, self.h, sample[1])
        self._mujoco.mj_forward(self.model, self.data)
        self.handle.sync()

    def close(self) -> None:
        self.handle.close()
