"""RunRecording: what plots, video and viewer are drawn from."""
import numpy as np
import pytest

from humanoid_control.sim.recording import RunRecording

FEET = {"left": "left_sole", "right": "right_sole"}


def _standing(n=101, period=0.01):
    rec = RunRecording(["a", "b", "c"], FEET, period_s=period)
    rec.set_joint_positions(["c", "a", "unknown"], [3.0, 1.0, 9.0])
    rec.set_contacts({"left_sole": True, "right": True})
    rec.set_foot_wrench("left", (1, 2, 3, 4, 5, 6))
    for k in range(n):
        rec.add_ground_truth(k * 0.001, (0, 0, 0.9), (0, 0, 0, 1), (0.1, 0, 0), (0, 0, 0), (0, 0, 0.8))
    return rec


def test_samples_are_kept_once_per_period_of_run_time():
    rec = _standing(n=101)
    arr = rec.arrays()
    assert len(rec) == 11
    np.testing.assert_allclose(np.diff(arr.t), 0.01, atol=1e-9)


def test_joint_positions_land_in_the_recordings_joint_order_and_unset_ones_stay_nan():
    arr = _standing().arrays()
    assert arr.joint_pos.shape == (11, 3)
    np.testing.assert_array_equal(arr.joint_pos[0, [0, 2]], [1.0, 3.0])
    assert np.isnan(arr.joint_pos[0, 1])


def test_contact_flags_are_taken_by_side_or_by_sole_frame_name():
    arr = _standing().arrays()
    assert arr.in_contact["left"].all() and arr.in_contact["right"].all()
    np.testing.assert_array_equal(arr.foot_wrench["left"][-1], [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(arr.foot_wrench["right"][-1], np.zeros(6))


def test_the_configuration_of_a_sample_is_position_quaternion_then_joints():
    arr = _standing().arrays()
    q = arr.configuration(0)
    assert q.shape == (10,)
    np.testing.assert_array_equal(q[:7], [0, 0, 0.9, 0, 0, 0, 1])


def test_frame_indices_give_one_frame_per_period_of_the_frame_rate():
    rec = RunRecording(["a"], FEET)
    rec.set_joint_positions(["a"], [0.0])
    for k in range(201):  # 0 .. 2 s every 10 ms
        rec.add_ground_truth(k * 0.01, (0, 0, 1), (0, 0, 0, 1), (0, 0, 0), (0, 0, 0), (0, 0, 1))
    arr = rec.arrays()
    idx = arr.frame_indices(25.0)
    assert len(idx) == 51
    np.testing.assert_allclose(arr.t[idx], np.arange(51) * 0.04, atol=0.0051)


def test_a_period_that_is_not_positive_is_refused():
    with pytest.raises(ValueError, match="period_s"):
        RunRecording(["a"], FEET, period_s=0.0)
