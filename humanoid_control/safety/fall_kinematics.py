"""What the driver's fall detection needs from the legs each tick — the base's tilt and its
height above the lowest sole — in one kernel call
(:func:`humanoid_control.kernels.kinematics.fall_figures`) on the robot's kinematic tree as
flat arrays, instead of a Pinocchio forward-kinematics pass through Python (~50 µs a tick).

Joint kinds the kernel knows: revolute and prismatic about any axis (Pinocchio's RX/RY/RZ,
PX/PY/PZ and the unaligned ones). A model with another kind (e.g. a continuous joint, two
configuration numbers) keeps the Pinocchio pass (``uses_kernel`` False)."""
from __future__ import annotations

import math

import numpy as np

from humanoid_control.kernels import kinematics as kernels
from humanoid_control.robot.model import RobotModel
from humanoid_control.safety.supervisor import base_tilt_rad, quat_xyzw_to_matrix

_AXES = {"X": (1.0, 0.0, 0.0), "Y": (0.0, 1.0, 0.0), "Z": (0.0, 0.0, 1.0)}


class FallKinematics:
    """Tilt [rad] and base height [m] above the lowest sole for one robot (see
    :meth:`figures`)."""

    def __init__(self, robot: RobotModel):
        self.robot = robot
        m = robot.model
        nj = m.njoints
        self.parent = np.array(m.parents, dtype=np.intp)
        self.joint_R = np.array([m.jointPlacements[i].rotation for i in range(nj)])
        self.joint_p = np.array([m.jointPlacements[i].translation for i in range(nj)])
        self.kind = np.zeros(nj, dtype=np.intp)
        self.axis = np.zeros((nj, 3))
        self.q_index = np.full(nj, -1, dtype=np.intp)
        self.uses_kernel = True
        for i in range(2, nj):
            j = m.joints[i]
            name = j.shortname()
            self.q_index[i] = j.idx_q - 7
            if name in ("JointModelRX", "JointModelRY", "JointModelRZ"):
                self.kind[i], self.axis[i] = kernels.KIND_REVOLUTE, _AXES[name[-1]]
            elif name in ("JointModelPX", "JointModelPY", "JointModelPZ"):
                self.kind[i], self.axis[i] = kernels.KIND_PRISMATIC, _AXES[name[-1]]
            elif name == "JointModelRevoluteUnaligned":
                self.kind[i], self.axis[i] = kernels.KIND_REVOLUTE, np.asarray(j.axis, dtype=float)
            elif name == "JointModelPrismaticUnaligned":
                self.kind[i], self.axis[i] = kernels.KIND_PRISMATIC, np.asarray(j.axis, dtype=float)
            else:
                self.uses_kernel = False
        frames = [robot.base_frame_id, robot.imu_frame_id, *robot.foot_frame_ids.values()]
        self.frame_joint = np.array([m.frames[f].parentJoint for f in frames], dtype=np.intp)
        self.frame_R = np.array([m.frames[f].placement.rotation for f in frames])
        self.frame_p = np.array([m.frames[f].placement.translation for f in frames])
        self._world_R = np.zeros((nj, 3, 3))
        self._world_p = np.zeros((nj, 3))
        if self.uses_kernel:
            kernels.warm_up()

    def figures(self, joint_q: np.ndarray, imu_q_xyzw: np.ndarray) -> tuple:
        """(tilt, height): the angle [rad] between the base's z axis and world up, from the
        IMU's orientation in world (quaternion x, y, z, w) and its mounting on the base at
        joint angles ``joint_q`` [rad] (Pinocchio order); the height [m] of the base origin
        above the lowest sole origin along world up. A quaternion not finite or zero gives
        (π, inf) — no orientation counts as fallen; joint angles not finite give (0, inf)."""
        if self.uses_kernel:
            return kernels.fall_figures(joint_q, imu_q_xyzw, self.parent, self.joint_R, self.joint_p, self.kind,
                                        self.axis, self.q_index, self.frame_joint, self.frame_R, self.frame_p,
                                        self._world_R, self._world_p)
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
