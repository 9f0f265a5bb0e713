"""The Gazebo integration files: URDF variant, controllers, driver config and launch file.

Gazebo itself does not exist on these machines; these tests check that the files agree with
each other and with the robot, and that the variant still loads in Pinocchio and MuJoCo."""
import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pinocchio as pin
import pytest
import yaml

from humanoid_control import params as P
from humanoid_control.paths import share_dir
from humanoid_control.robot.gazebo import CONTROL_PLUGIN_NAME, CONTROLLERS_PLACEHOLDER, SYSTEM_PLUGIN, gazebo_urdf

REPO = Path(__file__).resolve().parents[2]
VARIANT = share_dir() / "urdf" / "humanoid_gazebo.urdf"
CONTROLLERS = share_dir() / "config" / "gazebo" / "controllers.yaml"


def _launch_module():
    spec = importlib.util.spec_from_file_location("gazebo_launch", share_dir() / "launch" / "gazebo.launch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # no launch / launch_ros here: the imports are inside the function
    return module


def test_the_committed_gazebo_urdf_is_what_the_generator_makes_of_the_urdf(humanoid):
    assert VARIANT.read_text() == gazebo_urdf(humanoid), (
        "urdf/humanoid_gazebo.urdf is stale: python -m humanoid_control.robot.gazebo > urdf/humanoid_gazebo.urdf")


def test_the_variant_loads_in_pinocchio_with_the_same_joints_and_mass(humanoid):
    model = pin.buildModelFromXML(VARIANT.read_text(), pin.JointModelFreeFlyer())
    assert [model.names[j] for j in range(2, model.njoints)] == humanoid.joint_names
    assert sum(i.mass for i in model.inertias) == pytest.approx(humanoid.mass)


def test_the_variant_loads_in_mujoco_through_a_robot_config(tmp_path, humanoid):
    from humanoid_control.hardware.mujoco_model import build_mujoco_model
    from humanoid_control.robot.model import RobotModel

    text = (share_dir() / "config" / "robots" / "humanoid.yaml").read_text()
    cfg = tmp_path / "humanoid_gazebo.yaml"
    cfg.write_text(re.sub(r"^urdf: .*$", f"urdf: {VARIANT}", text, flags=re.M))
    robot = RobotModel.load(str(cfg))
    model, handles = build_mujoco_model(robot, robot.joint_names)
    assert model.nu == 0 and len(handles.joint_qpos_adr) == humanoid.nj


def test_ros2_control_hands_gazebo_effort_commands_and_three_states_per_joint(humanoid):
    rc = ET.fromstring(VARIANT.read_text()).find("ros2_control")
    assert rc.find("hardware/plugin").text == SYSTEM_PLUGIN
    joints = rc.findall("joint")
    assert sorted(j.get("name") for j in joints) == sorted(humanoid.joint_names)
    for j in joints:
        assert [c.get("name") for c in j.findall("command_interface")] == ["effort"]
        assert [s.get("name") for s in j.findall("state_interface")] == ["position", "velocity", "effort"]
    assert rc.find("sensor") is None


def test_the_plugin_tags_name_the_controller_manager_its_file_and_the_contracts_states_topic():
    root = ET.fromstring(VARIANT.read_text())
    plugins = {p.get("name"): p for g in root.findall("gazebo") for p in g.findall("plugin")}
    manager = plugins[CONTROL_PLUGIN_NAME]
    assert manager.get("filename") == "gz_ros2_control-system"
    assert manager.find("parameters").text == CONTROLLERS_PLACEHOLDER
    assert manager.find("ros/remapping").text == "/joint_states:=/robot_joint_states"
    assert {"gz::sim::systems::Imu", "gz::sim::systems::ForceTorque"} <= set(plugins)
    sensors = {s.get("name"): s for g in root.findall("gazebo") for s in g.findall("sensor")}
    assert {n: s.find("topic").text for n, s in sensors.items()} == {
        "imu": "imu", "left_foot_ft": "left_foot/wrench", "right_foot_ft": "right_foot/wrench"}


def test_the_controllers_file_defines_every_spawned_controller_over_the_urdf_joints():
    launch = _launch_module()
    data = yaml.safe_load(CONTROLLERS.read_text())
    manager = data["controller_manager"]["ros__parameters"]
    for name in launch.CONTROLLERS:
        assert "type" in manager[name], name
    assert manager["effort_controller"]["type"] == "forward_command_controller/ForwardCommandController"
    effort = data["effort_controller"]["ros__parameters"]
    assert effort["interface_name"] == "effort"
    rc_joints = [j.get("name") for j in ET.fromstring(VARIANT.read_text()).find("ros2_control").findall("joint")]
    assert effort["joints"] == rc_joints


def test_the_gazebo_driver_config_validates_and_reads_the_topics_the_bridge_writes():
    values = P.validate(P.load_yaml(share_dir() / "config" / "gazebo" / "driver.yaml", "driver"), P.DRIVER)
    assert values["simulation"] is False and values["backend"] == "topic-bridge"
    bridged = {ros for _, _, _, ros in _launch_module().BRIDGED_TOPICS}
    assert values["imu_input_topic"] in bridged
    assert {f"{values['foot_wrench_input_prefix']}/{s}_foot/wrench" for s in ("left", "right")} <= bridged


def test_the_launch_file_imports_without_ros_launch_and_resolves_the_controllers_path():
    launch = _launch_module()
    assert "launch" not in sys.modules or hasattr(sys.modules["launch"], "__file__")
    text = launch.robot_description(str(share_dir()))
    assert CONTROLLERS_PLACEHOLDER not in text and str(CONTROLLERS) in text
    assert 0.8 < launch.spawn_height_m() < 1.2


def test_the_launch_file_starts_gazebo_the_bridge_the_spawners_the_relay_and_our_nodes(monkeypatch):
    from test_cli import launch_actions

    actions, started = launch_actions(monkeypatch, "gazebo.launch.py")
    assert "IncludeLaunchDescription" in {type(a).__name__ for a in actions}
    setup_py = (REPO / "setup.py").read_text()
    console_scripts = set(re.findall(r'"([\w-]+) = humanoid_control', setup_py))
    ours = {n["executable"] for n in started if n["package"] == "humanoid_control"}
    assert ours == {"effort_relay_node", "driver_node", "estimator_node", "wbc_node", "mpc_node"}
    assert ours <= console_scripts
    others = {(n["package"], n["executable"]) for n in started if n["package"] != "humanoid_control"}
    assert others == {("robot_state_publisher", "robot_state_publisher"), ("ros_gz_sim", "create"),
                      ("ros_gz_bridge", "parameter_bridge"), ("controller_manager", "spawner")}
    spawner = next(n for n in started if n["executable"] == "spawner")
    assert spawner["arguments"][:2] == ["joint_state_broadcaster", "effort_controller"]
    for node in started:
        for p in node.get("parameters", []):
            if isinstance(p, str):
                assert Path(p).is_file(), p
