"""RobotModel: a humanoid URDF turned into a floating-base Pinocchio model with its feet,
IMU, limits and joint orders resolved and checked against a :class:`RobotConfig`."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pinocchio as pin

from humanoid_control.errors import ConfigError, UnknownNameError, UrdfError
from humanoid_control.robot.config import RobotConfig, add_sole_frames, load_robot_config
from humanoid_control.robot.joint_map import JointMap


def read_urdf_text(path: Path) -> str:
    """Read and sanity-check a URDF; errors name the file, the line and the problem."""
    path = Path(path)
    if not path.exists():
        raise UrdfError(str(path), "file does not exist")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise UrdfError(str(path), f"cannot read: {exc}") from None
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise UrdfError(str(path), f"invalid XML: {exc.msg}", exc.position[0]) from None
    if root.tag != "robot":
        raise UrdfError(str(path), f"root element is <{root.tag}>, expected <robot>")
    links = {link.get("name") for link in root.findall("link")}
    if not links:
        raise UrdfError(str(path), "no <link> elements")
    for j in root.findall("joint"):
        for tag in ("parent", "child"):
            el = j.find(tag)
            if el is None or el.get("link") not in links:
                raise UrdfError(str(path), f"joint '{j.get('name')}' has a {tag} link "
                                f"'{None if el is None else el.get('link')}' that is not a <link>")
    return text


class RobotModel:
    """Floating-base model of a humanoid (Pinocchio, free-flyer root).

    Conventions: ``q = [p_base (3, world, m), quat_base (4, xyzw), joints (nj, rad)]``,
    ``v = [v_base (3, base frame, m/s), w_base (3, base frame, rad/s), dq (nj)]``
    (Pinocchio's). ``joint_names`` is the Pinocchio order of the actuated joints;
    ``ros_joint_names`` the order used in ROS messages."""

    def __init__(self, config: RobotConfig):
        self.config = config
        text = add_sole_frames(read_urdf_text(config.urdf_path), config)
        try:
            self.model = pin.buildModelFromXML(text, pin.JointModelFreeFlyer())
        except (RuntimeError, ValueError) as exc:
            raise UrdfError(str(config.urdf_path), f"Pinocchio cannot build the model: {exc}") from None
        self.urdf_text = text
        m = self.model
        for jid in range(2, m.njoints):
            if m.joints[jid].nv != 1:
                raise UrdfError(str(config.urdf_path), f"joint '{m.names[jid]}' has {m.joints[jid].nv} DoF; "
                                "only 1-DoF (revolute/prismatic/continuous) actuated joints are supported")
        self.joint_names = [m.names[j] for j in range(2, m.njoints)]
        self.nj = len(self.joint_names)
        self.nq, self.nv = m.nq, m.nv
        if self.nj < 6:
            raise UrdfError(str(config.urdf_path), f"only {self.nj} actuated joints; a humanoid needs legs")
        self.ros_joint_names = list(config.joint_order) or list(self.joint_names)
        if sorted(self.ros_joint_names) != sorted(self.joint_names):
            extra = [n for n in self.ros_joint_names if n not in self.joint_names]
            if extra:
                raise UnknownNameError("joint", extra[0], self.joint_names, config.source + " (joint_order)")
            missing = [n for n in self.joint_names if n not in self.ros_joint_names]
            raise ConfigError(f"joint_order misses joints {missing}", config.source)
        #: ROS order -> Pinocchio order: pin_values = ros_to_pin(ros_values)
        self.ros_to_pin = JointMap(self.ros_joint_names, self.joint_names)
        #: Pinocchio order -> ROS order
        self.pin_to_ros = JointMap(self.joint_names, self.ros_joint_names)

        frame_names = [f.name for f in m.frames]
        def frame_id(name: str, what: str) -> int:
            if not m.existFrame(name):
                raise UnknownNameError(f"{what} frame", name, frame_names, config.source)
            return m.getFrameId(name)
        self.base_frame_id = frame_id(config.base_link, "base")
        if m.frames[self.base_frame_id].parentJoint != 1:
            raise ConfigError(f"base_link '{config.base_link}' is not attached to the floating base "
                              f"(root link of the URDF is '{m.frames[2].name}')", config.source)
        self.imu_frame_id = frame_id(config.imu_frame, "IMU")
        self.foot_frame_ids = {side: frame_id(f.frame, "foot") for side, f in config.feet.items()}
        for name in config.nominal_posture:
            if name not in self.joint_names and name != "root_joint":
                raise UnknownNameError("joint", name, self.joint_names, config.source + " (nominal_posture)")

        m.armature[6:] = config.rotor_inertia
        self.q_lower = np.array(m.lowerPositionLimit[7:], dtype=float)  # [rad]
        self.q_upper = np.array(m.upperPositionLimit[7:], dtype=float)  # [rad]
        self.v_max = np.array(m.velocityLimit[6:], dtype=float)  # [rad/s]
        self.tau_max = np.array(m.effortLimit[6:], dtype=float)  # [N·m]
        self.damping = np.array(m.damping[6:], dtype=float)  # [N·m·s/rad]
        for i, n in enumerate(self.joint_names):
            if not (self.tau_max[i] > 0 and self.v_max[i] > 0):
                raise UrdfError(str(config.urdf_path), f"joint '{n}' needs <limit effort> and <limit velocity> > 0")
        self.data = self.model.createData()
        self._imu_data = self.model.createData()
        self._q_base_fk = pin.neutral(self.model)  # base_frame_kinematics' configuration buffer
        self.mass = float(sum(i.mass for i in m.inertias))  # [kg]

    @classmethod
    def load(cls, robot: str) -> "RobotModel":
        """Build from a shipped robot name or a config path."""
        return cls(load_robot_config(robot))

    # ------------------------------------------------------------------ postures
    def nominal_joint_positions(self) -> np.ndarray:
        """Nominal standing joint angles in Pinocchio order [rad], clipped to the limits."""
        q = np.array([self.config.nominal_posture.get(n, 0.0) for n in self.joint_names])
        return np.clip(q, self.q_lower, self.q_upper)

    def nominal_configuration(self) -> np.ndarray:
        """Full q with the robot standing: base upright over the origin, lowest sole at z = 0."""
        q = pin.neutral(self.model)
        q[7:] = self.nominal_joint_positions()
        data = self.model.createData()
        pin.framesForwardKinematics(self.model, data, q)
        soles = [data.oMf[f].translation for f in self.foot_frame_ids.values()]
        q[2] = -min(s[2] for s in soles)
        mid = 0.5 * (soles[0] + soles[1])
        q[0] -= mid[0]
        q[1] -= mid[1]
        return q

    def frame_placement(self, q: np.ndarray, frame_id: int) -> pin.SE3:
        """World placement of a frame at configuration q (uses the model's own data)."""
        pin.framesForwardKinematics(self.model, self.data, q)
        return self.data.oMf[frame_id].copy()

    def base_frame_kinematics(self, joint_q: np.ndarray) -> tuple:
        """One forward kinematics pass for joint angles ``joint_q`` [rad] (Pinocchio order):
        (base_R_imu (3, 3), the soles' origins in the base frame (n_feet, 3) [m])."""
        q = self._q_base_fk  # the floating base at the origin (neutral), the joints set here
        q[7:] = joint_q
        pin.forwardKinematics(self.model, self._imu_data, q)
        base = pin.updateFramePlacement(self.model, self._imu_data, self.base_frame_id)
        imu = pin.updateFramePlacement(self.model, self._imu_data, self.imu_frame_id)
        soles = np.array([base.actInv(pin.updateFramePlacement(self.model, self._imu_data, f)).translation
                          for f in self.foot_frame_ids.values()])
        return base.rotation.T @ imu.rotation, soles

    @staticmethod
    def base_height_above_soles(soles_in_base: np.ndarray, world_R_base: np.ndarray) -> float:
        """Height [m] of the base origin above the lowest sole origin, from the soles in the
        base frame (:meth:`base_frame_kinematics`) and the base orientation in world — what a
        driver can know without a position estimate (fall detection)."""
        return float(-np.min((soles_in_base @ world_R_base.T)[:, 2]))

    def imu_rotation_in_base(self, joint_q: np.ndarray) -> np.ndarray:
        """base_R_imu (3, 3): the IMU frame's orientation in the base frame for joint angles
        ``joint_q`` [rad] (Pinocchio order). Mounting rotations count (Talos' IMU is upside
        down), and so do joints between the base and the IMU (a torso joint)."""
        q = pin.neutral(self.model)
        q[7:] = joint_q
        pin.forwardKinematics(self.model, self._imu_data, q)
        base = pin.updateFramePlacement(self.model, self._imu_data, self.base_frame_id)
        imu = pin.updateFramePlacement(self.model, self._imu_data, self.imu_frame_id)
        return base.rotation.T @ imu.rotation
