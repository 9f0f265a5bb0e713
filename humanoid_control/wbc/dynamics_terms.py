"""Everything the whole-body QP needs at one configuration, computed once per tick into
buffers allocated once, and kept in a small named container.

The mass matrix and the nonlinear effects come from Pinocchio (``crba``,
``nonLinearEffects``); the frames' placements, Jacobians, velocities and drifts and the
CoM, its Jacobian and drift come from one Numba pass over the kinematic tree
(:func:`humanoid_control.kernels.kinematics.frame_motion`) instead of a dozen Pinocchio
calls through Python (~20 µs of a Talos tick). :meth:`DynamicsComputer.compute_pinocchio`
is the all-Pinocchio reference (``computeAllTerms`` and the frame queries), kept for the
tests and for a model whose joints the kernel does not know."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pinocchio as pin

from humanoid_control.kernels import kinematics as kinematics_kernels
from humanoid_control.kernels import wbc as kernels
from humanoid_control.robot.kinematic_tree import KinematicTree
from humanoid_control.robot.model import RobotModel

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
    (J_feet[side] (6, nv), feet_drift[side], feet_velocity[side]) and feet_placement[side]
    world_T_sole as an object with ``rotation`` and ``translation`` (views of
    contact_rotation[k] and contact_position[k]).

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


class FramePlacement:
    """A frame's world placement as views: ``rotation`` (3, 3) and ``translation`` (3,) [m]
    (what a task reads of a pin.SE3)."""

    __slots__ = ("rotation", "translation")

    def __init__(self, rotation: np.ndarray, translation: np.ndarray):
        self.rotation, self.translation = rotation, translation


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
        # per frame of the kinematic tree [base, IMU, soles…]: what the kernel writes; the
        # terms' base and contact arrays are views of it
        nf = 2 + nc
        self._frame_R, self._frame_p = np.zeros((nf, 3, 3)), np.zeros((nf, 3))
        self._frame_J, self._frame_velocity, self._frame_drift = np.zeros((nf, 6, nv)), np.zeros((nf, 6)), np.zeros((nf, 6))
        self._com = np.zeros((3, 3))  # rows CoM, CoM velocity, dJcom·v
        fR, fp, fJ, fv, fd, c = self._frame_R, self._frame_p, self._frame_J, self._frame_velocity, self._frame_drift, self._com
        fR[0] = np.eye(3)
        t = DynamicsTerms(
            q=np.zeros(robot.nq), v=np.zeros(nv), M=np.zeros((nv, nv)), h=np.zeros(nv),
            com=c[0], com_velocity=c[1], J_com=np.zeros((3, nv)), com_drift=c[2],
            base_rotation=fR[0], J_base=fJ[0], base_drift=fd[0],
            J_contacts=fJ[2:], contact_drift=fd[2:], contact_velocity=fv[2:],
            contact_rotation=fR[2:], contact_position=fp[2:])
        for k, side in enumerate(self.sides):
            t.J_feet[side] = t.J_contacts[k]
            t.feet_drift[side] = t.contact_drift[k]
            t.feet_velocity[side] = t.contact_velocity[k]
            t.feet_placement[side] = FramePlacement(t.contact_rotation[k], t.contact_position[k])
        self.terms = t
        tree = KinematicTree(robot)
        self.uses_kernel = tree.supported
        if tree.supported:
            nj = tree.parent.shape[0]
            self._kernel_args = (tree.parent, tree.joint_R, tree.joint_p, tree.kind, tree.axis, tree.q_index,
                                 tree.frame_joint, tree.frame_R, tree.frame_p, tree.body_mass, tree.body_com,
                                 tree.world_R, tree.world_p, np.zeros((nj, 4, 3)), fR, fp, fJ, fv, fd, c, t.J_com)

    def compute(self, q: np.ndarray, v: np.ndarray) -> DynamicsTerms:
        if not self.uses_kernel:
            return self.compute_pinocchio(q, v)
        m, d, t = self.model, self.data, self.terms
        pin.crba(m, d, q)  # upper triangle of M
        pin.nonLinearEffects(m, d, q, v)
        t.q[:] = q
        t.v[:] = v
        kernels.copy_symmetric(t.M, d.M)
        t.h[:] = d.nle
        kinematics_kernels.frame_motion(q, v, *self._kernel_args)
        return t

    def compute_pinocchio(self, q: np.ndarray, v: np.ndarray) -> DynamicsTerms:
        """:meth:`compute` through Pinocchio alone (the reference the kernel is tested against)."""
        m, d, t = self.model, self.data, self.terms
        # M, nle, joint Jacobians, com, Jcom, kinematics — and the joints' accelerations at qdd = 0
        # (its bias pass leaves them in data.a: the drift terms need no second kinematics pass;
        # test/wbc/test_dynamics_and_qp.py checks this against finite differences)
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
            t.contact_velocity[k] = pin.getFrameVelocity(m, d, fid, LWA).vector
        return t
