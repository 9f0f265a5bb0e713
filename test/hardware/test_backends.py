"""Which backend the driver runs: its parameter, else the URDF's hardware plugin."""
import dataclasses

import pytest

from humanoid_control.errors import ConfigError, UnknownNameError
from humanoid_control.hardware.backends import make_simulated_hardware, resolve_backend
from humanoid_control.hardware.mujoco_system import SimParams
from humanoid_control.robot.ros2_control_tag import hardware_info_for


@pytest.fixture
def info(humanoid):
    return hardware_info_for(humanoid.urdf_text, str(humanoid.config.urdf_path), humanoid.joint_names)


def test_the_urdf_plugin_picks_the_backend_unless_the_parameter_names_one(info):
    assert info.plugin == "humanoid_control/MujocoSystem"
    assert resolve_backend("", info) == "mujoco"
    assert resolve_backend("mit-can", info) == "mit-can"
    can = dataclasses.replace(info, plugin="humanoid_control/MitCanSystem")
    assert resolve_backend("", can) == "mit-can"
    assert resolve_backend("", dataclasses.replace(info, plugin="humanoid_control/Cia402System")) == "cia402"


def test_ros2_controls_own_plugin_names_select_the_mock_and_the_topic_bridge(info):
    assert resolve_backend("", dataclasses.replace(info, plugin="mock_components/GenericSystem")) == "mock"
    topic = dataclasses.replace(info, plugin="topic_based_ros2_control/TopicBasedSystem")
    assert resolve_backend("", topic) == "topic-bridge"


def test_an_unknown_plugin_or_backend_lists_the_valid_ones(info):
    other = dataclasses.replace(info, plugin="gz_ros2_control/GazeboSimSystem")
    with pytest.raises(UnknownNameError, match="unknown hardware plugin 'gz_ros2_control/GazeboSimSystem'.*MitCanSystem"):
        resolve_backend("", other)
    with pytest.raises(UnknownNameError, match="unknown backend 'cia'; valid backends: mujoco, mit-can, cia402, mock"):
        resolve_backend("cia", info)


def test_a_backend_without_physics_is_refused_in_simulation_naming_the_way_out(humanoid, info):
    with pytest.raises(ConfigError, match="backend 'mock' has no physics to simulate.*simulation: false"):
        make_simulated_hardware("mock", humanoid, info, SimParams())


def test_a_missing_hardware_config_is_named(humanoid, info, tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml.*hardware config for backend 'mit-can' does not exist"):
        make_simulated_hardware("mit-can", humanoid, info, SimParams(), str(tmp_path / "nope.yaml"))


def test_the_urdf_hardware_param_names_the_hardware_config(humanoid, info, tmp_path):
    params = {**info.hardware_parameters, "hardware_config": str(tmp_path / "from_urdf.yaml")}
    with pytest.raises(ConfigError, match="from_urdf.yaml"):
        make_simulated_hardware("mit-can", humanoid, dataclasses.replace(info, hardware_parameters=params), SimParams())
