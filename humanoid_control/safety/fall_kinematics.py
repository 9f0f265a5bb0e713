"""What the driver's fall detection needs from the legs each tick — the base's tilt and its
height above the lowest sole — in one kernel call
(:func:`humanoid_control.kernels.kinematics.fall_figures`) on the robot's
:class:`~humanoid_control.robot.kinematic_tree.KinematicTree`, instead of a Pinocchio
forward-kinematics pass through Python (~50 µs a tick). A model with joints the kernel does
not know keeps the Pinocchio pass (``uses_kernel`` False)."""
from __future__ import annotations

import math

import numpy as np

from humanoid_control.kernels import kinematics as kernels
from humanoid_control.robot.kinematic_tree import KinematicTree
from humanoid_control.robot.model import RobotModel
from humanoid_control.safety.supervisor import base_tilt_rad, quat_xyzw_to_matrix


class FallKinematics:
    """Tilt [rad] and base height [m] above the lowest sole for one robot (see
    :meth:`figures`)."""

    def __init__(self, robot: RobotModel):
        self.robot = robot
        self.tree = KinematicTree(robot)
        self.uses_kernel = self.tree.supported
        self._args = self.tree.arguments()

    def figures(self, joint_q: np.ndarray, imu_q_xyzw: np.ndarray) -> tuple:
        """(tilt, height): the angle [rad] between the base's z axis and world up, from the
        IMU's orientation in world (quaternion x, y, z, w) and its mounting on the base at
        joint angles ``joint_q`` [rad] (Pinocchio order); the height [m] of the base origin
        above the lowest sole origin along world up. A quaternion not finite or zero gives
        (π, inf) — no orientation counts as fallen; joint angles not finite give (0, inf)."""
        if self.uses_kernel:
            p, jR, jp, kind, axis, qi, fj, fR, fp, wR, wp = self._args
            return kernels.fall_figures(joint_q, imu_q_xyzw, p, jR, jp, kind, axis, qi, fj, fR, fp, wR, wp)
        return self.figures_pinocchio(joint_q, imu_q_xyzw)

    def figures_pinocchio(self, joint_q: np.ndarray, imu_q_xyzw: np.ndarray) -> tuple:
        """:meth:`figures` by Pinocchio's forward kinematics (the reference the kernel is
        tested against, and the path for joint kinds the kernel does not know)."""
        q = np.asarray(imu_q_xyzw, dtype=float)
        if not math.sqrt(float(q @ q)) > 0.0:
            return math.pi, math.inf
        if not np.all(np.isfinite(joint_q)):
            return 0.0, math.inf
        base_R_imu, soles_in_base = self.robot.base_frame_kinematics(joint_q)
        height = self.robot.base_height_above_soles(soles_in_base, quat_xyzw_to_matrix(q) @ base_R_imu.T)
        return base_tilt_rad(q, base_R_imu), height


__all__ = ["FallKinematics"]
