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


def test_retiming_a_swing_in_progress_moves_its_touch_down_and_every_later_phase_with_it():
    gait = GaitScheduler(params=GaitParams(step_period_s=0.4, double_support_ratio=0.2))
    gait.walk(0.0)
    gait.extend(0.0, 2.0)
    swing = gait.next_swing(0.1)
    assert swing.t_start == pytest.approx(0.08) and swing.t_end == pytest.approx(0.4)
    later = [(p.t_start, p.t_end, p.swing_foot) for p in gait.phases if p.t_start >= swing.t_end]
    new = gait.retime_step(0.1, 0.0, 0.3)  # lift-off of a swing that has begun stays
    assert (new.t_start, new.t_end, new.swing_foot) == (pytest.approx(0.08), 0.3, swing.swing_foot)
    moved = [(p.t_start, p.t_end, p.swing_foot) for p in gait.phases if p.t_start >= new.t_end]
    assert [f for *_, f in moved] == [f for *_, f in later]
    for (a0, b0, _), (a1, b1, _) in zip(later, moved):
        assert a1 == pytest.approx(a0 - 0.1) and b1 == pytest.approx(b0 - 0.1)  # same durations, 0.1 s sooner
    assert all(a.t_end == pytest.approx(b.t_start) for a, b in zip(gait.phases, gait.phases[1:]))  # no gap


def test_retiming_in_double_support_brings_the_lift_off_forward_but_never_before_now():
    gait = GaitScheduler(params=GaitParams(step_period_s=0.4, double_support_ratio=0.2))
    gait.walk(0.0)
    new = gait.retime_step(0.05, 0.0, 0.3)
    assert new.t_start == pytest.approx(0.05) and new.t_end == pytest.approx(0.3)
    assert gait.contacts_at(0.04) == {"left": True, "right": True}
    assert not all(gait.contacts_at(0.06).values())


def test_retiming_needs_a_step_and_a_touch_down_after_now():
    gait = GaitScheduler()
    with pytest.raises(ConfigError, match="standing"):
        gait.retime_step(0.0, 0.0, 0.2)
    gait.walk(0.0)
    with pytest.raises(ConfigError, match="touch-down"):
        gait.retime_step(0.2, 0.1, 0.15)


def test_swapping_the_feet_of_the_next_step_swings_the_other_foot_and_the_alternation_follows_it():
    gait = GaitScheduler(params=GaitParams(step_period_s=0.4, double_support_ratio=0.2))
    gait.walk(0.0, first_swing="left")
    gait.extend(0.0, 2.0)
    before = [(p.t_start, p.t_end, p.swing_foot) for p in gait.phases]
    new = gait.swap_swing_feet(0.42)  # in the double support after the left foot's swing
    assert (new.t_start, new.t_end, new.swing_foot) == (pytest.approx(0.48), pytest.approx(0.8), "left")
    after = [(p.t_start, p.t_end, p.swing_foot) for p in gait.phases]
    assert [(a, b) for a, b, _ in after] == [(a, b) for a, b, _ in before]  # the timing is untouched
    swings = [f for a, _, f in after if f is not None]
    assert swings[:3] == ["left", "left", "right"]  # the first swing stays, then the other order
    assert all(x != y for x, y in zip(swings[1:], swings[2:]))  # alternating from the swapped step on
    gait.extend(0.42, 4.0)
    later = [p.swing_foot for p in gait.phases if p.swing_foot is not None]
    assert all(x != y for x, y in zip(later[1:], later[2:]))  # steps appended later alternate with it


def test_swapping_feet_needs_a_step_that_has_not_lifted_off():
    gait = GaitScheduler()
    with pytest.raises(ConfigError, match="standing"):
        gait.swap_swing_feet(0.0)
    gait.walk(0.0)
    gait.extend(0.0, 2.0)
    first = gait.next_swing(0.0)
    with pytest.raises(ConfigError, match="has begun"):
        gait.swap_swing_feet(first.t_start + 0.01)  # a foot in the air cannot be swapped
    assert gait.next_swing(0.0).swing_foot == first.swing_foot  # and nothing changed


def test_a_walk_restarted_mid_swing_ends_that_phase_and_swings_the_given_foot_after_the_double_support():
    g = GaitScheduler(params=P)
    g.walk(0.0, first_swing="left")  # 0.1 s both down, then the left swings until 0.5 s
    swing = g.restart(0.3, "right", double_support_s=0.04)  # the left was held down: re-phased
    assert (swing.swing_foot, swing.t_start, swing.t_end) == ("right", pytest.approx(0.34), pytest.approx(0.8))
    assert g.phase_at(0.2).swing_foot == "left" and g.phase_at(0.32).swing_foot is None
    assert g.contacts_at(0.5) == {"left": True, "right": False}
    after = [p for p in g.phases if p.swing_foot and p.t_start >= 0.8]
    assert after[0].swing_foot == "left"  # the alternation goes on from the new step
    with pytest.raises(ConfigError, match="valid feet: left, right"):
        g.restart(0.9, "middle")


def test_a_standing_gait_cannot_be_restarted():
    with pytest.raises(ConfigError, match="standing"):
        GaitScheduler(params=P).restart(1.0, "left")
