"""Time series of a run for plots, video and the viewer (ROS-free).

:class:`RunRecording` keeps one sample every ``period_s`` of run time: the ground-truth base
pose and velocity, the centre of mass, the measured joint positions and the measured foot
wrenches. Everything a picture of the run needs can be rebuilt from it in any layout (the
driver may run in another process): the robot's configuration is ``q = [p, quat, joints]``.

Shapes (n samples, nj joints, sides = the robot's feet in config order):
  t            (n,)          run time [s]
  base_pos     (n, 3)        base position, world [m]
  base_quat    (n, 4)        base orientation, world, xyzw
  base_vel     (n, 3)        base linear velocity, world [m/s]
  base_wz      (n,)          base yaw rate, world [rad/s]
  com          (n, 3)        centre of mass, world [m]
  joint_pos    (n, nj)       joint positions, Pinocchio order [rad] (NaN before the first message)
  foot_wrench  {side: (n, 6)} force [N] and torque [N·m] at the sole, sole frame
  in_contact   {side: (n,)}  the estimator's contact flags
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from humanoid_control.spatial import rotate_by_quaternion

DEFAULT_PERIOD_S = 0.01  # [s] 100 samples per simulated second


@dataclass(frozen=True)
class RecordingArrays:
    """The recording as arrays (see the module docstring for shapes)."""

    t: np.ndarray
    base_pos: np.ndarray
    base_quat: np.ndarray
    base_vel: np.ndarray
    base_wz: np.ndarray
    com: np.ndarray
    joint_pos: np.ndarray
    foot_wrench: dict
    in_contact: dict

    def configuration(self, i: int) -> np.ndarray:
        """Pinocchio ``q`` of sample ``i``: [p (3), quat xyzw (4), joints (nj)]."""
        return np.concatenate([self.base_pos[i], self.base_quat[i], self.joint_pos[i]])

    def frame_indices(self, fps: float) -> np.ndarray:
        """Sample index of each video frame at ``fps`` frames per second of run time:
        the sample closest in time, one frame per 1/fps from the first sample to the last."""
        if len(self.t) == 0:
            return np.zeros(0, dtype=int)
        times = self.t[0] + np.arange(int(np.floor((self.t[-1] - self.t[0]) * fps + 1e-9)) + 1) / fps
        right = np.clip(np.searchsorted(self.t, times), 0, len(self.t) - 1)
        left = np.clip(right - 1, 0, len(self.t) - 1)
        closer_left = np.abs(self.t[left] - times) <= np.abs(self.t[right] - times)
        return np.where(closer_left, left, right)


class RunRecording:
    """Collects samples of a run; ``joint_names`` is the Pinocchio order of ``joint_pos``,
    ``feet`` maps each side (``left``, …) to its sole frame (contact messages name frames)."""

    def __init__(self, joint_names, feet: dict, period_s: float = DEFAULT_PERIOD_S):
        if not period_s > 0:
            raise ValueError(f"period_s must be > 0, got {period_s}")
        self.joint_names = list(joint_names)
        self.sides = list(feet)
        self._side_of = {**{s: s for s in feet}, **{frame: s for s, frame in feet.items()}}
        self.period_s = period_s
        self._index = {n: i for i, n in enumerate(self.joint_names)}
        self._joints = np.full(len(self.joint_names), np.nan)  # newest measured positions [rad]
        self._wrench = {s: np.zeros(6) for s in self.sides}
        self._contact = {s: False for s in self.sides}
        self._rows = []
        self._next_t = 0.0
        #: newest MPC plan: ([(foot, target xyz (3,) [m], yaw [rad])], CoM plan (n, 3) [m]) or None
        self.plan = None

    # ------------------------------------------------------------------ inputs (latest values)
    def set_joint_positions(self, names, positions) -> None:
        """Newest joint positions from a message (any order; unknown names ignored)."""
        for n, v in zip(names, positions):
            i = self._index.get(n)
            if i is not None:
                self._joints[i] = v

    def set_foot_wrench(self, side: str, wrench_sole) -> None:
        """Newest wrench [fx, fy, fz (N), tx, ty, tz (N·m)] at the ``side`` sole, sole frame."""
        if side in self._wrench:
            self._wrench[side][:] = wrench_sole

    def set_contacts(self, flags: dict) -> None:
        """Contact flags keyed by side or by sole frame name."""
        for name, v in flags.items():
            side = self._side_of.get(name)
            if side is not None:
                self._contact[side] = bool(v)

    def wants(self, t_s: float) -> bool:
        """Whether a sample at run time ``t_s`` [s] would be kept (a period has passed)."""
        return t_s + 1e-9 >= self._next_t

    def add_ground_truth(self, t_s: float, p, q_xyzw, v_base, w_base, com) -> bool:
        """One ground-truth state at run time ``t_s`` (velocities as odometry gives them: base
        frame [m/s], [rad/s]); kept when a period has passed since the last kept one (True
        then). Only kept samples are turned into world axes."""
        if t_s + 1e-9 < self._next_t:
            return False
        self._next_t = t_s + self.period_s
        v_world = rotate_by_quaternion(q_xyzw, v_base)
        wz_world = float(rotate_by_quaternion(q_xyzw, w_base)[2])
        row = (t_s, tuple(p), tuple(q_xyzw), tuple(v_world), wz_world, tuple(com), self._joints.copy(),
               {s: w.copy() for s, w in self._wrench.items()}, dict(self._contact))
        self._rows.append(row)
        return True

    def set_plan(self, footstep_targets, com_plan) -> None:
        """Newest plan: swing targets [(foot, xyz, yaw)] and the CoM over the horizon (n, 3)."""
        self.plan = (list(footstep_targets), np.asarray(com_plan, dtype=float).reshape(-1, 3))

    def latest_sample(self):
        """(t [s], q (Pinocchio), com (3,), {side: wrench at the sole (6,), sole frame}) of
        the newest sample, or None before the first one."""
        if not self._rows:
            return None
        r = self._rows[-1]
        return r[0], np.concatenate([r[1], r[2], r[6]]), np.asarray(r[5]), r[7]

    def __len__(self) -> int:
        return len(self._rows)

    def arrays(self) -> RecordingArrays:
        n, nj = len(self._rows), len(self.joint_names)
        rows = self._rows
        def col(k, width):
            return np.array([r[k] for r in rows], dtype=float).reshape(n, width)
        return RecordingArrays(
            t=col(0, 1)[:, 0], base_pos=col(1, 3), base_quat=col(2, 4), base_vel=col(3, 3), base_wz=col(4, 1)[:, 0],
            com=col(5, 3), joint_pos=np.array([r[6] for r in rows], dtype=float).reshape(n, nj),
            foot_wrench={s: np.array([r[7][s] for r in rows], dtype=float).reshape(n, 6) for s in self.sides},
            in_contact={s: np.array([r[8][s] for r in rows], dtype=bool) for s in self.sides})
