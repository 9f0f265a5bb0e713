"""The topic bridge across processes: our hardware bridge serves the mock backend in its own
process; this test process plays controller_manager with the topic contract of ros2_control's
topic-based hardware (our TopicBridgeSystem: JointState commands out, JointState states in)."""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor

from humanoid_control.errors import ConfigError
from humanoid_control.hardware.system_interface import CallbackReturn, ReturnType
from humanoid_control.hardware.topic_bridge import TopicBridgeParams, TopicBridgeSystem, by_name
from humanoid_control.nodes.hardware_bridge_node import attach_topic_bridge
from humanoid_control.robot.ros2_control_tag import hardware_info_for


def test_states_are_matched_by_joint_name_in_any_order():
    out = np.full(3, np.nan)
    by_name(["c", "a", "unknown"], [3.0, 1.0, 9.0], ["a", "b", "c"], out)
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == 3.0


def test_the_plugin_parameters_take_ros2_control_defaults_and_bad_values_are_named():
    p = TopicBridgeParams.from_hardware_parameters({})
    assert (p.joint_commands_topic, p.joint_states_topic) == ("/robot_joint_command", "/robot_joint_states")
    with pytest.raises(ConfigError, match="'sum_wrapped_joint_states' must be true or false"):
        TopicBridgeParams.from_hardware_parameters({"sum_wrapped_joint_states": "yes please"})


def test_a_controller_manager_process_drives_the_served_mock_backend_over_the_topic_contract(humanoid, ctx,
                                                                                          ros_domain):
    env = dict(os.environ, ROS_DOMAIN_ID=str(ros_domain), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
    server = subprocess.Popen([sys.executable, "-m", "humanoid_control.nodes.hardware_bridge_node", "--ros-args",
                               "-p", "robot:=humanoid", "-p", "rate_hz:=200.0",
                               "-p", "joint_commands_topic:=/hc_test/command",
                               "-p", "joint_states_topic:=/hc_test/states"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    node = rclpy.create_node("controller_manager", context=ctx)
    executor = SingleThreadedExecutor(context=ctx)
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    try:
        info = hardware_info_for(humanoid.urdf_text, str(humanoid.config.urdf_path), humanoid.joint_names)
        info = type(info)(info.name, info.type, TopicBridgeSystem.PLUGIN,
                          {"joint_commands_topic": "/hc_test/command", "joint_states_topic": "/hc_test/states"},
                          info.joints, info.sensors, info.gpios)
        hw = TopicBridgeSystem()
        hw.ACTIVATE_TIMEOUT_S = 30.0  # the server process imports and discovers first
        assert hw.init(info) is CallbackReturn.SUCCESS
        attach_topic_bridge(node, hw, hw.params)
        hw.configure()
        assert hw.activate() is CallbackReturn.SUCCESS, hw.last_error
        assert np.all(np.isfinite(hw.joint_state["position"]))  # every joint came back by name
        target = hw.joint_state["position"] + np.linspace(-0.2, 0.2, len(hw.joint_names))
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline:
            hw.joint_command["position"][:] = target
            hw.joint_command["velocity"][:] = 0.0
            hw.joint_command["effort"][:] = 0.0
            assert hw.write_checked(0.0, 0.005) is ReturnType.OK
            time.sleep(0.005)
            hw.read_checked(0.0, 0.005)
            if np.allclose(hw.joint_state["position"], target, atol=1e-9):
                break
        assert np.allclose(hw.joint_state["position"], target, atol=1e-9), "the served mock never reached the command"
        assert hw.commands_sent > 0 and hw.states_received > 1
    finally:
        executor.shutdown()
        node.destroy_node()
        server.terminate()
        try:
            out, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # never leave a busy server behind for the rest of the suite
            server.kill()
            out = server.communicate()[0]
            raise AssertionError(f"the bridge server ignored SIGTERM for 20 s; its output:\n{out}") from None
    assert "serving backend 'mock' of humanoid (21 joints)" in out
