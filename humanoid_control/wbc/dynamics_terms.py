"""Everything the whole-body QP needs from Pinocchio at one configuration, computed once per
tick (``computeAllTerms`` plus one drift pass) and kept in a small named container."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pinocchio as pin

from humanoid_control.robot.model import RobotModel

LWA = pin.ReferenceFrame.LOCAL_WORLD_ALIGNED


@dataclass
class DynamicsTerms:
    """Shapes use nv = 6 + nj. Frames: "LWA" = at the frame's origin, axes of the world.

    M (nv, nv) mass matrix [kg, kg·m²]; h (nv) nonlinear effects (Coriolis + gravity);
    com (3) [m], com_velocity (3) [m/s], J_com (3, nv), com_drift (3) = dJ_com·v [m/s²];
    base_rotation (3, 3) world_R_base; J_base (6, nv) LWA; base_drift (6) = dJ·v LWA;
    J_feet[side] (6, nv) LWA at the sole; feet_drift[side] (6) LWA classical dJ·v;
    feet_placement[side] pin.SE3 world_T_sole; feet_velocity[side] (6) LWA."""

    q: np.ndarray
    v: np.ndarray
    M: np.ndarray
    h: np.ndarray
    com: np.ndarray
    com_velocity: np.ndarray
    J_com: np.ndarray
    com_drift: np.ndarray
    base_rotation: np.ndarray
    J_base: np.ndarray
    base_drift: np.ndarray
    J_feet: dict = field(default_factory=dict)
    feet_drift: dict = field(default_factory=dict)
    feet_placement: dict = field(default_factory=dict)
    feet_velocity: dict = field(default_factory=dict)


class DynamicsComputer:
    """Computes :class:`DynamicsTerms` for one robot, reusing Pinocchio's data."""

    def __init__(self, robot: RobotModel):
        self.robot = robot
        self.model = robot.model
        self.data = robot.model.createData()
        self._zero = np.zeros(robot.nv)

    def compute(self, q: np.ndarray, v: np.ndarray) -> DynamicsTerms:
        m, d = self.model, self.data
        pin.computeAllTerms(m, d, q, v)  # M, nle, joint Jacobians, com, Jcom, kinematics (a = 0 not set)
        pin.forwardKinematics(m, d, q, v, self._zero)  # drift pass: accelerations with qdd = 0
        pin.updateFramePlacements(m, d)
        pin.centerOfMass(m, d, q, v, self._zero)  # d.acom[0] = dJcom·v
        M = d.M.copy()
        M = np.triu(M) + np.triu(M, 1).T
        base = self.robot.base_frame_id
        base_acc = pin.getFrameClassicalAcceleration(m, d, base, LWA)
        terms = DynamicsTerms(
            q=q, v=v, M=M, h=d.nle.copy(),
            com=d.com[0].copy(), com_velocity=d.vcom[0].copy(), J_com=d.Jcom.copy(),
            com_drift=d.acom[0].copy(),
            base_rotation=d.oMf[base].rotation.copy(),
            J_base=pin.getFrameJacobian(m, d, base, LWA),
            base_drift=np.concatenate([base_acc.linear, base_acc.angular]),
        )
        for side, fid in self.robot.foot_frame_ids.items():
            terms.J_feet[side] = pin.getFrameJacobian(m, d, fid, LWA)
            acc = pin.getFrameClassicalAcceleration(m, d, fid, LWA)
            terms.feet_drift[side] = np.concatenate([acc.linear, acc.angular])
            terms.feet_placement[side] = d.oMf[fid].copy()
            terms.feet_velocity[side] = pin.getFrameVelocity(m, d, fid, LWA).vector.copy()
        return terms
