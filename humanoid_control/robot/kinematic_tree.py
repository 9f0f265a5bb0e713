"""A robot's kinematic tree as flat arrays for the Numba kinematics kernels
(:mod:`humanoid_control.kernels.kinematics`), built once from the Pinocchio model: the
driver's fall check and the state estimator's leg kinematics run on it every tick instead
of a dozen Pinocchio calls through Python.

Joint kinds the kernels know: revolute and prismatic about any axis (Pinocchio's RX/RY/RZ,
PX/PY/PZ and the unaligned ones). A model with another kind (e.g. a continuous joint, two
configuration numbers) has ``supported`` False and its users keep Pinocchio."""
from __future__ import annotations

import numpy as np

from humanoid_control.kernels import kinematics as kernels
from humanoid_control.robot.model import RobotModel

_AXES = {"X": (1.0, 0.0, 0.0), "Y": (0.0, 1.0, 0.0), "Z": (0.0, 0.0, 1.0)}


class KinematicTree:
    """Arrays (see the kernels module): per joint ``parent``, ``joint_R`` (njoints, 3, 3),
    ``joint_p`` (njoints, 3), ``kind``, ``axis`` (njoints, 3), ``q_index``, and the body it
    carries: ``body_mass`` [kg], ``body_com`` (njoints, 3) [m] in the joint's frame; per
    frame of [base, IMU, feet in the config's order] ``frame_joint``, ``frame_R``,
    ``frame_p``; and the work buffers ``world_R``, ``world_p``. :meth:`arguments` is the
    tuple the kernels take after the joint angles."""

    def __init__(self, robot: RobotModel):
        m = robot.model
        nj = m.njoints
        self.parent = np.array(m.parents, dtype=np.intp)
        self.joint_R = np.array([m.jointPlacements[i].rotation for i in range(nj)])
        self.joint_p = np.array([m.jointPlacements[i].translation for i in range(nj)])
        self.kind = np.zeros(nj, dtype=np.intp)
        self.axis = np.zeros((nj, 3))
        self.q_index = np.full(nj, -1, dtype=np.intp)
        self.supported = True
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
                self.supported = False
        frames = [robot.base_frame_id, robot.imu_frame_id, *robot.foot_frame_ids.values()]
        self.frame_joint = np.array([m.frames[f].parentJoint for f in frames], dtype=np.intp)
        self.frame_R = np.array([m.frames[f].placement.rotation for f in frames])
        self.frame_p = np.array([m.frames[f].placement.translation for f in frames])
        self.body_mass = np.array([m.inertias[i].mass for i in range(nj)])
        self.body_com = np.array([m.inertias[i].lever for i in range(nj)])
        self.world_R = np.zeros((nj, 3, 3))
        self.world_p = np.zeros((nj, 3))
        if self.supported:
            kernels.warm_up()

    def arguments(self) -> tuple:
        return (self.parent, self.joint_R, self.joint_p, self.kind, self.axis, self.q_index, self.frame_joint,
                self.frame_R, self.frame_p, self.world_R, self.world_p)


__all__ = ["KinematicTree"]
