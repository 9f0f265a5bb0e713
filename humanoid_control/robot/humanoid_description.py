"""The project's own humanoid, described once in Python and written out as URDF.

``urdf/humanoid.urdf`` is generated from this module (``python -m
humanoid_control.robot.humanoid_description > urdf/humanoid.urdf``) and a test checks
that the committed file matches, so the URDF stays the single source of truth for
Pinocchio, MuJoCo and the ``<ros2_control>`` hardware description while the masses and
inertias stay physically consistent (computed from primitive shapes, never typed by hand).

Frames follow REP-103: x forward, y left, z up. Units are SI: m, kg, rad, N·m, rad/s.
At zero joint angles the legs are straight and the arms hang down.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """A primitive solid: ``kind`` is box (size = x, y, z), cylinder (radius, length
    along z) or sphere (radius). ``xyz`` is its centre in the link frame [m]."""

    kind: str
    size: tuple
    xyz: tuple = (0.0, 0.0, 0.0)

    def inertia(self, mass: float) -> tuple:
        """Principal moments (ixx, iyy, izz) about the shape centre [kg·m²]."""
        if self.kind == "box":
            x, y, z = self.size
            return (mass * (y * y + z * z) / 12, mass * (x * x + z * z) / 12, mass * (x * x + y * y) / 12)
        if self.kind == "cylinder":
            r, h = self.size
            side = mass * (3 * r * r + h * h) / 12
            return (side, side, mass * r * r / 2)
        if self.kind == "sphere":
            (r,) = self.size
            i = 2 * mass * r * r / 5
            return (i, i, i)
        raise ValueError(f"unknown shape kind {self.kind!r}; valid: box, cylinder, sphere")

    def geometry_xml(self) -> str:
        if self.kind == "box":
            return '<box size="%s"/>' % _vec(self.size)
        if self.kind == "cylinder":
            return '<cylinder radius="%s" length="%s"/>' % (_num(self.size[0]), _num(self.size[1]))
        return '<sphere radius="%s"/>' % _num(self.size[0])


@dataclass(frozen=True)
class JointSpec:
    """A revolute joint with the limits of a typical electric actuator at the joint."""

    name: str
    parent: str
    child: str
    xyz: tuple
    axis: tuple
    lower: float  # [rad]
    upper: float  # [rad]
    effort: float  # [N·m]
    velocity: float  # [rad/s]


def _num(x: float) -> str:
    s = ("%.6f" % x).rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _vec(v) -> str:
    return " ".join(_num(x) for x in v)


# Link name -> (mass [kg], shape). Masses sum to ~37 kg for a 1.47 m robot.
FOOT_LENGTH = 0.22  # [m] along x
FOOT_WIDTH = 0.11  # [m] along y
FOOT_HEIGHT = 0.04  # [m]
ANKLE_TO_SOLE = 0.06  # [m] ankle axis above the sole
FOOT_CENTER_X = 0.025  # [m] sole centre ahead of the ankle axis
THIGH = 0.34  # [m] hip-pitch axis to knee axis
SHIN = 0.34  # [m] knee axis to ankle axis
HIP_Y = 0.09  # [m] lateral hip offset from the pelvis centre
HIP_Z = -0.08  # [m] hip height relative to the pelvis centre
UPPER_ARM = 0.24  # [m]
FOREARM = 0.24  # [m]

LINKS: dict = {
    "base_link": (6.0, Shape("box", (0.16, 0.26, 0.12))),
    "torso_link": (8.5, Shape("box", (0.18, 0.30, 0.38), (0.0, 0.0, 0.21))),
    "head_link": (1.5, Shape("sphere", (0.09,))),
}
for side in ("left", "right"):
    LINKS.update({
        f"{side}_hip_yaw_link": (0.8, Shape("cylinder", (0.045, 0.06), (0.0, 0.0, -0.03))),
        f"{side}_hip_roll_link": (1.0, Shape("box", (0.08, 0.07, 0.07))),
        f"{side}_thigh_link": (3.2, Shape("cylinder", (0.055, THIGH - 0.04), (0.0, 0.0, -THIGH / 2))),
        f"{side}_shin_link": (2.2, Shape("cylinder", (0.045, SHIN - 0.04), (0.0, 0.0, -SHIN / 2))),
        f"{side}_ankle_link": (0.3, Shape("box", (0.05, 0.05, 0.04))),
        f"{side}_foot_link": (0.8, Shape("box", (FOOT_LENGTH, FOOT_WIDTH, FOOT_HEIGHT),
                                         (FOOT_CENTER_X, 0.0, -ANKLE_TO_SOLE + FOOT_HEIGHT / 2))),
        f"{side}_shoulder_pitch_link": (0.3, Shape("sphere", (0.045,))),
        f"{side}_shoulder_roll_link": (0.3, Shape("box", (0.06, 0.06, 0.06))),
        f"{side}_upper_arm_link": (1.0, Shape("cylinder", (0.04, UPPER_ARM - 0.02), (0.0, 0.0, -UPPER_ARM / 2))),
        f"{side}_forearm_link": (0.8, Shape("cylinder", (0.035, FOREARM), (0.0, 0.0, -FOREARM / 2))),
    })


def _joints() -> list:
    joints = [JointSpec("torso_yaw", "base_link", "torso_link", (0.0, 0.0, 0.08), (0, 0, 1), -1.0, 1.0, 80.0, 10.0)]
    for side, s in (("left", 1.0), ("right", -1.0)):
        p = f"{side}_"
        # Roll ranges mirror between sides: positive roll moves a left limb outwards.
        out_lo, out_hi = (-0.35, 0.6) if s > 0 else (-0.6, 0.35)
        joints += [
            JointSpec(p + "hip_yaw", "base_link", p + "hip_yaw_link", (0.0, s * HIP_Y, HIP_Z), (0, 0, 1), -0.8, 0.8, 60.0, 12.0),
            JointSpec(p + "hip_roll", p + "hip_yaw_link", p + "hip_roll_link", (0.0, 0.0, -0.06), (1, 0, 0), out_lo, out_hi, 100.0, 12.0),
            JointSpec(p + "hip_pitch", p + "hip_roll_link", p + "thigh_link", (0.0, 0.0, 0.0), (0, 1, 0), -2.0, 0.8, 150.0, 12.0),
            JointSpec(p + "knee", p + "thigh_link", p + "shin_link", (0.0, 0.0, -THIGH), (0, 1, 0), 0.0, 2.3, 150.0, 12.0),
            JointSpec(p + "ankle_pitch", p + "shin_link", p + "ankle_link", (0.0, 0.0, -SHIN), (0, 1, 0), -0.9, 0.6, 80.0, 12.0),
            JointSpec(p + "ankle_roll", p + "ankle_link", p + "foot_link", (0.0, 0.0, 0.0), (1, 0, 0), -0.4, 0.4, 40.0, 12.0),
        ]
    for side, s in (("left", 1.0), ("right", -1.0)):
        p = f"{side}_"
        roll_lo, roll_hi = (-0.3, 2.5) if s > 0 else (-2.5, 0.3)
        joints += [
            JointSpec(p + "shoulder_pitch", "torso_link", p + "shoulder_pitch_link", (0.0, s * 0.2, 0.36), (0, 1, 0), -3.0, 1.2, 40.0, 10.0),
            JointSpec(p + "shoulder_roll", p + "shoulder_pitch_link", p + "shoulder_roll_link", (0.0, 0.0, 0.0), (1, 0, 0), roll_lo, roll_hi, 40.0, 10.0),
            JointSpec(p + "shoulder_yaw", p + "shoulder_roll_link", p + "upper_arm_link", (0.0, 0.0, -0.04), (0, 0, 1), -1.5, 1.5, 20.0, 10.0),
            JointSpec(p + "elbow", p + "upper_arm_link", p + "forearm_link", (0.0, 0.0, -UPPER_ARM), (0, 1, 0), -2.2, 0.0, 30.0, 10.0),
        ]
    return joints


# Fixed frames: name -> (parent link, xyz [m]).
FIXED_FRAMES = {
    "imu_link": ("base_link", (0.0, 0.0, 0.05)),
    "head_link": ("torso_link", (0.0, 0.0, 0.48)),
    "left_sole": ("left_foot_link", (FOOT_CENTER_X, 0.0, -ANKLE_TO_SOLE)),
    "right_sole": ("right_foot_link", (FOOT_CENTER_X, 0.0, -ANKLE_TO_SOLE)),
}

JOINT_DAMPING = 0.05  # [N·m·s/rad] viscous friction of each actuator


def _link_xml(name: str) -> str:
    if name not in LINKS:
        return f'  <link name="{name}"/>\n'
    mass, shape = LINKS[name]
    ixx, iyy, izz = shape.inertia(mass)
    color = "0.75 0.75 0.8 1" if "foot" not in name else "0.2 0.2 0.25 1"
    return (
        f'  <link name="{name}">\n'
        f'    <inertial>\n'
        f'      <origin xyz="{_vec(shape.xyz)}" rpy="0 0 0"/>\n'
        f'      <mass value="{_num(mass)}"/>\n'
        f'      <inertia ixx="{ixx:.6g}" ixy="0" ixz="0" iyy="{iyy:.6g}" iyz="0" izz="{izz:.6g}"/>\n'
        f'    </inertial>\n'
        f'    <visual>\n'
        f'      <origin xyz="{_vec(shape.xyz)}" rpy="0 0 0"/>\n'
        f'      <geometry>{shape.geometry_xml()}</geometry>\n'
        f'      <material name="{name}_color"><color rgba="{color}"/></material>\n'
        f'    </visual>\n'
        f'    <collision>\n'
        f'      <origin xyz="{_vec(shape.xyz)}" rpy="0 0 0"/>\n'
        f'      <geometry>{shape.geometry_xml()}</geometry>\n'
        f'    </collision>\n'
        f'  </link>\n'
    )


def _ros2_control_xml(joints: list) -> str:
    out = [
        '  <ros2_control name="humanoid_system" type="system">\n',
        '    <hardware>\n',
        '      <plugin>humanoid_control/MujocoSystem</plugin>\n',
        '      <param name="timestep_s">0.001</param>\n',
        '    </hardware>\n',
    ]
    for j in joints:
        out.append(f'    <joint name="{j.name}">\n')
        for iface, lo, hi in (("position", j.lower, j.upper), ("velocity", -j.velocity, j.velocity),
                              ("effort", -j.effort, j.effort)):
            out.append(f'      <command_interface name="{iface}">\n'
                       f'        <param name="min">{_num(lo)}</param>\n'
                       f'        <param name="max">{_num(hi)}</param>\n'
                       f'      </command_interface>\n')
        for gain, hi in (("kp", 500.0), ("kd", 20.0)):
            out.append(f'      <command_interface name="{gain}">\n'
                       f'        <param name="min">0</param>\n'
                       f'        <param name="max">{_num(hi)}</param>\n'
                       f'      </command_interface>\n')
        for iface in ("position", "velocity", "effort"):
            out.append(f'      <state_interface name="{iface}"/>\n')
        out.append('    </joint>\n')
    out.append('    <sensor name="imu">\n')
    for iface in ("orientation.x", "orientation.y", "orientation.z", "orientation.w",
                  "angular_velocity.x", "angular_velocity.y", "angular_velocity.z",
                  "linear_acceleration.x", "linear_acceleration.y", "linear_acceleration.z"):
        out.append(f'      <state_interface name="{iface}"/>\n')
    out.append('      <param name="frame_id">imu_link</param>\n    </sensor>\n')
    for side in ("left", "right"):
        out.append(f'    <sensor name="{side}_foot_wrench">\n')
        for iface in ("force.x", "force.y", "force.z", "torque.x", "torque.y", "torque.z"):
            out.append(f'      <state_interface name="{iface}"/>\n')
        out.append(f'      <param name="frame_id">{side}_sole</param>\n    </sensor>\n')
    out.append('  </ros2_control>\n')
    return "".join(out)


def build_urdf() -> str:
    """Return the humanoid's URDF text (deterministic)."""
    joints = _joints()
    parts = [
        '<?xml version="1.0"?>\n',
        '<!-- GENERATED by humanoid_control/robot/humanoid_description.py: edit that file, then\n'
        '     python -m humanoid_control.robot.humanoid_description > urdf/humanoid.urdf -->\n',
        '<robot name="humanoid">\n',
    ]
    ordered_links = ["base_link"] + [j.child for j in joints]
    for name in ordered_links:
        parts.append(_link_xml(name))
    for frame, (parent, xyz) in FIXED_FRAMES.items():
        parts.append(_link_xml(frame) if frame in LINKS else f'  <link name="{frame}"/>\n')
        parts.append(
            f'  <joint name="{frame}_fixed" type="fixed">\n'
            f'    <parent link="{parent}"/>\n    <child link="{frame}"/>\n'
            f'    <origin xyz="{_vec(xyz)}" rpy="0 0 0"/>\n  </joint>\n')
    for j in joints:
        parts.append(
            f'  <joint name="{j.name}" type="revolute">\n'
            f'    <parent link="{j.parent}"/>\n    <child link="{j.child}"/>\n'
            f'    <origin xyz="{_vec(j.xyz)}" rpy="0 0 0"/>\n'
            f'    <axis xyz="{_vec(j.axis)}"/>\n'
            f'    <limit lower="{_num(j.lower)}" upper="{_num(j.upper)}" effort="{_num(j.effort)}" velocity="{_num(j.velocity)}"/>\n'
            f'    <dynamics damping="{_num(JOINT_DAMPING)}" friction="0"/>\n'
            f'  </joint>\n')
    parts.append(_ros2_control_xml(joints))
    parts.append('</robot>\n')
    return "".join(parts)


def total_mass() -> float:
    """Sum of link masses [kg]."""
    return sum(m for m, _ in LINKS.values())


if __name__ == "__main__":  # pragma: no cover - generator entry point
    import sys

    sys.stdout.write(build_urdf())
