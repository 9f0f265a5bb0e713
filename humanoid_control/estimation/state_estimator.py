"""The estimator core: IMU + joint encoders + foot force sensors -> base pose and twist.

Inputs per tick: joint positions/velocities (Pinocchio order) [rad, rad/s], the IMU's
orientation (xyzw, world), angular velocity [rad/s] and proper acceleration [m/s²] (IMU
frame), and each foot's normal force [N]. Output: :class:`BaseEstimate`."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pinocchio as pin

from humanoid_control.estimation.contact_detector import ContactDetector
from humanoid_control.constants import GRAVITY_WORLD
from humanoid_control.estimation.kalman_filter import KfParams, LegKinematicsKF
from humanoid_control.robot.model import RobotModel
from humanoid_control.kernels import estimation as kernels
from humanoid_control.kernels import kinematics as kinematics_kernels
from humanoid_control.robot.kinematic_tree import KinematicTree

LWA = pin.ReferenceFrame.LOCAL_WORLD_ALIGNED


@dataclass
class BaseEstimate:
    position: np.ndarray  # [m] base origin in odom/world
    orientation_xyzw: np.ndarray  # world_R_base as quaternion
    linear_velocity_local: np.ndarray  # [m/s] base frame (REP-105 twist in child frame)
    angular_velocity_local: np.ndarray  # [rad/s] base frame
    contact: dict  # contact -> bool
    normal_force: dict  # contact -> [N]

    def configuration(self, joint_positions: np.ndarray) -> np.ndarray:
        """Pinocchio q from this estimate and joint angles (Pinocchio order)."""
        return np.concatenate([self.position, self.orientation_xyzw, joint_positions])

    def velocity(self, joint_velocities: np.ndarray) -> np.ndarray:
        """Pinocchio v (base twist in the base frame, then joint rates)."""
        return np.concatenate([self.linear_velocity_local, self.angular_velocity_local, joint_velocities])


class StateEstimator:
    def __init__(self, robot: RobotModel, kf_params: KfParams | None = None,
                 contact_on_N: float = 50.0, contact_off_N: float = 20.0):
        self.robot = robot
        self.model = robot.model
        self.data = robot.model.createData()
        self.contacts = tuple(robot.config.feet)
        self.kf = LegKinematicsKF(self.contacts, kf_params)
        self.detector = ContactDetector(self.contacts, contact_on_N, contact_off_N)
        self.base_R_imu = robot.imu_rotation_in_base(robot.nominal_joint_positions())  # updated every tick
        self._q = pin.neutral(robot.model)
        nc = len(self.contacts)
        self._foot_ids = [robot.foot_frame_ids[c] for c in self.contacts]
        self._r_feet = np.zeros((nc, 3))  # [m] feet in the base frame
        self._J_feet = np.zeros((nc, 3, robot.nj))  # linear Jacobians w.r.t. the joints, base frame
        self._R_feet = np.zeros((nc, 3, 3))  # the soles' frames in the base frame
        self._Jw_feet = np.zeros((nc, 3, robot.nj))  # [rad/s per rad/s] their angular Jacobians, base frame
        self._sole_points = np.array([kernels.sole_points(f.length, f.width)  # [m] sole frame (rolling soles)
                                      for f in (robot.config.feet[c] for c in self.contacts)])
        tree = KinematicTree(robot)
        self._tree = tree if tree.supported else None
        self._tree_args = tree.arguments()
        self._stance = np.zeros(nc, dtype=bool)
        self._ground_z = np.zeros(nc)  # [m] the ground's height under each foot (kf.ground_height; else a flat floor)
        self._imu = np.zeros(10)
        self._imu_compensated = np.zeros(10)
        self.imu_chain = self._joints_between_base_and_imu()
        self.odom = np.zeros(13)  # [p (3), quat xyzw (4), v_base (3), omega_base (3)], see leg_odometry
        self.rel_feet = np.zeros((nc, 3))  # [m] feet relative to the base, world axes
        p = self.kf.p
        self._noise = np.array([p.accel_noise, p.foot_process_noise_stance, p.foot_process_noise_swing,
                                p.kinematics_noise, p.velocity_noise, p.height_noise, p.swing_noise_scale,
                                -GRAVITY_WORLD[2], p.slip_gate, p.slip_gate_max_s, p.rolling_sole])
        self.gated = np.zeros(nc)  # [s] how long each stance foot's velocity has been set aside (slip gate)
        self.foot_slides = 0  # times a stance foot's velocity began to be set aside (KfParams.slip_gate)

    def _joints_between_base_and_imu(self) -> tuple:
        """Tree indices of the revolute joints between the base and the IMU (empty when the
        IMU sits on the base, the humanoid; Talos' IMU rides on the torso, after two joints)."""
        if self._tree is None:
            return ()
        parent, kind, frame_joint = self._tree.parent, self._tree.kind, self._tree.frame_joint
        chain, j, base = [], int(frame_joint[1]), int(frame_joint[0])
        while j > 1 and j != base:
            if kind[j] == kinematics_kernels.KIND_REVOLUTE:
                chain.append(j)
            j = int(parent[j])
        return tuple(chain)

    def compensate_imu_chain(self, imu: np.ndarray, joint_dq: np.ndarray) -> np.ndarray:
        """The IMU sample with the gyro turned into the base's rate (IMU frame): a gyro behind
        joints also measures their motion — the torso pitching at 0.7 rad/s under a push read
        as the base's made the stance-leg velocity 0.7 m/s wrong and Talos stepped backwards
        into a forward shove. Needs the tree placements of this tick (after leg_kinematics).
        Returns ``imu`` itself when nothing is between them."""
        if not self.imu_chain:
            return imu
        t = self._tree
        w = np.zeros(3)  # [rad/s] the IMU's rate relative to the base, root axes
        for j in self.imu_chain:
            w += (t.world_R[j] @ t.axis[j]) * joint_dq[t.q_index[j]]
        base_R = t.world_R[t.frame_joint[0]] @ t.frame_R[0]
        out = self._imu_compensated
        out[:] = imu
        out[4:7] -= self.base_R_imu.T @ (base_R.T @ w)
        return out

    def update_odom(self, joint_q: np.ndarray, joint_dq: np.ndarray, imu: np.ndarray, normal_forces: dict,
                    dt: float) -> dict:
        """One sample: joints (Pinocchio order) [rad, rad/s], ``imu`` (10,) = quaternion xyzw,
        gyro [rad/s], accelerometer [m/s²] (IMU frame), normal forces [N] per foot. The
        estimate lands in :attr:`odom` (13,); returns the contact flags."""
        # Kinematics with the base at the origin: frames expressed in the base frame.
        if self._tree is not None:  # one kernel call (robot/kinematic_tree.py)
            kinematics_kernels.leg_kinematics(joint_q, *self._tree_args, self.base_R_imu, self._r_feet, self._J_feet,
                                              self._R_feet, self._Jw_feet)
        else:
            self.leg_kinematics_pinocchio(joint_q)
        contact = self.detector.update(normal_forces)
        kf = self.kf
        if not kf.initialized:
            R = pin.Quaternion(imu[3], imu[0], imu[1], imu[2]).normalized().toRotationMatrix() @ self.base_R_imu.T
            rel = {c: R @ self._r_feet[k] for k, c in enumerate(self.contacts)}
            p0 = np.array([0.0, 0.0, -min(v[2] for v in rel.values())])
            p0[0:2] = -np.mean([v for v in rel.values()], axis=0)[0:2]
            kf.reset(p0, np.zeros(3), {c: p0 + rel[c] for c in self.contacts})
        for k, c in enumerate(self.contacts):
            self._stance[k] = contact[c]
        imu = self.compensate_imu_chain(imu, joint_dq)
        if kf.ground_height is not None:  # the known ground under each foot's estimate
            for k in range(len(self.contacts)):
                self._ground_z[k] = kf.ground_height(kf.x[6 + 3 * k:8 + 3 * k])
        kernels.leg_odometry(kf.x, kf.P, kf.H, kf._z, kf._r, imu, self.base_R_imu, self._r_feet, self._J_feet,
                             joint_dq, self._stance, self._ground_z, float(dt), self._noise, self.odom, self.rel_feet,
                             self.gated, self._R_feet, self._Jw_feet, self._sole_points)
        if self._noise[8] > 0.0:  # the slip gate is on: count the feet it began to set aside (their
            self.foot_slides += int(np.count_nonzero(self.gated == float(dt)))  # first gated sample: 0 + dt)
        return contact

    def leg_kinematics_pinocchio(self, joint_q: np.ndarray) -> None:
        """``base_R_imu``, the feet's positions and linear Jacobians (base at the origin) by
        Pinocchio: the reference the kernel is tested against, and the path for joint kinds
        the kernel does not know."""
        q, m, d = self._q, self.model, self.data
        q[7:] = joint_q
        pin.computeJointJacobians(m, d, q)
        pin.updateFramePlacements(m, d)
        oMf = d.oMf
        self.base_R_imu[:] = oMf[self.robot.base_frame_id].rotation.T @ oMf[self.robot.imu_frame_id].rotation
        for k, fid in enumerate(self._foot_ids):
            self._r_feet[k] = oMf[fid].translation
            self._R_feet[k] = oMf[fid].rotation
            J = pin.getFrameJacobian(m, d, fid, LWA)
            self._J_feet[k], self._Jw_feet[k] = J[:3, 6:], J[3:, 6:]

    def update(self, joint_q: np.ndarray, joint_dq: np.ndarray, imu_quat_xyzw: np.ndarray,
               imu_gyro: np.ndarray, imu_accel: np.ndarray, normal_forces: dict, dt: float) -> BaseEstimate:
        """:meth:`update_odom` with the IMU in parts, as a :class:`BaseEstimate`."""
        imu = self._imu
        imu[0:4], imu[4:7], imu[7:10] = imu_quat_xyzw, imu_gyro, imu_accel
        contact = self.update_odom(joint_q, joint_dq, imu, normal_forces, dt)
        o = self.odom
        return BaseEstimate(position=o[0:3].copy(), orientation_xyzw=o[3:7].copy(),
                            linear_velocity_local=o[7:10].copy(), angular_velocity_local=o[10:13].copy(),
                            contact=contact, normal_force=dict(normal_forces))
