"""Topic bridge, effort_includes_pd: the torque a torque-only robot side (Gazebo) receives."""
import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.hardware.backends import load_topic_bridge_config
from humanoid_control.hardware.topic_bridge import TopicBridgeParams, TopicBridgeSystem
from humanoid_control.paths import resolve_resource
from humanoid_control.robot.ros2_control_tag import hardware_info_for


def _bridge(humanoid, **params):
    sent = []
    info = hardware_info_for(humanoid.urdf_text, "humanoid.urdf", humanoid.joint_names)
    info = type(info)(**{**info.__dict__, "hardware_parameters": {**info.hardware_parameters, **params}})
    hw = TopicBridgeSystem(publish=lambda names, p, v, e: sent.append((names, p, v, e)))
    hw.init(info)
    hw.configure()
    return hw, sent


def test_the_effort_sent_is_feedforward_plus_the_pd_law_on_the_newest_state(humanoid):
    hw, sent = _bridge(humanoid, effort_includes_pd="true")
    n = len(hw.joint_names)
    q, dq = np.linspace(-0.2, 0.2, n), np.linspace(1.0, -1.0, n)
    hw.on_joint_state(hw.joint_names, q, dq, np.zeros(n))
    hw.read(0.0, 0.001)
    c = hw.joint_command
    c["position"][:], c["velocity"][:], c["effort"][:] = q + 0.1, dq - 0.5, 2.0
    c["kp"][:], c["kd"][:] = 100.0, 3.0
    hw.write(0.0, 0.001)
    names, _, _, effort = sent[-1]
    assert names == hw.joint_names
    np.testing.assert_allclose(effort, 2.0 + 100.0 * 0.1 + 3.0 * -0.5)


def test_without_the_option_the_effort_is_the_feedforward_alone(humanoid):
    hw, sent = _bridge(humanoid)
    n = len(hw.joint_names)
    hw.on_joint_state(hw.joint_names, np.zeros(n), np.zeros(n), np.zeros(n))
    hw.read(0.0, 0.001)
    hw.joint_command["effort"][:] = 1.5
    hw.joint_command["kp"][:] = 100.0
    hw.joint_command["position"][:] = 0.3
    hw.write(0.0, 0.001)
    np.testing.assert_allclose(sent[-1][3], 1.5)


def test_the_gazebo_topic_bridge_file_folds_the_pd_in_and_names_the_contract_topics():
    values = load_topic_bridge_config("config/gazebo/topic_bridge.yaml")
    p = TopicBridgeParams.from_hardware_parameters(values)
    assert p.effort_includes_pd is True
    assert (p.joint_commands_topic, p.joint_states_topic) == ("/robot_joint_command", "/robot_joint_states")
    assert resolve_resource("config/gazebo/topic_bridge.yaml").is_file()


def test_an_unknown_topic_bridge_parameter_is_named_with_the_valid_ones(tmp_path):
    f = tmp_path / "bridge.yaml"
    f.write_text("effort_includes_pid: true\n")
    with pytest.raises(ConfigError, match=r"unknown topic bridge parameters \['effort_includes_pid'\]") as info:
        load_topic_bridge_config(str(f))
    assert "effort_includes_pd" in str(info.value) and str(f) in str(info.value)
