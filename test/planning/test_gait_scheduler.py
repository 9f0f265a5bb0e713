import math

import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.planning.gait_scheduler import GaitParams, GaitScheduler

P = GaitParams(step_period_s=0.5, double_support_ratio=0.2, step_height_m=0.06)


def test_a_standing_robot_has_both_feet_down_for_ever():
    g = GaitScheduler(params=P)
    assert g.is_standing(10.0) and g.contacts_at(10.0) == {"left": True, "right": True}
    assert g.foot_phase("left", 3.0).time_to_switch_s == math.inf


def test_walking_alternates_single_support_with_double_support_between_steps():
    g = GaitScheduler(params=P)
    g.walk(1.0, first_swing="right")
    table = g.contact_table(1.0, 0.01, 200)  # 2 s: four steps
    both = table.all(axis=1)
    assert both[:10].all()  # 0.1 s double support first
    assert not table[10:50, 1].any() and table[10:50, 0].all()  # right swings 0.4 s
    assert both[50:60].all() and not table[60:100, 0].any()  # then the left
    assert (table.sum(axis=1) >= 1).all()  # never both feet in the air
    assert np.isclose(both.mean(), 0.2)


def test_stop_finishes_the_step_takes_a_closing_step_and_stands_in_double_support():
    g = GaitScheduler(params=P)
    g.walk(0.0, first_swing="left")
    g.stop(0.3)  # mid-swing of the first step (left)
    swings = [p for p in g.phases if p.swing_foot]
    assert [p.swing_foot for p in swings] == ["left", "right"]  # current step + one closing step
    assert g.is_standing(1.0) and g.contacts_at(5.0) == {"left": True, "right": True}
    assert not g.walk_requested


def test_walking_again_after_a_stop_resumes_with_the_other_foot_once_the_closing_step_lands():
    g = GaitScheduler(params=P)
    g.walk(0.0, first_swing="left")
    g.stop(0.3)
    g.walk(0.6)  # the closing (right) step is under way
    swings = [p for p in g.phases if p.swing_foot]
    assert [p.swing_foot for p in swings[:3]] == ["left", "right", "left"]
    assert swings[2].t_start == pytest.approx(1.1)  # right after the closing step + double support
    assert not g.is_standing(1.2)


def test_phase_of_a_swinging_foot_runs_from_zero_to_one_with_the_time_left():
    g = GaitScheduler(params=P)
    g.walk(0.0, first_swing="left")
    fp = g.foot_phase("left", 0.3)
    assert not fp.in_contact and fp.swing_phase == pytest.approx(0.5) and fp.time_to_switch_s == pytest.approx(0.2)
    stance = g.foot_phase("right", 0.3)
    assert stance.in_contact and stance.time_to_switch_s == pytest.approx(0.3)  # right lifts at 0.6


def test_bad_gait_parameters_and_feet_are_named():
    with pytest.raises(ConfigError, match="double_support_ratio"):
        GaitScheduler(params=GaitParams(double_support_ratio=0.95))
    with pytest.raises(ConfigError, match="valid feet: left, right"):
        GaitScheduler(params=P).walk(0.0, first_swing="middle")
