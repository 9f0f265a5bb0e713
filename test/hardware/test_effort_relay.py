"""Effort relay (Gazebo): JointState commands reordered for the effort controller; silence -> zero torque."""
import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.hardware.effort_relay import EffortRelay, controller_joints
from humanoid_control.paths import share_dir


def test_efforts_are_reordered_into_the_controllers_joint_order():
    relay = EffortRelay(["a", "b", "c"])
    out = relay.on_command(["c", "a", "b", "extra"], [3.0, 1.0, 2.0, 9.0], now_s=0.0)
    np.testing.assert_array_equal(out, [1.0, 2.0, 3.0])
    assert relay.forwarded == 1


@pytest.mark.parametrize("names, efforts, why", [
    (["a", "b"], [1.0, 2.0], "no effort for joints ['c']"),
    (["a", "b", "c"], [1.0, float("nan"), 2.0], "non-finite effort"),
    (["a", "b", "c"], [], "3 names but 0 efforts"),
])
def test_a_command_that_does_not_give_every_joint_a_finite_torque_is_not_forwarded(names, efforts, why):
    relay = EffortRelay(["a", "b", "c"])
    assert relay.on_command(names, efforts, now_s=0.0) is None
    assert relay.rejected == 1 and relay.last_rejection == why


def test_silence_sends_zero_torques_once_and_again_after_the_next_silence():
    relay = EffortRelay(["a", "b"], timeout_s=0.05)
    assert relay.check_timeout(0.0) is None  # nothing to release before the first command
    relay.on_command(["a", "b"], [5.0, -5.0], now_s=1.0)
    assert relay.check_timeout(1.04) is None
    np.testing.assert_array_equal(relay.check_timeout(1.06), [0.0, 0.0])
    assert relay.check_timeout(1.2) is None
    relay.on_command(["a", "b"], [5.0, -5.0], now_s=2.0)
    np.testing.assert_array_equal(relay.check_timeout(2.1), [0.0, 0.0])


def test_the_joint_order_comes_from_the_controllers_file_and_a_missing_controller_is_named(tmp_path):
    joints = controller_joints(share_dir() / "config" / "gazebo" / "controllers.yaml", "effort_controller")
    assert joints[0] == "torso_yaw" and len(joints) == 21
    with pytest.raises(ConfigError, match="no 'position_controller: ros__parameters: joints' list") as info:
        controller_joints(share_dir() / "config" / "gazebo" / "controllers.yaml", "position_controller")
    assert "effort_controller" in str(info.value)
