import dataclasses
import math

import numpy as np
import pytest

from humanoid_control.errors import ParameterRangeError
from humanoid_control.planning.velocity_feedback import CycleVelocityFeedback, VelocityFeedbackParams


def _walk(fb, speed_world, heading, cmd, steps, T=0.4, t0=0.0):
    """Feed one mark per step start of a CoM moving at ``speed_world`` (2,) [m/s]."""
    for k in range(steps):
        t = t0 + k * T
        fb.update(t, k, np.asarray(speed_world) * t, heading, cmd)
    return fb.bias.copy()


def test_a_robot_walking_too_fast_builds_a_bias_of_gain_times_the_error_per_cycle():
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, gain_lateral=0.0))
    bias = _walk(fb, (0.58, 0.0), 0.0, (0.5, 0.0), steps=3)  # the first whole cycle ends at the third mark
    np.testing.assert_allclose(bias, [0.5 * 0.08, 0.0], atol=1e-9)
    fb.update(0.85, 2, (0.58 * 0.85, 0.0), 0.0, (0.5, 0.0))  # same step: no new measurement
    np.testing.assert_allclose(fb.bias, [0.04, 0.0], atol=1e-9)
    fb.update(1.2, 3, (0.58 * 1.2, 0.0), 0.0, (0.5, 0.0))  # next step closes the next cycle
    np.testing.assert_allclose(fb.bias, [0.08, 0.0], atol=1e-9)


def test_the_error_is_measured_in_the_heading_frame():
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=1.0, gain_lateral=1.0))
    heading = math.pi / 2  # walking along world +y
    bias = _walk(fb, (0.0, 0.6), heading, (0.5, 0.0), steps=3)
    np.testing.assert_allclose(bias, [0.1, 0.0], atol=1e-9)


def test_standing_resets_the_bias_and_a_new_command_waits_for_a_whole_cycle():
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=1.0, disturbance_mps=0.25))
    _walk(fb, (0.7, 0.0), 0.0, (0.5, 0.0), steps=3)
    assert fb.bias[0] == pytest.approx(0.2)
    fb.update(2.0, 3, (1.4, 0.0), 0.0, (0.3, 0.0))  # command changed: not a cycle at this command yet
    assert fb.bias[0] == pytest.approx(0.2)
    fb.update(3.0, -1, (1.4, 0.0), 0.0, (0.0, 0.0))
    np.testing.assert_array_equal(fb.bias, 0.0)


def test_the_bias_is_limited():
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=1.0, limit_mps=0.1, disturbance_mps=0.25))
    assert _walk(fb, (0.7, 0.0), 0.0, (0.5, 0.0), steps=3)[0] == pytest.approx(0.1)


def test_a_cycle_far_off_the_command_is_a_disturbance_and_leaves_the_bias_alone():
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=1.0, disturbance_mps=0.25))
    _walk(fb, (0.35, 0.0), 0.0, (0.3, 0.0), steps=3)
    assert fb.bias[0] == pytest.approx(0.05)
    # a push backwards: the CoM is carried back 0.12 m; both cycles that contain the push
    # average under 0.05 m/s against 0.3 commanded
    c_push = np.array([0.35 * 0.8 - 0.12, 0.0])
    fb.update(1.2, 3, c_push, 0.0, (0.3, 0.0))
    assert fb.bias[0] == pytest.approx(0.05)
    fb.update(1.6, 4, c_push, 0.0, (0.3, 0.0))
    assert fb.bias[0] == pytest.approx(0.05)


def test_an_error_beyond_the_disturbance_bound_that_repeats_cycle_after_cycle_is_learned():
    # walking at 1 m/s the gait itself runs 0.2 m/s slow: that is a bias, not a push
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, disturbance_mps=0.15, steady_mps=0.05))
    assert _walk(fb, (0.8, 0.0), 0.0, (1.0, 0.0), steps=3)[0] == 0.0  # one cycle 0.2 off: a disturbance
    fb.update(1.2, 3, (0.8 * 1.2, 0.0), 0.0, (1.0, 0.0))  # the next cycle repeats it (sharing a step)
    assert fb.bias[0] == 0.0
    fb.update(1.6, 4, (0.8 * 1.6, 0.0), 0.0, (1.0, 0.0))  # and the one after: the gait's own
    assert fb.bias[0] == pytest.approx(-0.1)


def test_a_steady_error_on_one_axis_is_learned_while_the_other_swings():
    # walking backward at 0.25 m/s and turning, the humanoid ran 0.26 m/s too fast cycle after
    # cycle while the sideways cycle mean swung by ±0.06 m/s: the forward axis alone is learned
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, gain_lateral=0.5, disturbance_mps=0.15,
                                                      steady_mps=0.05))
    com, t = np.zeros(2), 0.0
    for k, vy in enumerate([0.0, 0.0, 0.06, -0.06, 0.06, -0.06]):  # one per step
        fb.update(t, k, com, 0.0, (-0.25, 0.0), 0.3)
        com, t = com + (-0.51 * 0.4, vy * 0.4), t + 0.4
    fb.update(t, 6, com, 0.0, (-0.25, 0.0), 0.3)
    assert fb.bias[0] < -0.1 and fb.bias[1] == 0.0


def test_a_push_wearing_off_is_not_learned_though_two_cycles_sharing_a_step_agree():
    # a push from behind at 0.3 m/s: the two cycles that share the step after it are 0.34 and
    # 0.30 m/s too fast (measured in the suite's case: 0.32, 0.33), the cycle before them 0.04
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, disturbance_mps=0.15, steady_mps=0.05))
    com, t = np.zeros(2), 0.0
    for k, speed in enumerate([0.3, 0.3, 0.38, 0.9, 0.3]):  # command 0.3 m/s; the step after mark k
        fb.update(t, k, com, 0.0, (0.3, 0.0))
        if k == 3:
            assert fb.bias[0] == pytest.approx(0.5 * 0.04)  # the (0.3, 0.38) cycle, within the bound
        com, t = com + (speed * 0.4, 0.0), t + 0.4
    assert fb.bias[0] == pytest.approx(0.5 * 0.04)  # (0.38, 0.9): 0.34 off, a disturbance
    fb.update(t, 5, com, 0.0, (0.3, 0.0))  # (0.9, 0.3): 0.30 off, within 0.05 of the 0.34 only
    assert fb.bias[0] == pytest.approx(0.5 * 0.04)


def test_the_cycles_while_a_push_wears_off_are_not_learned():
    # after a push from behind the robot walks 0.4, then 0.25 m/s too fast: errors that change
    # by more than steady_mps from cycle to cycle are the push's, not the gait's; and the
    # settle_cycles cycles after one further off than shove_mps are not learned at all
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=1.0, disturbance_mps=0.15, steady_mps=0.05,
                                                      shove_mps=0.3, settle_cycles=2))
    com, t = np.zeros(2), 0.0
    for k, speed in enumerate([0.5, 0.5, 0.5, 0.9, 0.9, 0.75, 0.75, 0.5, 0.6, 0.6]):  # command 0.5 m/s, one per step
        fb.update(t, k, com, 0.0, (0.5, 0.0))
        com, t = com + (speed * 0.4, 0.0), t + 0.4
        if k <= 8:
            # cycle errors 0, 0, 0.2, 0.4 and 0.325 (shoves), then 0.25 and 0.125 (settling): none learned
            assert fb.bias[0] == 0.0
    assert fb.bias[0] == pytest.approx(0.05)  # (0.5, 0.6): settled, within the bound: learned
    fb.update(t, 10, com, 0.0, (0.5, 0.0))
    assert fb.bias[0] == pytest.approx(0.15)  # (0.6, 0.6)


def test_after_a_shove_a_steady_slow_down_is_not_learned_as_the_gait_s_bias():
    # walking 0.4 m/s, shoved sideways: the capture steps slowed the walk for three cycles by a
    # steady ~0.2 m/s; learned (as before session 41) the robot then walked 0.52 m/s
    def bias_after(params):
        fb = CycleVelocityFeedback(params)
        com, t = np.zeros(2), 0.0
        steps = [(0.4, 0.0), (0.4, 0.0), (0.4, 0.0), (0.4, -1.2), (0.2, -0.6), (0.2, 0.1), (0.2, 0.0), (0.2, 0.0)]
        for k, (vx, vy) in enumerate(steps):  # [m/s] each step's mean velocity
            fb.update(t, k, com, 0.0, (0.4, 0.0))
            com, t = com + (vx * 0.4, vy * 0.4), t + 0.4
        # the last cycle's error (-0.2, 0) repeats the two before it forward: steady
        fb.update(t, len(steps), com, 0.0, (0.4, 0.0))
        return fb.bias[0]
    settled = VelocityFeedbackParams(gain=0.5, disturbance_mps=0.15, steady_mps=0.05, shove_mps=0.3, settle_cycles=2)
    assert bias_after(settled) == pytest.approx(0.0, abs=1e-9)
    assert bias_after(dataclasses.replace(settled, settle_cycles=0)) == pytest.approx(-0.1)  # learned


def test_a_sideways_drift_is_corrected_walking_slowly_but_not_walking_straight_at_speed():
    # straight at 0.5 m/s the sideways cycle mean is noisy with the stride's sway: left alone
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, gain_lateral=0.5, lateral_below_mps=0.15))
    assert _walk(fb, (0.5, -0.03), 0.0, (0.5, 0.0), steps=3)[1] == 0.0
    # near standstill (0.1 m/s forward, under lateral_below_mps) the same drift is learned
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, gain_lateral=0.5, lateral_below_mps=0.15))
    assert _walk(fb, (0.1, -0.03), 0.0, (0.1, 0.0), steps=3)[1] == pytest.approx(-0.015)
    # ... and the same backward; 0 switches it off
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, gain_lateral=0.5, lateral_below_mps=0.15))
    assert _walk(fb, (-0.1, -0.03), 0.0, (-0.1, 0.0), steps=3)[1] == pytest.approx(-0.015)
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=0.5, gain_lateral=0.5, lateral_below_mps=0.0))
    assert _walk(fb, (0.1, -0.03), 0.0, (0.1, 0.0), steps=3)[1] == 0.0


def test_bad_feedback_parameters_are_named():
    with pytest.raises(ParameterRangeError, match="gain"):
        VelocityFeedbackParams(gain=2.0).validate()
    with pytest.raises(ParameterRangeError, match="lateral_below_mps"):
        VelocityFeedbackParams(lateral_below_mps=-0.1).validate()


def test_the_reference_never_turns_against_the_command_nor_below_its_share_of_it():
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=1.0, gain_lateral=1.0, disturbance_mps=0.5,
                                                      min_command_share=0.25))
    # walking backward at 0.1 m/s and turning, the chain walks three times the command
    bias = _walk(fb, (-0.3, 0.0), 0.0, (-0.1, 0.0), steps=6)
    assert bias[0] == pytest.approx(-0.075)  # reference -0.1 - (-0.075) = -0.025: a quarter of the command
    fb.update(2.5, 6, (-0.3 * 2.5, 0.0), 0.0, (-0.02, 0.0))  # a smaller command: held within it at once
    assert fb.bias[0] == pytest.approx(-0.015)
    # an axis commanded zero (turning in place, drifting sideways) may be corrected either way
    fb = CycleVelocityFeedback(VelocityFeedbackParams(gain=1.0, gain_lateral=1.0, min_command_share=0.25))
    for k in range(4):
        fb.update(k * 0.4, k, (0.0, -0.03 * k * 0.4), 0.0, (0.0, 0.0), wz=0.5)
    assert fb.bias[1] == pytest.approx(-0.03 * 2)


def test_the_command_share_kept_is_checked():
    with pytest.raises(ParameterRangeError, match="min_command_share"):
        VelocityFeedbackParams(min_command_share=1.5).validate()
