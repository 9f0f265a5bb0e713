"""The estimator core: IMU + joint encoders + foot force sensors -> base pose and twist.

Inputs per tick: joint positions/velocities (Pinocchio order) [rad, rad/s], the IMU's
orientation (xyzw, world), angular velocity [rad/s] and proper acceleration [m/s²] (IMU
frame), and each foot's normal force [N]. Output: :class:`BaseEstimate`."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pinocchio as pin

from humanoid_control.estimation.contact_detector import ContactDetector
from humanoid_control.estimation.kalman_filter import GRAVITY_WORLD, KfParams, LegKinematicsKF
from humanoid_control.robot.model import RobotModel
from humanoid_control.spatial import cross3

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

    def update(self, joint_q: np.ndarray, joint_dq: np.ndarray, imu_quat_xyzw: np.ndarray,
               imu_gyro: np.ndarray, imu_accel: np.ndarray, normal_forces: dict, dt: float) -> BaseEstimate:
        # Kinematics with the base at the origin: frames expressed in the base frame.
        q = self._q
        q[7:] = joint_q
        pin.computeJointJacobians(self.model, self.data, q)
        pin.updateFramePlacements(self.model, self.data)
        oMf = self.data.oMf
        self.base_R_imu = oMf[self.robot.base_frame_id].rotation.T @ oMf[self.robot.imu_frame_id].rotation
        quat = pin.Quaternion(imu_quat_xyzw[3], imu_quat_xyzw[0], imu_quat_xyzw[1], imu_quat_xyzw[2])
        quat.normalize()
        world_R_imu = quat.toRotationMatrix()
        R = world_R_imu @ self.base_R_imu.T  # world_R_base
        omega_b = self.base_R_imu @ imu_gyro  # [rad/s] base frame
        accel_world = world_R_imu @ imu_accel + GRAVITY_WORLD
        contact = self.detector.update(normal_forces)
        rel, vel = {}, {}
        for c, fid in self.robot.foot_frame_ids.items():
            r_b = self.data.oMf[fid].translation
            J = pin.getFrameJacobian(self.model, self.data, fid, LWA)[:3, 6:]
            rel[c] = R @ r_b
            vel[c] = -R @ (cross3(omega_b, r_b) + J @ joint_dq)
        if not self.kf.initialized:
            p0 = np.array([0.0, 0.0, -min(v[2] for v in rel.values())])
            mid = np.mean([v for v in rel.values()], axis=0)
            p0[0:2] = -mid[0:2]
            self.kf.reset(p0, np.zeros(3), {c: p0 + rel[c] for c in self.contacts})
        self.kf.predict(accel_world, dt, contact)
        self.kf.correct(rel, vel, contact)
        return BaseEstimate(
            position=self.kf.base_position.copy(),
            orientation_xyzw=pin.Quaternion(R).coeffs().copy(),
            linear_velocity_local=R.T @ self.kf.base_velocity,
            angular_velocity_local=omega_b,
            contact=contact,
            normal_force=dict(normal_forces),
        )
