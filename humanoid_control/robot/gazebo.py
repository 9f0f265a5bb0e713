"""The Gazebo variant of a robot's URDF, generated from the URDF itself (one source of truth).

``python -m humanoid_control.robot.gazebo [ROBOT] > urdf/humanoid_gazebo.urdf`` writes it; a
test checks the committed file is what this module makes of ``urdf/humanoid.urdf``. What
changes against the URDF:

- ``<ros2_control>``: hardware plugin ``gz_ros2_control/GazeboSimSystem``; each joint keeps
  its ``effort`` command interface (limits included) and its position, velocity and effort
  state interfaces; sensors leave the tag (Gazebo's own sensors below take their place).
- ``<gazebo>`` plugin tags: ``gz_ros2_control``'s controller manager, with the controllers
  file (``CONTROLLERS_PLACEHOLDER``, which ``launch/gazebo.launch.py`` replaces by its
  installed path) and ``/joint_states`` remapped to the topic contract's
  ``/robot_joint_states``; Gazebo's IMU and force-torque systems.
- Gazebo sensors: an IMU on the IMU frame (gz topic ``imu``) and a force-torque sensor on
  each foot's ankle joint (gz topics ``<side>_foot/wrench``), at 1 kHz, which the launch
  file bridges to ``/hardware/imu`` and ``/hardware/<side>_foot/wrench``.
- Foot friction (``mu1``/``mu2``) on the foot links.
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

from humanoid_control.errors import UrdfError

SYSTEM_PLUGIN = "gz_ros2_control/GazeboSimSystem"
CONTROL_PLUGIN_FILE = "gz_ros2_control-system"
CONTROL_PLUGIN_NAME = "gz_ros2_control::GazeboSimROS2ControlPlugin"
SENSOR_SYSTEMS = {"gz-sim-imu-system": "gz::sim::systems::Imu",
                  "gz-sim-forcetorque-system": "gz::sim::systems::ForceTorque"}
CONTROLLERS_PLACEHOLDER = "package://humanoid_control/config/gazebo/controllers.yaml"
STATES_TOPIC = "/robot_joint_states"  # the topic bridge's default joint_states_topic
SENSOR_RATE_HZ = 1000
FOOT_FRICTION = 1.0


def _sub(parent, tag: str, text: str | None = None, **attrib):
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrib.items()})
    if text is not None:
        el.text = str(text)
    return el


def ankle_joints(robot) -> dict:
    """{side: name of the joint that carries the foot} (the parent joint of the sole frame)."""
    m = robot.model
    return {side: m.names[m.frames[fid].parentJoint] for side, fid in robot.foot_frame_ids.items()}


def foot_links(robot) -> dict:
    """{side: the link the ankle joint moves} (where the foot's collision geometry is)."""
    root = ET.fromstring(robot.urdf_text)
    children = {j.get("name"): j.find("child").get("link") for j in root.findall("joint")}
    return {side: children[joint] for side, joint in ankle_joints(robot).items()}


def gazebo_urdf(robot) -> str:
    """The Gazebo variant of ``robot``'s URDF text (see the module docstring)."""
    root = ET.fromstring(robot.urdf_text)
    tags = root.findall("ros2_control")
    if len(tags) != 1:
        raise UrdfError(str(robot.config.urdf_path), f"needs exactly one <ros2_control> tag, found {len(tags)}")
    rc = tags[0]
    for el in list(rc):
        if el.tag in ("hardware", "sensor", "gpio"):
            rc.remove(el)
    hardware = ET.Element("hardware")
    _sub(hardware, "plugin", SYSTEM_PLUGIN)
    rc.insert(0, hardware)
    for joint in rc.findall("joint"):
        for ci in joint.findall("command_interface"):
            if ci.get("name") != "effort":
                joint.remove(ci)
        if joint.find("command_interface") is None:
            raise UrdfError(str(robot.config.urdf_path),
                            f"joint '{joint.get('name')}' has no effort command interface for Gazebo")
        for si in joint.findall("state_interface"):
            if si.get("name") not in ("position", "velocity", "effort"):
                joint.remove(si)

    gz = _sub(root, "gazebo")
    plugin = _sub(gz, "plugin", filename=CONTROL_PLUGIN_FILE, name=CONTROL_PLUGIN_NAME)
    _sub(plugin, "parameters", CONTROLLERS_PLACEHOLDER)
    ros = _sub(plugin, "ros")
    _sub(ros, "remapping", f"/joint_states:={STATES_TOPIC}")
    for filename, name in SENSOR_SYSTEMS.items():
        _sub(_sub(root, "gazebo"), "plugin", filename=filename, name=name)

    imu = _sub(_sub(root, "gazebo", reference=robot.config.imu_frame), "sensor", name="imu", type="imu")
    _sub(imu, "always_on", 1)
    _sub(imu, "update_rate", SENSOR_RATE_HZ)
    _sub(imu, "topic", "imu")
    _sub(imu, "gz_frame_id", robot.config.imu_frame)
    for side, joint in ankle_joints(robot).items():
        ft = _sub(_sub(root, "gazebo", reference=joint), "sensor", name=f"{side}_foot_ft", type="force_torque")
        _sub(ft, "always_on", 1)
        _sub(ft, "update_rate", SENSOR_RATE_HZ)
        _sub(ft, "topic", f"{side}_foot/wrench")
        opts = _sub(ft, "force_torque")
        _sub(opts, "frame", "child")
        _sub(opts, "measure_direction", "parent_to_child")
    for link in foot_links(robot).values():
        ref = _sub(root, "gazebo", reference=link)
        _sub(ref, "mu1", FOOT_FRICTION)
        _sub(ref, "mu2", FOOT_FRICTION)
    ET.indent(root, space="  ")
    header = ("<?xml version=\"1.0\"?>\n<!-- Generated by humanoid_control/robot/gazebo.py from "
              f"{robot.config.urdf_path.name}; do not edit (python -m humanoid_control.robot.gazebo). -->\n")
    return header + ET.tostring(root, encoding="unicode") + "\n"


def main(argv=None) -> int:
    from humanoid_control.robot.model import RobotModel

    args = sys.argv[1:] if argv is None else argv
    sys.stdout.write(gazebo_urdf(RobotModel.load(args[0] if args else "humanoid")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
