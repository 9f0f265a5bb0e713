import numpy as np
import pinocchio as pin
import pytest

from humanoid_control.planning.locomotion import LocomotionParams, LocomotionPlanner
from humanoid_control.planning.plan_codec import PlanDecodeError, decode, encode
from humanoid_control.planning.terrain_map import TerrainMap


@pytest.fixture(scope="module")
def walking_plan(humanoid):
    planner = LocomotionPlanner(humanoid)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    planner.update(0.0, q, v, (0.0, 0.0, 0.0))
    plan = None
    for t in np.arange(0.0, 0.25, 0.01):
        plan = planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    return planner, plan


def test_a_velocity_command_starts_a_walk_whose_plan_follows_the_gait(walking_plan):
    planner, plan = walking_plan
    assert plan.mpc.ok
    t = plan.t0
    for k in range(len(plan.mpc.wrenches)):
        contacts = planner.gait.contacts_at(t + (k + 0.5) * plan.dt)
        for i, f in enumerate(plan.feet):
            if not contacts[f]:
                np.testing.assert_array_equal(plan.mpc.wrenches[k, i], 0.0)  # no wrench on a swing foot
    assert any(not all(planner.gait.contacts_at(t + s).values()) for s in np.arange(0, 0.8, 0.05))


def test_the_swing_reference_lands_on_the_planned_foothold_at_touch_down(walking_plan):
    _, plan = walking_plan
    (foot, traj), = [(f, tr) for f, tr in plan.swings.items()]
    fh = next(h for h in plan.footholds if h.foot == foot)
    ref = plan.reference_at(fh.t_touchdown - 1e-9)
    end = traj.evaluate(fh.t_touchdown)
    np.testing.assert_allclose(end.position, fh.position, atol=1e-9)
    np.testing.assert_allclose(end.velocity, 0.0, atol=1e-9)
    assert ref.contacts[foot] is False and foot in ref.swing
    mid = plan.reference_at(0.5 * (fh.t_liftoff + fh.t_touchdown))
    assert mid.swing[foot].position[2] > 0.03  # the foot is lifted mid-swing


def test_the_plan_survives_the_message_encoding_unchanged(walking_plan):
    _, plan = walking_plan
    fields = encode(plan)
    back = decode(fields, plan.t0)
    for t in plan.t0 + np.array([0.0, 0.013, 0.1, 0.27, 0.5, 0.79]):
        a, b = plan.reference_at(t), back.reference_at(t)
        assert a.contacts == b.contacts
        np.testing.assert_allclose(a.com_position, b.com_position, atol=1e-12)
        np.testing.assert_allclose(a.com_acceleration, b.com_acceleration, atol=1e-9)
        assert set(a.swing) == set(b.swing)
        for f in a.swing:
            np.testing.assert_allclose(a.swing[f].position, b.swing[f].position, atol=1e-12)
            assert a.swing[f].yaw == pytest.approx(b.swing[f].yaw)
        for f in a.wrenches:
            np.testing.assert_allclose(a.wrenches[f], b.wrenches[f])
        assert a.walking is b.walking and a.uneven_ground is b.uneven_ground
        assert all(a.swing[f].lifts_over_edge is b.swing[f].lifts_over_edge for f in a.swing)
    for lifts in (True, False):  # a lift-first swing's stiff vertical gains travel with it
        for traj in plan.swings.values():
            traj.lifts_over_edge = lifts
        back = decode(encode(plan), plan.t0)
        assert [tr.lifts_over_edge for tr in back.swings.values()] == [lifts] * len(plan.swings)


def test_a_plan_walks_on_a_command_but_not_standing_nor_through_recovery_steps(walking_plan, humanoid):
    _, plan = walking_plan
    assert plan.walking and plan.reference_at(plan.t0).walking
    assert decode(encode(plan), plan.t0).walking
    planner = LocomotionPlanner(humanoid)
    standing = planner.update(0.0, *_standing_state(humanoid, (0.0, 0.0)))
    assert not standing.walking and not standing.reference_at(0.0).walking
    recovering = planner.update(0.5, *_standing_state(humanoid, (0.6, 0.0)))  # a shove, no command
    assert planner.recovering and not recovering.walking
    assert not decode(encode(recovering), recovering.t0).walking


@pytest.mark.parametrize("sideways_mps", [0.5, -0.5])
def test_a_sideways_shove_while_walking_hands_the_capture_to_the_qps_own_balance_for_a_while(humanoid,
                                                                                              sideways_mps):
    planner = LocomotionPlanner(humanoid)
    hold = planner.params.shove_hold_s
    q, v = _standing_state(humanoid, (0.0, 0.0))
    for t in np.arange(0.0, 0.3, 0.01):
        plan = planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    assert plan.walking
    shoved = planner.update(0.3, *_standing_state(humanoid, (0.0, sideways_mps)), (0.3, 0.0, 0.0))
    assert not shoved.walking  # 0.5 m/s sideways off the command, past 0.35
    assert not planner.update(0.3 + 0.9 * hold, q, v, (0.3, 0.0, 0.0)).walking  # held
    assert planner.update(0.3 + 1.1 * hold, q, v, (0.3, 0.0, 0.0)).walking
    # nor a command that walks sideways: its own sway reads that much
    planner = LocomotionPlanner(humanoid)
    for t in np.arange(0.0, 0.3, 0.01):
        plan = planner.update(float(t), q, v, (0.0, 0.4, 0.0))
    assert planner.update(0.3, *_standing_state(humanoid, (0.0, -0.3)), (0.0, 0.4, 0.0)).walking
    # and 0 switches it off
    planner = LocomotionPlanner(humanoid, LocomotionParams(shove_lateral_speed_error_mps=0.0))
    for t in np.arange(0.0, 0.3, 0.01):
        planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    assert planner.update(0.3, *_standing_state(humanoid, (0.0, sideways_mps)), (0.3, 0.0, 0.0)).walking


def test_a_malformed_plan_message_is_refused_with_the_field_named(walking_plan):
    _, plan = walking_plan
    fields = encode(plan)
    fields["wrenches"] = fields["wrenches"][:-1]
    with pytest.raises(PlanDecodeError, match="wrenches"):
        decode(fields, 0.0)
    fields = encode(plan)
    fields["states"] = fields["states"].copy()
    fields["states"][3] = np.nan
    with pytest.raises(PlanDecodeError, match="finite"):
        decode(fields, 0.0)


def test_a_turning_swing_reports_the_yaw_rate_of_its_yaw_profile():
    from humanoid_control.planning.locomotion import YawSwing
    sw = YawSwing(np.zeros(3), np.array([0.2, 0.1, 0.0]), 1.0, 0.32, 0.06, yaw_start=0.1, yaw_end=0.4)
    for t in (1.01, 1.1, 1.16, 1.3):
        h = 1e-6
        fd = (sw.yaw_at(t + h) - sw.yaw_at(t - h)) / (2 * h)
        assert sw.yaw_rate_at(t) == pytest.approx(fd, rel=1e-5, abs=1e-8)
    assert sw.yaw_rate_at(0.9) == 0.0 and sw.yaw_rate_at(1.4) == 0.0


def test_a_turn_command_turns_the_heading_reference_at_the_commanded_rate(humanoid):
    planner = LocomotionPlanner(humanoid)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    planner.update(0.0, q, v, (0.0, 0.0, 0.0))
    first = planner.update(0.01, q, v, (0.0, 0.0, 0.5))
    later = planner.update(0.21, q, v, (0.0, 0.0, 0.5))
    assert later.base_yaw0 - first.base_yaw0 == pytest.approx(0.5 * 0.2, abs=1e-9)
    assert later.base_yaw_rate == 0.5
    ref = later.reference_at(0.25)
    assert ref.base_yaw == pytest.approx(later.base_yaw0 + 0.5 * 0.04) and ref.base_yaw_rate == 0.5
    # the base did not follow (q is frozen): the reference runs at most max_heading_lead_rad ahead
    lead = planner.update(2.0, q, v, (0.0, 0.0, 0.5)).base_yaw0
    assert lead == pytest.approx(planner.params.max_heading_lead_rad)


def _standing_state(robot, com_velocity_xy):
    q = robot.nominal_configuration()
    v = np.zeros(robot.nv)
    v[0:2] = com_velocity_xy  # base twist, base frame = world at the nominal pose
    return q, v


def test_standing_the_dcm_is_inside_the_support_and_a_shove_moves_it_out(humanoid):
    planner = LocomotionPlanner(humanoid)
    s = planner.measure(*_standing_state(humanoid, (0.0, 0.0)))
    assert planner.dcm_outside_support(s) < -0.05  # the CoM over the middle of the feet
    s = planner.measure(*_standing_state(humanoid, (0.6, 0.0)))
    omega = planner.footsteps.params.omega
    front = planner.footsteps.params.foot_length_m / 2
    # the DCM ahead of the soles' front edge by ċ/ω − half a sole (the CoM sits near the feet's centre)
    assert planner.dcm_outside_support(s) == pytest.approx(0.6 / omega - front + s["com"][0], abs=0.01)


def test_with_the_feet_split_diagonally_the_support_is_the_soles_hull_not_their_bounding_box(humanoid):
    # a stop left the left foot 0.32 m ahead of the right one and 0.14 m beside it; a DCM beside the
    # right sole's front, inside the box around both soles but outside their hull, is outside
    planner = LocomotionPlanner(humanoid)
    s = planner.measure(*_standing_state(humanoid, (0.0, 0.0)))
    s["feet"] = {"right": (np.array([0.0, -0.07, 0.0]), 0.0), "left": (np.array([0.32, 0.07, 0.0]), 0.0)}
    s["com"] = np.array([0.25, -0.1, s["com"][2]])
    s["com_velocity"] = np.zeros(3)
    # the hull's edge from the right sole's front-right corner (0.11, -0.125) to the left one's
    # (0.43, 0.015): the DCM (0.25, -0.1) lies 0.036 m below it, 0.033 m from it
    slope = 0.14 / 0.32
    expected = (-0.125 + slope * (0.25 - 0.11) + 0.1) / np.hypot(1.0, slope)
    assert planner.dcm_outside_support(s) == pytest.approx(expected, abs=1e-6)
    s["com"][:2] = (0.16, 0.0)  # between the soles: inside
    assert planner.dcm_outside_support(s) < 0.0


@pytest.mark.parametrize("push, first", [((0.0, -0.7), "right"), ((0.0, 0.7), "left")])
def test_a_shove_without_a_command_starts_recovery_steps_with_the_foot_on_its_side(humanoid, push, first):
    planner = LocomotionPlanner(humanoid)
    plan = planner.update(0.0, *_standing_state(humanoid, (0.0, 0.0)))
    assert not planner.recovering and planner.gait.is_standing(0.0)
    plan = planner.update(0.5, *_standing_state(humanoid, push))
    assert planner.recovering and planner.recovery_starts == 1
    swings = [p.swing_foot for p in plan.phases if p.swing_foot is not None]
    assert swings and swings[0] == first  # a push to the right is caught by the right foot
    plan = planner.update(0.6, *_standing_state(humanoid, (0.0, 0.0)))  # captured: the DCM is back inside, slow
    assert not planner.recovering and not planner.gait.walk_requested  # closing step, then standing


def test_recovery_steps_without_a_command_leave_the_walking_speed_feedback_alone(humanoid):
    # the robot still moves at 0.2 m/s through its recovery steps: no walking speed is
    # commanded, so there is no speed error to learn (a bias left over kept it walking)
    planner = LocomotionPlanner(humanoid)
    planner.update(0.0, *_standing_state(humanoid, (0.0, 0.0)))
    for t in np.arange(0.5, 2.5, 0.01):
        q, v = _standing_state(humanoid, (0.6 if t < 0.505 else 0.2, 0.0))
        q[0] += 0.2 * (t - 0.5)
        planner.update(float(t), q, v)
    assert planner.recovering and planner.gait.phase_at(2.5).step_index >= 4  # cycles went by
    assert not planner.speed_feedback.bias.any()


def test_a_small_shove_is_left_to_the_ankles(humanoid):
    planner = LocomotionPlanner(humanoid)
    planner.update(0.0, *_standing_state(humanoid, (0.0, 0.0)))
    planner.update(0.5, *_standing_state(humanoid, (0.15, 0.0)))
    assert not planner.recovering and planner.gait.is_standing(0.5)


def _walk_to_single_support(humanoid, planner):
    """A planner walking at 0.3 m/s from the nominal pose, 0.1 s into its first swing."""
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    t = 0.0
    for t in np.arange(0.0, 0.18, 0.01):
        planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    swing = planner.gait.next_swing(float(t))
    assert swing.t_start <= t < swing.t_end
    return float(t), swing


def test_a_step_that_cannot_reach_the_dcm_lands_sooner_and_a_nominal_one_keeps_its_timing(humanoid):
    # the pendulum's full sway: this robot never moves, its DCM stays between the feet, and with
    # less sway expected the first step from rest already lands wider than the gait's limit
    planner = LocomotionPlanner(humanoid, LocomotionParams(step_sway_share=1.0))
    t, swing = _walk_to_single_support(humanoid, planner)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    planner.update(t + 0.01, q, v, (0.3, 0.0, 0.0))  # a calm state: the step keeps its touch-down
    assert planner.retimed_steps == 0 and planner.gait.next_swing(t + 0.01).t_end == pytest.approx(swing.t_end)
    traj_before = planner.swings[swing.swing_foot]
    v[0] = 1.2  # a shove forward: the DCM runs ahead of what one step can reach in time
    plan = planner.update(t + 0.02, q, v, (0.3, 0.0, 0.0))
    new = planner.gait.next_swing(t + 0.02)
    assert planner.retimed_steps >= 1 and new.t_end < swing.t_end - 0.02
    assert new.t_end - new.t_start >= planner.params.min_swing_s - 1e-9
    traj = plan.swings[swing.swing_foot]
    assert traj.t_end == pytest.approx(new.t_end)  # the swing lands when the gait says
    np.testing.assert_allclose(traj.evaluate(t + 0.02).position, traj_before.evaluate(t + 0.02).position,
                               atol=1e-9)  # and continues from where the foot was sent
    assert plan.contacts_at(new.t_end + 1e-6)[swing.swing_foot]  # the MPC's schedule follows


def test_walking_faster_raises_the_cadence_instead_of_lengthening_the_steps_beyond_the_nominal(humanoid):
    planner = LocomotionPlanner(humanoid)
    p = planner.params
    T0 = p.gait.step_period_s
    assert planner.step_period_for(0.0) == T0 and planner.step_period_for(0.5) == T0  # 0.2-m steps
    assert planner.step_period_for(0.8) == pytest.approx(p.cadence_step_length_m / 0.8)
    assert planner.step_period_for(-0.8) == planner.step_period_for(0.8)
    assert planner.step_period_for(3.0) == p.min_step_period_s
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    for t in np.arange(0.0, 0.1, 0.01):
        plan = planner.update(float(t), q, v, (0.8, 0.0, 0.0))
    later = [ph for ph in plan.phases if ph.swing_foot is not None][1]  # a step planned at the new cadence
    assert later.t_end - later.t_start == pytest.approx(planner.step_period_for(0.8) * (1 - p.gait.double_support_ratio))


def test_walking_sideways_faster_than_a_tenth_of_a_metre_per_step_raises_the_cadence(humanoid):
    planner = LocomotionPlanner(humanoid)
    p = planner.params
    T0 = p.gait.step_period_s
    assert planner.step_period_for(0.0, 0.2) == T0  # 0.08 m of lateral travel per step
    assert planner.step_period_for(0.0, 0.3) == pytest.approx(p.cadence_lateral_step_m / 0.3)
    assert planner.step_period_for(0.0, -0.3) == planner.step_period_for(0.0, 0.3)
    assert planner.step_period_for(0.0, 1.0) == p.min_step_period_s
    # both limits: the shorter period wins
    assert planner.step_period_for(0.8, 0.3) == pytest.approx(min(p.cadence_step_length_m / 0.8,
                                                                  p.cadence_lateral_step_m / 0.3))


@pytest.mark.parametrize("dz, com_speed, uneven", [(0.03, 0.0, True), (0.015, 0.0, False), (0.03, 0.5, False)])
def test_feet_standing_flat_at_heights_apart_make_the_next_swings_lift_first(humanoid, dz, com_speed, uneven):
    # read only while the robot moves as commanded (here: stands still) — a shoved robot's
    # estimated feet differ by centimetres on flat ground
    planner = LocomotionPlanner(humanoid)
    s = planner.measure(*_standing_state(humanoid, (com_speed, 0.0)))
    foot = planner.feet[0]
    s["feet"][foot] = (s["feet"][foot][0] + [0.0, 0.0, dz], s["feet"][foot][1])
    planner._sense_uneven_ground(1.0, s, 0.0, 0.0)
    assert (planner.uneven_until > 1.0) is uneven and planner.uneven_detections == int(uneven)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    for t in np.arange(1.0, 1.2, 0.01):
        planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    (swing,) = planner.swings.values()
    assert swing.profile.lift_first is uneven
    assert swing.lifts_over_edge is uneven  # (the WBC's stiff vertical gains)
    assert planner.update(1.2, q, v, (0.3, 0.0, 0.0)).reference_at(swing.t_start + 0.01 * swing.duration) \
        .swing[next(iter(planner.swings))].lifts_over_edge is uneven


@pytest.mark.parametrize("contacts, uneven", [
    (None, True),  # not sensed (the processes layout): the gait's double support alone
    ({"both": True}, True),
    ({"raised": False}, False),  # the raised foot is still landing (late), in the air
])
def test_feet_at_heights_apart_are_read_only_when_the_contacts_say_both_are_down(humanoid, contacts, uneven):
    # walking 1 m/s on flat ground, a push from the front left a swing landing late: 4.4 cm up when
    # the gait's double support began, it read as a step and capped the walk at 0.25 m/s for 2 s
    planner = LocomotionPlanner(humanoid)
    s = planner.measure(*_standing_state(humanoid, (0.0, 0.0)))
    raised, other = planner.feet
    s["feet"][raised] = (s["feet"][raised][0] + [0.0, 0.0, 0.044], s["feet"][raised][1])
    if contacts is not None:
        contacts = {raised: next(iter(contacts.values())), other: True}
    planner._sense_uneven_ground(1.0, s, 0.0, 0.0, contacts)
    assert (planner.uneven_until > 1.0) is uneven and planner.uneven_detections == int(uneven)


def test_a_foot_pitched_toe_up_in_the_air_is_no_straddle(humanoid):
    # a late landing comes in toe-up; only a foot the contacts say is down can rest on a nosing
    planner = LocomotionPlanner(humanoid)
    s = planner.measure(*_standing_state(humanoid, (0.3, 0.0)))
    foot, other = planner.feet
    fid = humanoid.foot_frame_ids[foot]
    planner.data.oMf[fid] = pin.SE3(pin.rpy.rpyToMatrix(0.0, np.radians(-18.0), 0.0),
                                    planner.data.oMf[fid].translation.copy())
    assert planner._straddling(s, None, (0.3, 0.0))  # contacts not sensed
    assert planner._straddling(s, None, (0.3, 0.0), planner._feet_in_the_air({foot: True, other: True}))
    assert not planner._straddling(s, None, (0.3, 0.0), planner._feet_in_the_air({foot: False, other: True}))


@pytest.mark.parametrize("pitch_deg, walk_deg, mapped, com_speed, uneven", [
    (-18.0, 0.0, False, 0.3, True),  # toe up walking forward: the sole rests on a nosing
    (-18.0, 0.0, False, 0.2, True),  # held back by it
    (-18.0, 90.0, False, 0.3, False),  # the same foot walking sideways: its sole leans across the walk
    (18.0, 180.0, False, 0.3, True),  # toe down walking backward: the heel (ahead) rests on the nosing
    (18.0, 0.0, False, 0.3, False),  # toe down walking forward: a downhill ramp's crest, not a riser
    (-12.0, 0.0, False, 0.3, False),  # a 12-degree ramp up
    (-18.0, 0.0, False, 0.45, False),  # running ahead of the command: a sole rolling over its heel downhill
    (-18.0, 0.0, True, 0.3, False),  # with a terrain map the planner knows the ground
])
def test_a_foot_on_the_ground_straddling_a_nosing_turns_uneven_ground_mode_on_even_while_the_other_swings(
        humanoid, pitch_deg, walk_deg, mapped, com_speed, uneven):
    terrain = TerrainMap.from_terrain_text("stairs:0.05:0.25:4@1") if mapped else None
    planner = LocomotionPlanner(humanoid, terrain_map=terrain)
    c, sn = np.cos(np.radians(walk_deg)), np.sin(np.radians(walk_deg))
    cmd = (0.3 * c, 0.3 * sn)
    s = planner.measure(*_standing_state(humanoid, (com_speed * c, com_speed * sn)))  # (within 0.25 m/s: as commanded)
    foot, other = planner.feet
    fid = humanoid.foot_frame_ids[foot]
    sole = planner.data.oMf[fid]
    planner.data.oMf[fid] = pin.SE3(pin.rpy.rpyToMatrix(0.0, np.radians(pitch_deg), 0.0), sole.translation.copy())
    t = 1.0
    planner.gait.walk(0.0, first_swing=other)
    while planner.gait.phase_at(t).swing_foot != other:  # the straddling foot stands, the other swings
        t = round(t + 0.01, 2)
    planner._sense_uneven_ground(t, s, *cmd)
    assert (planner.uneven_until > t) is uneven and planner.uneven_detections == int(uneven)
    assert not planner._straddling(s, other, (0.0, 0.0))  # standing: no walking direction to lean against


def test_a_stumble_starts_the_swing_again_with_the_flat_ground_gains_and_the_swings_after_it_lift_first(humanoid):
    # the re-lift tracked stiffly bought its height with the stance leg: after a toe caught on a
    # 1.6-cm step the next swing began from a straight knee and the base rolled 0.1 rad (session 30)
    planner = LocomotionPlanner(humanoid)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    t = 0.0
    while planner.gait.phase_at(t).swing_foot is None or t < 0.2:
        planner.update(t, q, v, (0.3, 0.0, 0.0))
        t = round(t + 0.01, 2)
    ph = planner.gait.phase_at(t)
    planner.update(t + 0.02, q, v, (0.3, 0.0, 0.0))
    assert not planner.swings[ph.swing_foot].lifts_over_edge  # flat ground
    foot, fid = ph.swing_foot, humanoid.foot_frame_ids[ph.swing_foot]
    state = planner.measure(*_standing_state(humanoid, (0.3, 0.0)))  # walking as commanded, not shoved
    sole = planner.data.oMf[fid]
    planner.data.oMf[fid] = pin.SE3(pin.rpy.rpyToMatrix(0.0, 0.5, 0.0), sole.translation.copy())  # toe caught: 29°
    planner._catch_stumble(t + 0.03, state, (0.3, 0.0))
    assert planner.stumbles == 1 and planner.uneven_until > t
    relift = planner.swings[foot]
    assert relift.profile is planner.params.stumble_swing and not relift.lifts_over_edge
    for k in range(40):
        tk = round(ph.t_end + 0.01 * k, 2)
        planner.update(tk, q, v, (0.3, 0.0, 0.0))
        nxt = planner.gait.phase_at(tk)
        if nxt.swing_foot is not None and nxt.swing_foot != foot and nxt.swing_foot in planner.swings:
            break
    after = planner.swings[planner.other_foot(foot)]
    assert after.profile.lift_first and after.lifts_over_edge  # the next one lifts first, stiffly


def test_on_uneven_ground_the_commanded_speed_is_capped_and_the_plan_says_so(humanoid):
    planner = LocomotionPlanner(humanoid)
    cap = planner.params.uneven_max_speed_mps
    assert cap == pytest.approx(0.25)
    assert planner._capped_on_uneven_ground(1.0, 0.4, 0.3) == (0.4, 0.3)  # flat so far: as commanded
    planner.uneven_until = 3.0  # a riser met (feet at two heights, or a stumble)
    vx, vy = planner._capped_on_uneven_ground(1.0, 0.4, 0.3)
    assert np.hypot(vx, vy) == pytest.approx(cap) and vx / vy == pytest.approx(0.4 / 0.3)  # scaled, same heading
    assert planner._capped_on_uneven_ground(1.0, -0.2, 0.0) == (-0.2, 0.0)  # below the cap: as commanded
    assert planner._capped_on_uneven_ground(3.5, 0.4, 0.3) == (0.4, 0.3)  # the mode has ended
    mapped = LocomotionPlanner(humanoid, terrain_map=TerrainMap.from_param("stairs:0.05:0.25:4@1", "test"))
    mapped.uneven_until = 3.0
    assert mapped._capped_on_uneven_ground(1.0, 0.4, 0.3) == (0.4, 0.3)  # given the ground: as commanded
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    problems, solve = [], planner.mpc.solve
    planner.mpc.solve = lambda problem: problems.append(problem) or solve(problem)
    plan = planner.update(1.0, q, v, (0.4, 0.0, 0.0))
    assert plan.uneven_ground is True and plan.reference_at(1.0).uneven_ground is True
    speeds = np.linalg.norm(problems[-1].x_ref[:, 3:5], axis=1)  # [m/s] the MPC's CoM reference
    assert speeds.max() == pytest.approx(cap)  # the capped speed, not the 0.4 commanded
    plan = planner.update(3.5, q, v, (0.4, 0.0, 0.0))
    assert plan.uneven_ground is False and np.linalg.norm(problems[-1].x_ref[:, 3:5], axis=1).max() == pytest.approx(0.4)


@pytest.mark.parametrize("vy, swing", [(0.0, "right"), (0.5, "left")])
def test_a_shove_towards_the_foot_that_just_landed_makes_that_foot_step_again(humanoid, vy, swing):
    # walking at 0.3 m/s, the left foot's first swing lands at 0.4 s; the right one is due next.
    # Shoved to the left in the double support, the right foot could not reach the DCM (it would
    # cross the left one): the left foot steps again and the alternation follows from it
    planner = LocomotionPlanner(humanoid)
    for t in np.arange(0.0, 0.40, 0.01):
        planner.update(float(t), *_standing_state(humanoid, (0.0, 0.0)), (0.3, 0.0, 0.0))
    assert planner.gait.next_swing(0.40).swing_foot == "right"
    for t in (0.40, 0.41, 0.42, 0.43):
        plan = planner.update(t, *_standing_state(humanoid, (0.3, vy)), (0.3, 0.0, 0.0))
    swings = [p.swing_foot for p in plan.phases if p.swing_foot is not None and p.t_start > 0.4]
    assert swings[0] == swing and planner.swapped_steps == (swing == "left")
    assert all(a != b for a, b in zip(swings, swings[1:]))  # alternating after it
    landing = next(f for f in plan.footholds if f.t_liftoff > 0.4)
    assert landing.foot == swing
    if swing == "left":
        assert landing.position[1] > 0.2  # stepping out to the left, beyond where it stood (y = 0.09 m)


@pytest.mark.parametrize("vy", [-0.6, -0.9])
def test_a_shove_past_the_scheduled_foot_keeps_that_foot_stepping_even_when_its_step_falls_short(humanoid, vy):
    # as above, the right foot due after the left one lands at 0.4 s; shoved to the right so hard
    # that the DCM is out past the right sole, the right foot's step falls well short of the law's
    # wish (the legs' reach) — but the left foot's would have to land right of the right foot: it
    # catches nothing, only puts off the step that can (turning in place, a 0.3-s drop-out that
    # left the robot drifting to the side swapped to the inner foot three times and it fell).
    # A smaller swap gain than the default makes the misses alone call for the swap here
    planner = LocomotionPlanner(humanoid, LocomotionParams(swing_swap_gain_m=0.05))
    for t in np.arange(0.0, 0.40, 0.01):
        planner.update(float(t), *_standing_state(humanoid, (0.0, 0.0)), (0.3, 0.0, 0.0))
    s = planner.measure(*_standing_state(humanoid, (0.3, vy)))
    assert planner.dcm_xy(s)[1] < s["feet"]["right"][0][1]  # the DCM out past the right sole
    for t in (0.40, 0.41, 0.42, 0.43):
        plan = planner.update(t, *_standing_state(humanoid, (0.3, vy)), (0.3, 0.0, 0.0))
    assert planner.swapped_steps == 0 and planner.gait.next_swing(0.43).swing_foot == "right"
    landing = next(f for f in plan.footholds if f.t_liftoff > 0.4)
    assert landing.foot == "right" and landing.position[1] < s["feet"]["right"][0][1] - 0.1  # stepping out


@pytest.mark.parametrize("vy, extended", [(0.6, True), (-0.6, False), (0.0, False)])
def test_a_late_shove_towards_the_swinging_foot_makes_its_frozen_swing_land_later_and_further_out(
        humanoid, vy, extended):
    # walking at 0.3 m/s the left foot's first swing runs 0.08-0.40 s; at 0.30 s (69 %) its landing
    # is frozen. Shoved to the left then, the right foot could not catch the DCM (it would cross
    # the left one): the left swing lands later, where the DCM law wants it now. Shoved to the right
    # (towards the stance foot) or not at all, the swing keeps its landing and its time
    planner = LocomotionPlanner(humanoid)
    for t in np.arange(0.0, 0.30, 0.01):
        planner.update(float(t), *_standing_state(humanoid, (0.0, 0.0)), (0.3, 0.0, 0.0))
    swing = planner.gait.next_swing(0.30)
    assert swing.swing_foot == "left" and (0.30 - swing.t_start) / (swing.t_end - swing.t_start) > 0.6
    before = planner.swings["left"]
    plan = planner.update(0.30, *_standing_state(humanoid, (0.3, vy)), (0.3, 0.0, 0.0))
    new = planner.gait.next_swing(0.30)
    traj = plan.swings["left"]
    assert (planner.extended_steps == 1) is extended
    if not extended:
        assert new.t_end <= swing.t_end + 1e-9
        np.testing.assert_allclose(traj.target, before.target, atol=1e-9)
        return
    p = planner.params
    assert swing.t_end < new.t_end <= swing.t_end + p.max_swing_extension_s + 1e-9
    assert traj.t_end == pytest.approx(new.t_end) and plan.contacts_at(new.t_end - 1e-6)["left"] is False
    assert traj.target[1] > before.target[1] + p.extension_min_miss_m  # further out to the left
    np.testing.assert_allclose(traj.evaluate(0.30).position, before.evaluate(0.30).position, atol=1e-9)
    for t in np.linspace(0.30, new.t_end, 30):  # the sole stays 1 cm up until it is nearly there (no scuffing)
        pos = traj.evaluate(float(t)).position
        if np.linalg.norm(pos[:2] - traj.target[:2]) > 0.03:
            assert pos[2] >= 0.01  # [m]
    # the extension is spent once: the next updates leave the touch-down where it is
    for t in (0.31, 0.32):
        planner.update(t, *_standing_state(humanoid, (0.3, vy)), (0.3, 0.0, 0.0))
    assert planner.gait.next_swing(0.32).t_end <= swing.t_end + p.max_swing_extension_s + 1e-9


def test_swing_extension_can_be_turned_off(humanoid):
    planner = LocomotionPlanner(humanoid, LocomotionParams(max_swing_extension_s=0.0))
    for t in np.arange(0.0, 0.30, 0.01):
        planner.update(float(t), *_standing_state(humanoid, (0.0, 0.0)), (0.3, 0.0, 0.0))
    t_end = planner.gait.next_swing(0.30).t_end
    planner.update(0.30, *_standing_state(humanoid, (0.3, 0.6)), (0.3, 0.0, 0.0))
    assert planner.extended_steps == 0 and planner.gait.next_swing(0.30).t_end <= t_end + 1e-9


def test_swing_foot_selection_can_be_turned_off(humanoid):
    planner = LocomotionPlanner(humanoid, LocomotionParams(swing_foot_selection=False))
    for t in np.arange(0.0, 0.40, 0.01):
        planner.update(float(t), *_standing_state(humanoid, (0.0, 0.0)), (0.3, 0.0, 0.0))
    for t in (0.40, 0.41, 0.42, 0.43):
        planner.update(t, *_standing_state(humanoid, (0.3, 0.5)), (0.3, 0.0, 0.0))
    assert planner.swapped_steps == 0 and planner.gait.next_swing(0.43).swing_foot == "right"


def test_shoved_sideways_the_mpc_reference_returns_to_the_command_faster_across_the_heading(humanoid):
    planner = LocomotionPlanner(humanoid)
    problems = []
    solve = planner.mpc.solve
    planner.mpc.solve = lambda prob: problems.append(prob) or solve(prob)
    for t in np.arange(0.0, 0.20, 0.01):
        planner.update(float(t), *_standing_state(humanoid, (0.0, 0.0)), (0.3, 0.0, 0.0))
    planner.update(0.2, *_standing_state(humanoid, (0.3, 0.6)), (0.3, 0.0, 0.0))  # 0.6 m/s across
    x_ref = problems[-1].x_ref
    dt = planner.mpc.p.dt
    k = int(round(0.2 / dt))  # 0.2 s into the horizon
    p = planner.params
    assert x_ref[k, 4] == pytest.approx(0.6 - p.reference_acceleration_lateral * k * dt, abs=1e-6)
    assert x_ref[-1, 4] == pytest.approx(0.0, abs=1e-9)  # back on the command (0 across)
    assert x_ref[k, 3] == pytest.approx(0.3, abs=1e-6)  # along the heading it was on the command already
    planner.update(0.21, *_standing_state(humanoid, (0.3, 0.2)), (0.3, 0.0, 0.0))  # a sway, not a shove
    assert problems[-1].x_ref[k, 4] == pytest.approx(0.2 - p.reference_acceleration * k * dt, abs=1e-6)


def test_walking_straight_the_nominal_sway_goes_out_over_each_stance_foot_and_back_and_averages_zero(humanoid):
    # (steps of one length: the robot here does not move, so the step-timing adaptation would
    # retime them, and the sway of single supports of different lengths does not join up)
    planner = LocomotionPlanner(humanoid, LocomotionParams(adapt_step_timing=False))
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    for t in np.arange(0.0, 1.0, 0.01):
        planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    gait, omega = planner.gait, planner.footsteps.params.omega
    half = 0.5 * planner.footsteps.stance_width(0.0, gait.step_period_s) * omega
    swing = gait.next_swing(1.0)
    stance = planner.footsteps.side_sign(planner.other_foot(swing.swing_foot))
    t_ss = swing.t_end - swing.t_start
    eps = 1e-6
    a, mid, b = planner.nominal_sway([swing.t_start + eps, 0.5 * (swing.t_start + swing.t_end), swing.t_end - eps])
    assert a == pytest.approx(stance * half * np.tanh(0.5 * omega * t_ss), rel=1e-4)  # towards the stance foot...
    assert mid == pytest.approx(0.0, abs=1e-12) and b == pytest.approx(-a, rel=1e-4)  # ...turning, and back
    # continuous into the double support that follows, which crosses towards the next stance foot
    after = planner.nominal_sway([swing.t_end + eps])[0]
    assert after == pytest.approx(b, rel=1e-3)
    # a whole gait cycle of steady steps: the sway carries the CoM nowhere on average
    t0 = swing.t_start - gait.step_period_s * gait.params.double_support_ratio
    times = t0 + np.arange(0.0, 2 * gait.step_period_s, 1e-4)
    assert abs(planner.nominal_sway(times).mean()) < 1e-3 * half
    standing = LocomotionPlanner(humanoid)
    standing.update(0.0, q, v, (0.0, 0.0, 0.0))
    assert np.all(standing.nominal_sway([0.0, 0.5]) == 0.0)  # standing: no sway


def _mpc_references(humanoid, command, **params):
    """The MPC's reference states (N + 1, 9) after 3 s of a constant command from a standing state."""
    planner = LocomotionPlanner(humanoid, LocomotionParams(**params))
    problems = []
    solve = planner.mpc.solve
    planner.mpc.solve = lambda prob: problems.append(prob) or solve(prob)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    for t in np.arange(0.0, 3.0, 0.01):
        planner.update(float(t), q, v, command)
    return planner, problems[-1]


@pytest.mark.parametrize("command, swayed", [((0.3, 0.0, 0.0), True), ((0.3, 0.1, 0.0), False),
                                             ((0.3, 0.0, 0.3), False), ((0.0, 0.0, 0.0), False)])
def test_only_a_straight_walk_adds_the_nominal_sway_to_the_mpc_reference(humanoid, command, swayed):
    # the stepping law's sway share at least the reference's (1) in both: only the reference differs
    planner, with_sway = _mpc_references(humanoid, command, sway_reference=1.0, step_sway_share=1.0)
    _, without = _mpc_references(humanoid, command, step_sway_share=1.0)  # the default: the command alone
    times = with_sway.t + planner.mpc.p.dt * np.arange(len(with_sway.x_ref))
    sway = planner.nominal_sway(times)  # [m/s] across the heading (here world y: the base faces +x)
    np.testing.assert_allclose(with_sway.x_ref[:, [0, 2, 3, 5]], without.x_ref[:, [0, 2, 3, 5]], atol=1e-9)
    if swayed:
        assert np.ptp(sway) > 0.2  # the humanoid sways about ±0.15 m/s
        # once the reference has left the measured velocity behind, it is the command plus the sway
        np.testing.assert_allclose(with_sway.x_ref[-8:, 4] - without.x_ref[-8:, 4], sway[-8:], atol=1e-9)
    else:
        np.testing.assert_allclose(with_sway.x_ref, without.x_ref, atol=1e-12)


def test_the_mpc_node_parameter_sway_reference_reaches_the_planner_and_is_off_by_default(humanoid):
    from humanoid_control import params as P
    from humanoid_control.loop.mpc_core import MpcCore
    from humanoid_control.paths import share_dir

    config = share_dir() / "config"
    assert MpcCore(P.node_params(config, "mpc"), humanoid).planner.params.sway_reference == 0.0
    core = MpcCore(P.node_params(config, "mpc", {"sway_reference": 0.5}), humanoid)
    assert core.planner.params.sway_reference == 0.5
    with pytest.raises(Exception, match="sway_reference"):
        P.node_params(config, "mpc", {"sway_reference": 1.5})  # [0, 1]


def test_the_mpc_node_parameter_step_sway_share_reaches_the_stepping_law_and_sway_reference_raises_it(humanoid):
    from humanoid_control import params as P
    from humanoid_control.loop.mpc_core import MpcCore
    from humanoid_control.paths import share_dir

    config = share_dir() / "config"

    def share(**overrides):
        return MpcCore(P.node_params(config, "mpc", overrides), humanoid).planner.footsteps.params.sway_share

    assert share() == humanoid.config.step_sway_share == 0.5  # -1 (the default): the robot config's
    assert share(step_sway_share=0.3) == 0.3
    assert share(step_sway_share=0.3, sway_reference=0.8) == 0.8  # the MPC keeps that much sway: the law expects it
    with pytest.raises(Exception, match="step_sway_share"):
        share(step_sway_share=-0.1)  # [0, 1] or -1
    with pytest.raises(Exception, match="step_sway_share"):
        P.node_params(config, "mpc", {"step_sway_share": 1.5})


def _walk_plan(robot, terrain_map=None, seconds=0.3):
    planner = LocomotionPlanner(robot, terrain_map=terrain_map)
    q, v = robot.nominal_configuration(), np.zeros(robot.nv)
    plan = None
    for t in np.arange(0.0, seconds, 0.01):
        plan = planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    return planner, plan


@pytest.mark.parametrize("shift", [-0.06, -0.02, 0.0, 0.03, 0.08])
def test_with_a_terrain_map_no_landing_straddles_an_edge_and_each_sits_at_the_map_height(humanoid, shift):
    """A riser placed under where the blind plan's third landing is (and near it; the feet stand
    12 cm or more behind it): every planned landing rests on one tread (3 cm behind the riser,
    or overhanging the edge from above by at most 20 % of the sole), sits 5 cm higher beyond it
    (relative to the stance foot), and a swing that crosses the edge lifts first."""
    from humanoid_control.planning.terrain_map import TerrainMap

    _, blind = _walk_plan(humanoid)
    x_edge = float(blind.footholds[2].position[0]) + shift
    tm = TerrainMap([(-20.0, 0.0, x_edge, 0.0), (x_edge, 0.05, 20.0, 0.05)])
    planner, plan = _walk_plan(humanoid, tm)
    half = planner.footsteps.params.foot_length_m / 2
    assert plan.footholds
    for fh in plan.footholds:
        assert tm.is_clear(fh.position[0], half)  # 3 cm behind the riser, or over the edge by at most 20 %
        assert fh.position[0] >= x_edge + 0.6 * half - 1e-6 or fh.position[0] <= x_edge - half - tm.clearance_m + 1e-6
        assert fh.position[2] == pytest.approx(0.05 if fh.position[0] > x_edge else 0.0, abs=1e-6)
    for foot, swing in plan.swings.items():
        assert swing.profile.lift_first is (float(swing.target[0]) > x_edge)


@pytest.mark.parametrize("wish_x, heading_for, vx, expect", [
    (0.76, 1.00, 0.3, "ahead"),  # the rule would take the place behind (5+ cm nearer): heading on, it stays on
    (0.76, 0.70, 0.3, "behind"),
    (0.84, 0.70, 0.3, "behind"),  # the rule would take the tread ahead (walking on): it stays behind
    (0.84, 1.00, 0.3, "ahead"),
    (0.84, None, 0.3, "ahead"),  # no swing under way: the rule's choice
    (0.76, None, 0.3, "behind"),
    (0.93, 0.70, -0.3, "behind"),  # walking backwards, down the step
    (0.93, 1.00, -0.3, "ahead"),
    (0.93, None, -0.3, "ahead"),
])
def test_on_a_map_a_swing_under_way_keeps_to_the_tread_it_is_heading_for(humanoid, wish_x, heading_for, vx, expect):
    """A riser at x = 0.85: a landing wished across it moves to the clear place behind it or
    ahead of it; once a swing is under way (``tread_of``: where it is heading) it stays on that
    tread whichever place the stepping law's moving wish would pick."""
    from humanoid_control.planning.terrain_map import TerrainMap

    tm = TerrainMap([(-20.0, 0.0, 0.85, 0.0), (0.85, 0.05, 20.0, 0.05)])
    planner = LocomotionPlanner(humanoid, terrain_map=tm)
    half = planner.footsteps.params.foot_length_m / 2
    behind, ahead = tm.clear_around(wish_x, half, vx)
    tread_of = None if heading_for is None else np.array([heading_for, 0.0, 0.0])
    stance = np.array([0.6 if vx > 0 else 1.1, 0.1, 0.0])
    out, z = planner._on_map(np.array([wish_x, -0.1, 0.0]), 0.0, stance, np.array([vx, 0.0]), tread_of=tread_of)
    assert out[0] == pytest.approx(behind if expect == "behind" else ahead)
    assert z == pytest.approx(tm.height_at(out) - tm.height_at(stance))
    assert out[1] == -0.1  # moved along the map's axis only


def test_the_stepping_law_expects_the_robots_sway_share_on_flat_ground_and_the_pendulums_on_a_map_with_edges(
        humanoid):
    from humanoid_control.planning.terrain_map import TerrainMap

    assert LocomotionPlanner(humanoid).footsteps.params.sway_share == 0.5
    flat = TerrainMap([(-20.0, 0.0, 20.0, 0.0)])
    assert LocomotionPlanner(humanoid, terrain_map=flat).footsteps.params.sway_share == 0.5
    stairs = TerrainMap.from_terrain_text("stairs:0.05:0.3:6@1")
    assert LocomotionPlanner(humanoid, terrain_map=stairs).footsteps.params.sway_share == 1.0


def test_without_a_map_the_plan_is_the_blind_one(humanoid):
    from humanoid_control.planning.terrain_map import TerrainMap

    _, blind = _walk_plan(humanoid)
    _, flat = _walk_plan(humanoid, TerrainMap([(-20.0, 0.0, 20.0, 0.0)]))
    for a, b in zip(blind.footholds, flat.footholds):
        np.testing.assert_allclose(a.position, b.position, atol=1e-12)


def test_the_mpc_node_parameter_terrain_map_reaches_the_planner_and_bad_maps_are_refused(humanoid):
    from humanoid_control import params as P
    from humanoid_control.errors import ConfigError
    from humanoid_control.loop.mpc_core import MpcCore
    from humanoid_control.paths import share_dir

    config = share_dir() / "config"
    assert MpcCore(P.node_params(config, "mpc"), humanoid).planner.terrain_map is None  # blind by default
    core = MpcCore(P.node_params(config, "mpc", {"terrain_map": "stairs:0.05:0.25:4@1"}), humanoid)
    assert len(core.planner.terrain_map.edges) == 4
    with pytest.raises(ConfigError, match="mpc.terrain_map.*rough"):
        MpcCore(P.node_params(config, "mpc", {"terrain_map": "rough:0.01"}), humanoid)


@pytest.mark.parametrize("rise, com_x, waits", [(0.05, 0.0, True), (0.05, 0.2, False), (-0.05, 0.0, False)],
                         ids=["climbing-dcm-behind", "climbing-dcm-over", "going-down-dcm-behind"])
def test_on_a_map_a_lift_off_waits_until_the_dcm_is_over_the_foot_that_will_stand(humanoid, rise, com_x, waits):
    """Feet on either side of an edge (the stance foot on the tread at x = 0.2): climbing, with
    the DCM behind that foot's centre-of-pressure band the lift-off is put off 20 ms at a time,
    at most 0.3 s per step; with the DCM over it, the gait's own timing. Going down it never
    waits (the waits braked the body on the upper tread's nosing)."""
    from humanoid_control.planning.terrain_map import TerrainMap

    tm = TerrainMap([(-20.0, 0.0, 0.1, 0.0), (0.1, rise, 20.0, rise)])
    planner, _ = _walk_plan(humanoid, tm, seconds=0.05)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    swing = planner.gait.next_swing(0.05)
    stance = planner.other_foot(swing.swing_foot)
    s = planner.measure(q, v)
    s["heading"] = 0.0
    s["feet"][stance] = (s["feet"][stance][0] + [0.2, 0.0, rise], s["feet"][stance][1])
    s["com"] = np.array([com_x, 0.0, planner.com_height])
    start = swing.t_start
    for k in range(40):
        t = planner.gait.next_swing(0.0).t_start - 0.01
        planner._wait_for_dcm_over_stance(t, s, (0.3, 0.0))
    delay = planner.gait.next_swing(0.0).t_start - start
    assert delay == pytest.approx(planner.params.map_max_wait_s if waits else 0.0, abs=1e-9)
    assert planner.map_waits == (15 if waits else 0)


class _Planned(Exception):
    """Raised by a stub footstep planner: the step-timing adaptation went on to plan."""


@pytest.mark.parametrize("cmd, speed_error, miss, plans", [
    ((0.0, 0.25, 0.0), 0.3, 0.08, False),   # mostly sideways, steady: the timing is kept
    ((0.0, -0.25, 0.0), 0.3, 0.1, False),
    ((-0.2, -0.25, 0.0), 0.3, 0.0, False),  # diagonal, more sideways than forward: kept
    ((0.0, 0.25, 0.0), 0.5, 0.0, True),     # shoved (off by more than the speed gate): adapted
    ((0.0, 0.25, 0.0), 0.3, 0.18, True),    # shoved along the walk (the step misses by more): adapted
    ((0.3, 0.1, 0.0), 0.3, 0.0, True),      # mostly forward: adapted as always
    ((0.0, 0.03, 0.0), 0.3, 0.0, True),     # below SIDEWAYS_MPS: not walking sideways
])
def test_walking_mostly_sideways_the_step_timing_is_adapted_only_when_shoved(humanoid, cmd, speed_error, miss, plans):
    """LocomotionParams.sideways_timing_gate_mps (0.4 m/s) and sideways_timing_gate_m (0.12 m):
    steady sideways walking keeps its steps' timing (landing the trailing foot sooner threw the
    gait into a four-step lurch, 0.194 of 0.25 m/s); the timing is adapted as before when the CoM
    is off the command, when the planned step misses the DCM law's landing by more than steady
    walking does, or when the command is mostly forward."""
    planner = LocomotionPlanner(humanoid)
    t, swing = _walk_to_single_support(humanoid, planner)
    s = planner.measure(humanoid.nominal_configuration(), np.zeros(humanoid.nv))
    s["heading"] = 0.0
    direction = np.array(cmd[:2]) / max(np.linalg.norm(cmd[:2]), 1e-9)
    s["com_velocity"] = s["com_velocity"].copy()
    s["com_velocity"][:2] = np.array(cmd[:2]) + speed_error * direction

    def stub(*args, **kwargs):
        raise _Planned
    planner.footsteps.plan = stub
    planner._planned_miss_m = lambda *args: miss  # [m] what the planned step misses by
    before, phases = planner.retimed_steps, list(planner.gait.phases)
    if plans:
        with pytest.raises(_Planned):
            planner._adapt_step_timing(t + 0.01, s, cmd)
    else:
        planner._adapt_step_timing(t + 0.01, s, cmd)
        assert planner.retimed_steps == before and planner.gait.phases == phases


def test_the_planned_miss_is_what_the_step_lacks_of_the_dcm_laws_landing(humanoid):
    """_planned_miss_m: the norm of the footstep planner's shortfall for the step as planned."""
    planner = LocomotionPlanner(humanoid)
    t, swing = _walk_to_single_support(humanoid, planner)
    s = planner.measure(humanoid.nominal_configuration(), np.zeros(humanoid.nv))
    s["heading"] = 0.0
    other = planner.other_foot(swing.swing_foot)

    def miss():
        return planner._planned_miss_m(t, s, (0.0, 0.2, 0.0), swing, planner.dcm_xy(s), planner.step_period_after(swing),
                                       s["feet"][other][0][:2], s["feet"][other][1])
    assert miss() == pytest.approx(0.0, abs=1e-9)  # at rest: reachable
    s["com_velocity"] = s["com_velocity"].copy()
    toward_stance = np.sign(s["feet"][other][0][1] - s["feet"][swing.swing_foot][0][1])
    s["com_velocity"][1] = 1.5 * toward_stance  # [m/s] the DCM runs far past the stance foot: the step cannot cross
    assert miss() > 0.12


def test_a_robot_lying_on_the_floor_counts_no_stumbles_no_uneven_ground_and_no_shoves(humanoid):
    # a fallen run reported 41 stumbles, counted while it lay on the floor (session 35)
    planner = LocomotionPlanner(humanoid)
    q, v = _standing_state(humanoid, (0.3, 0.0))
    standing = planner.measure(q, v)
    assert not planner.is_down(standing)
    # the CoM 25 cm lower over the same feet: a deep crouch, not down
    assert not planner.is_down(dict(standing, com=standing["com"] - [0.0, 0.0, 0.25]))
    lying = q.copy()
    lying[3:7] = pin.Quaternion(pin.rpy.rpyToMatrix(0.0, 1.4, 0.0)).coeffs()  # pitched 80° forward
    lying[2] = 0.2
    down = planner.measure(lying, v)
    assert planner.is_down(down)
    # a swing foot tilted 29°, walking as commanded: a stumble when up, nothing when down
    t = 0.0
    while planner.gait.phase_at(t).swing_foot is None or t < 0.2:
        planner.update(t, q, v, (0.3, 0.0, 0.0))
        t = round(t + 0.01, 2)
    planner.update(t + 0.02, q, v, (0.3, 0.0, 0.0))
    foot = planner.gait.phase_at(t).swing_foot
    fid = humanoid.foot_frame_ids[foot]
    down = planner.measure(lying, v)
    planner.data.oMf[fid] = pin.SE3(pin.rpy.rpyToMatrix(0.0, 0.5, 0.0), planner.data.oMf[fid].translation.copy())
    down["com_velocity"][:2] = (0.3, 0.0)  # as commanded, so only being down stops the reflex
    planner._catch_stumble(t + 0.03, down, (0.3, 0.0))
    planner._sense_uneven_ground(t + 0.03, down, 0.3, 0.0)
    assert planner.stumbles == 0 and planner.uneven_detections == 0
    planner._catch_stumble(t + 0.03, standing, (0.3, 0.0))
    assert planner.stumbles == 1  # the same tilt standing up is one


def test_after_a_controlled_stop_a_plan_swinging_a_loaded_foot_is_re_phased_to_the_feet(humanoid):
    """The driver held the joints (held=True) while the steps went on: when control resumes
    with both feet down but the plan mid-swing, a new step begins from the measured contacts;
    a plan that agrees with the feet keeps its steps."""
    planner = LocomotionPlanner(humanoid)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    t = 0.0
    for t in np.arange(0.0, 0.3, 0.01):
        planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    for t in np.arange(0.3, 0.6, 0.01):
        planner.update(float(t), q, v, (0.3, 0.0, 0.0), held=True)
    resume = 0.6
    swinging = planner.gait.phase_at(resume).swing_foot
    assert swinging is not None  # the plan is mid-swing ...
    planner.update(resume, q, v, (0.3, 0.0, 0.0), contacts={"left": True, "right": True})  # ... both feet down
    assert planner.counters()["resyncs"] == 1
    now = planner.gait.phase_at(resume + 0.01)
    assert now.swing_foot is None and now.t_start == pytest.approx(resume)  # the shortest double support first
    assert planner.gait.phase_at(resume + planner.params.min_double_support_s + 0.01).swing_foot is not None
    agreeing = LocomotionPlanner(humanoid)
    for t in np.arange(0.0, 0.3, 0.01):
        agreeing.update(float(t), q, v, (0.3, 0.0, 0.0))
    agreeing.update(0.3, q, v, (0.3, 0.0, 0.0), held=True)
    planned = agreeing.gait.phase_at(0.31).swing_foot
    down = {f: f != planned for f in agreeing.feet}
    agreeing.update(0.31, q, v, (0.3, 0.0, 0.0), contacts=down)
    assert agreeing.counters()["resyncs"] == 0


@pytest.mark.parametrize("com_speed, raised", [(0.3, False), (0.8, True)], ids=["as-commanded", "shoved"])
def test_shoved_the_footholds_are_planned_at_the_stance_foots_height(humanoid, com_speed, raised):
    """LocomotionParams.shove_footholds_speed_error_mps (0.3 m/s): the CoM 0.5 m/s off a 0.3-m/s
    command plans its landings at the stance foot's height (on a ramp the capture steps met the
    ground early or late), for shove_hold_s; walking as commanded they stay at z = 0 (blind)."""
    planner = LocomotionPlanner(humanoid)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    q[2] += 0.1  # [m] the robot stands 10 cm up (on a ramp's ground, blind)
    t = 0.0
    for t in np.arange(0.0, 0.18, 0.01):
        plan = planner.update(float(t), q, v, (0.3, 0.0, 0.0))
    v[0] = com_speed
    plan = planner.update(float(t) + 0.01, q, v, (0.3, 0.0, 0.0))
    heights = [f.position[2] for f in plan.footholds]
    assert heights
    assert heights == pytest.approx([0.1] * len(heights) if raised else [0.0] * len(heights), abs=0.01)
    if raised:
        assert planner.shove_footholds_until == pytest.approx(t + 0.01 + planner.params.shove_hold_s)
        v[0] = 0.3  # back on the command: the hold goes on, then the landings return to z = 0
        assert all(f.position[2] > 0.09 for f in planner.update(float(t) + 0.5, q, v, (0.3, 0.0, 0.0)).footholds)
        assert all(abs(f.position[2]) < 0.01 for f in planner.update(float(t) + 1.5, q, v, (0.3, 0.0, 0.0)).footholds)
