"""Everything the whole-body QP needs from Pinocchio at one configuration, computed once per
tick (``computeAllTerms``, whose bias pass also gives the drift terms) into buffers allocated once, and kept in a
small named container."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pinocchio as pin

from humanoid_control.robot.model import RobotModel
from humanoid_control.kernels import wbc as kernels

LWA = pin.ReferenceFrame.LOCAL_WORLD_ALIGNED


@dataclass
class DynamicsTerms:
    """Shapes use nv = 6 + nj and nc contacts (in the robot config's foot order). Frames:
    "LWA" = at the frame's origin, axes of the world. All arrays are C-contiguous float64.

    M (nv, nv) mass matrix [kg, kg·m²]; h (nv) nonlinear effects (Coriolis + gravity);
    com (3) [m], com_velocity (3) [m/s], J_com (3, nv), com_drift (3) = dJ_com·v [m/s²];
    base_rotation (3, 3) world_R_base; J_base (6, nv) LWA; base_drift (6) = dJ·v LWA;
    J_contacts (nc, 6, nv) LWA at the soles; contact_drift (nc, 6) LWA classical dJ·v;
    contact_velocity (nc, 6) LWA; contact_rotation (nc, 3, 3) world_R_sole;
    contact_position (nc, 3) [m] world. The per-side dicts hold views of those stacks
    (J_feet[side] (6, nv), feet_drift[side], feet_velocity[side]) and
    feet_placement[side] = pin.SE3 world_T_sole.

    A :class:`DynamicsComputer` refills the same container every tick: copy what must
    outlive the tick."""

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
    J_contacts: np.ndarray
    contact_drift: np.ndarray
    contact_velocity: np.ndarray
    contact_rotation: np.ndarray
    contact_position: np.ndarray
    J_feet: dict = field(default_factory=dict)
    feet_drift: dict = field(default_factory=dict)
    feet_placement: dict = field(default_factory=dict)
    feet_velocity: dict = field(default_factory=dict)


class DynamicsComputer:
    """Computes :class:`DynamicsTerms` for one robot, reusing Pinocchio's data and one set
    of output buffers."""

    def __init__(self, robot: RobotModel):
        self.robot = robot
        self.model = robot.model
        self.data = robot.model.createData()
        nv = robot.nv
        self.sides = tuple(robot.foot_frame_ids)
        nc = len(self.sides)
        t = DynamicsTerms(
            q=np.zeros(robot.nq), v=np.zeros(nv), M=np.zeros((nv, nv)), h=np.zeros(nv),
            com=np.zeros(3), com_velocity=np.zeros(3), J_com=np.zeros((3, nv)), com_drift=np.zeros(3),
            base_rotation=np.eye(3), J_base=np.zeros((6, nv)), base_drift=np.zeros(6),
            J_contacts=np.zeros((nc, 6, nv)), contact_drift=np.zeros((nc, 6)), contact_velocity=np.zeros((nc, 6)),
            contact_rotation=np.zeros((nc, 3, 3)), contact_position=np.zeros((nc, 3)))
        for k, side in enumerate(self.sides):
            t.J_feet[side] = t.J_contacts[k]
            t.feet_drift[side] = t.contact_drift[k]
            t.feet_velocity[side] = t.contact_velocity[k]
            t.feet_placement[side] = pin.SE3.Identity()
        self.terms = t

    def compute(self, q: np.ndarray, v: np.ndarray) -> DynamicsTerms:
        m, d, t = self.model, self.data, self.terms
        # M, nle, joint Jacobians, com, Jcom, kinematics — and the joints' accelerations at qdd = 0
        # (its bias pass leaves them in data.a: the drift terms need no second kinematics pass;
        # test/wbc/test_dynamics_and_qp.py checks this against forwardKinematics(q, v, 0))
        pin.computeAllTerms(m, d, q, v)
        pin.updateFramePlacements(m, d)
        pin.centerOfMass(m, d, pin.KinematicLevel.ACCELERATION, False)  # from the drift pass: d.acom[0] = dJcom·v
        t.q[:] = q
        t.v[:] = v
        kernels.copy_symmetric(t.M, d.M)  # Pinocchio fills the upper triangle
        t.h[:] = d.nle
        t.com[:] = d.com[0]
        t.com_velocity[:] = d.vcom[0]
        t.J_com[:] = d.Jcom
        t.com_drift[:] = d.acom[0]
        base = self.robot.base_frame_id
        t.base_rotation[:] = d.oMf[base].rotation
        t.J_base[:] = pin.getFrameJacobian(m, d, base, LWA)
        acc = pin.getFrameClassicalAcceleration(m, d, base, LWA)
        t.base_drift[:3] = acc.linear
        t.base_drift[3:] = acc.angular
        for k, (side, fid) in enumerate(self.robot.foot_frame_ids.items()):
            t.J_contacts[k] = pin.getFrameJacobian(m, d, fid, LWA)
            acc = pin.getFrameClassicalAcceleration(m, d, fid, LWA)
            t.contact_drift[k, :3] = acc.linear
            t.contact_drift[k, 3:] = acc.angular
            placement = d.oMf[fid]
            t.contact_rotation[k] = placement.rotation
            t.contact_position[k] = placement.translation
            t.feet_placement[side] = placement.copy()
            t.contact_velocity[k] = pin.getFrameVelocity(m, d, fid, LWA).vector
        return t
