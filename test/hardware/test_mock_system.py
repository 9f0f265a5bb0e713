"""The mock backend: states follow commands as ros2_control's generic mock does."""
import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.hardware.mock_system import MockSystem
from humanoid_control.hardware.system_interface import CallbackReturn, LifecycleState, ReturnType
from humanoid_control.robot.ros2_control_tag import parse_ros2_control

URDF = """<robot name="r"><ros2_control name="m" type="system">
  <hardware><plugin>mock_components/GenericSystem</plugin>{params}</hardware>
  <joint name="a"><command_interface name="position"/><command_interface name="velocity"/>
    <state_interface name="position"><param name="initial_value">0.3</param></state_interface>
    <state_interface name="velocity"/><state_interface name="effort"/></joint>
  <joint name="b"><command_interface name="position"/><state_interface name="position"/>
    <state_interface name="velocity"/></joint>
  <sensor name="imu"><state_interface name="orientation.x"/><state_interface name="orientation.w"/></sensor>
</ros2_control></robot>"""


def _mock(params=""):
    info = parse_ros2_control(URDF.format(params=params), "test.urdf")[0]
    hw = MockSystem()
    assert hw.init(info) is CallbackReturn.SUCCESS
    hw.configure()
    hw.activate()
    return hw


def test_states_start_at_their_initial_values_and_the_imu_reads_level():
    hw = _mock()
    assert hw.joint_state["position"].tolist() == [0.3, 0.0]
    assert hw.joint_command["position"].tolist() == [0.3, 0.0]  # command = state on activation
    assert hw.sensor_state["imu"].tolist() == [0.0, 1.0]


def test_without_dynamics_the_states_mirror_the_commands_plus_the_following_offset():
    hw = _mock('<param name="position_state_following_offset">0.1</param>')
    hw.joint_command["position"][:] = [1.0, -0.5]
    for _ in range(3):
        assert hw.write_checked(0.0, 0.01) is ReturnType.OK
        hw.read_checked(0.0, 0.01)
    assert np.allclose(hw.joint_state["position"], [1.1, -0.4])  # no accumulation over ticks


def test_with_dynamics_a_velocity_command_integrates_and_a_position_command_is_reached_in_one_period():
    hw = _mock('<param name="calculate_dynamics">true</param>')
    hw.joint_command["position"][:] = np.nan
    hw.joint_command["velocity"][:] = [2.0, 0.0]
    hw.joint_command["position"][1] = 0.5
    for _ in range(10):
        hw.write_checked(0.0, 0.01)
    assert hw.joint_state["position"][0] == pytest.approx(0.3 + 10 * 0.02)
    assert hw.joint_state["velocity"][0] == pytest.approx(2.0)
    assert hw.joint_state["position"][1] == pytest.approx(0.5)


def test_a_bad_hardware_parameter_is_named():
    info = parse_ros2_control(URDF.format(params='<param name="calculate_dynamics">maybe</param>'), "t.urdf")[0]
    with pytest.raises(ConfigError, match="'calculate_dynamics' must be true or false"):
        MockSystem().init(info)


def test_the_mock_refuses_writes_before_activation_like_every_backend():
    info = parse_ros2_control(URDF.format(params=""), "test.urdf")[0]
    hw = MockSystem()
    hw.init(info)
    hw.configure()
    assert hw.write_checked(0.0, 0.01) is ReturnType.ERROR and hw.state is LifecycleState.INACTIVE
