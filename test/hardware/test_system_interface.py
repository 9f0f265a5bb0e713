import numpy as np
import pytest

from humanoid_control.errors import LifecycleError
from humanoid_control.hardware.mujoco_system import MujocoSystem
from humanoid_control.hardware.system_interface import CallbackReturn, LifecycleState, ReturnType
from humanoid_control.robot.ros2_control_tag import hardware_info_for, parse_ros2_control


@pytest.fixture
def system(humanoid):
    (info,) = parse_ros2_control(humanoid.urdf_text)
    hw = MujocoSystem(humanoid)
    assert hw.init(info) is CallbackReturn.SUCCESS
    return hw


def test_state_buffers_start_as_nan_and_interfaces_are_named_joint_slash_interface(system, humanoid):
    assert np.all(np.isnan(system.joint_state["position"]))
    names = {i.name for i in system.export_state_interfaces()}
    assert "left_knee/position" in names and "imu/orientation.w" in names and "left_foot_wrench/force.z" in names
    cmds = {i.name for i in system.export_command_interfaces()}
    assert {"left_knee/position", "left_knee/velocity", "left_knee/effort", "left_knee/kp", "left_knee/kd"} <= cmds


def test_write_before_activate_is_refused_and_counted(system):
    system.configure()
    assert system.write_checked(0.0, 0.001) is ReturnType.ERROR
    assert system.rejected_writes == 1
    with pytest.raises(LifecycleError):
        system.set_joint_commands({"effort": np.zeros(len(system.joint_names))})


def test_lifecycle_follows_ros2_control_transitions(system):
    with pytest.raises(LifecycleError, match="cannot activate from state unconfigured"):
        system.activate()
    system.configure()
    assert system.state is LifecycleState.INACTIVE
    system.read_checked(0.0, 0.001)
    system.activate()
    assert system.state is LifecycleState.ACTIVE
    # on activation command = state
    np.testing.assert_allclose(system.joint_command["position"], system.joint_state["position"])
    np.testing.assert_array_equal(system.joint_command["kp"], 0.0)
    system.deactivate()
    system.cleanup()
    assert system.state is LifecycleState.UNCONFIGURED


def test_commands_are_clamped_to_the_urdf_interface_limits(system, humanoid):
    system.configure()
    system.read_checked(0.0, 0.001)
    system.activate()
    system.set_joint_commands({"effort": np.full(len(system.joint_names), 1e6)})
    i = system.joint_names.index("left_knee")
    assert system.joint_command["effort"][i] == pytest.approx(humanoid.tau_max[humanoid.joint_names.index("left_knee")])


def test_mit_law_holds_a_joint_with_position_gains(system):
    system.configure()
    system.read_checked(0.0, 0.001)
    system.activate()
    n = len(system.joint_names)
    q0 = system.joint_state["position"].copy()
    system.set_joint_commands({"position": q0, "velocity": np.zeros(n), "effort": np.zeros(n),
                               "kp": np.full(n, 400.0), "kd": np.full(n, 15.0)})
    for _ in range(300):
        system.write_checked(0.0, 0.001)
        system.read_checked(0.0, 0.001)
    assert np.max(np.abs(system.joint_state["position"] - q0)) < 0.05
    w = system.sensor_state["left_foot_wrench"][2] + system.sensor_state["right_foot_wrench"][2]
    assert w == pytest.approx(system.robot.mass * 9.81, rel=0.1)  # feet carry the weight


def test_talos_without_a_ros2_control_tag_gets_default_interfaces(talos):
    info = hardware_info_for(talos.urdf_text, "talos", talos.joint_names)
    hw = MujocoSystem(talos)
    hw.init(info)
    assert len(hw.joint_names) == talos.nj
