import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from humanoid_control.errors import ConfigError
from humanoid_control.planning.footstep_planner import FootstepParams, FootstepPlanner

P = FootstepParams()


def _corners(xy, yaw, length, width):
    c, s = math.cos(yaw), math.sin(yaw)
    R = np.array([[c, -s], [s, c]])
    return np.array([xy + R @ [sx * length / 2, sy * width / 2] for sx in (-1, 1) for sy in (-1, 1)])


def _rectangles_overlap(a, b) -> bool:
    """Separating-axis test for two convex quadrilaterals given by their corners."""
    for poly in (a, b):
        hull = poly[[0, 1, 3, 2]]
        for i in range(4):
            edge = hull[(i + 1) % 4] - hull[i]
            axis = np.array([-edge[1], edge[0]])
            pa, pb = a @ axis, b @ axis
            if pa.max() < pb.min() or pb.max() < pa.min():
                return False
    return True


finite = dict(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(foot=st.sampled_from(["left", "right"]),
       com=st.tuples(st.floats(-2, 2, **finite), st.floats(-2, 2, **finite)),
       vel=st.tuples(st.floats(-3, 3, **finite), st.floats(-3, 3, **finite)),
       base_yaw=st.floats(-math.pi, math.pi, **finite),
       cmd=st.tuples(st.floats(-1.5, 1.5, **finite), st.floats(-1, 1, **finite), st.floats(-2, 2, **finite)),
       stance=st.tuples(st.floats(-2, 2, **finite), st.floats(-2, 2, **finite)),
       stance_yaw=st.floats(-math.pi, math.pi, **finite))
def test_planned_feet_never_overlap_cross_or_leave_the_reach_of_the_stance_foot(foot, com, vel, base_yaw, cmd,
                                                                                 stance, stance_yaw):
    planner = FootstepPlanner(P)
    step = planner.plan(foot, 0.0, 0.4, 0.5, com, vel, base_yaw, cmd, stance, stance_yaw)
    swing = _corners(step.position[:2], step.yaw, P.foot_length_m, P.foot_width_m)
    support = _corners(np.array(stance), stance_yaw, P.foot_length_m, P.foot_width_m)
    assert not _rectangles_overlap(swing, support)
    c, s = math.cos(stance_yaw), math.sin(stance_yaw)
    rel = np.array([[c, s], [-s, c]]) @ (step.position[:2] - np.array(stance))
    side = 1.0 if foot == "left" else -1.0
    assert side * rel[1] >= P.foot_width_m + P.clearance_m - 1e-9  # on its own side: feet never cross
    assert side * rel[1] <= P.max_width_m + 1e-9
    assert -P.max_backward_m - 1e-9 <= rel[0] <= P.max_forward_m + 1e-9
    rel_yaw = (step.yaw - stance_yaw + math.pi) % (2 * math.pi) - math.pi
    assert abs(rel_yaw) <= P.max_yaw_step_rad + 1e-9


def _lipm_walk(planner, cmd, steps, c0=(0.0, -0.06), v0=(0.0, 0.0), T=0.4):
    """Closed loop on the linear inverted pendulum: pivot on the stance foot for a step
    period, land the swing foot where the planner says, swap. Starts with the CoM shifted
    over the right (stance) foot, as the double support before the first step leaves it."""
    w = planner.params.omega
    c, v = np.array(c0, float), np.array(v0, float)
    feet = {"left": np.array([0.0, 0.1]), "right": np.array([0.0, -0.1])}
    stance, swing = "right", "left"
    log = []
    for _ in range(steps):
        step = planner.plan(swing, 0.0, T, T, c, v, 0.0, cmd, feet[stance], 0.0)
        p = feet[stance]
        ch, sh = math.cosh(w * T), math.sinh(w * T)
        c, v = p + (c - p) * ch + v / w * sh, (c - p) * w * sh + v * ch
        feet[swing] = step.position[:2]
        log.append((swing, step.position[:2].copy(), c.copy()))
        stance, swing = swing, stance
    return log


def test_on_the_pendulum_the_planner_walks_at_the_commanded_speed_with_alternating_feet():
    planner = FootstepPlanner(P)
    log = _lipm_walk(planner, (0.4, 0.0, 0.0), 16)
    xs = np.array([c[0] for _, _, c in log])
    speed = (xs[-1] - xs[-7]) / (6 * 0.4)
    assert speed == pytest.approx(0.4, rel=0.05)
    last = {foot: pos for foot, pos, _ in log[-2:]}
    assert last["left"][1] - last["right"][1] == pytest.approx(P.nominal_width_m, abs=0.01)


def test_on_the_pendulum_a_push_is_caught_within_a_few_steps():
    planner = FootstepPlanner(P)
    log = _lipm_walk(planner, (0.0, 0.0, 0.0), 8, v0=(0.25, 0.1))  # pushed forward and sideways (within reach)
    c_end = [c for _, _, c in log[-3:]]
    assert np.linalg.norm(c_end[-1] - c_end[-2]) < 0.01  # come to rest (stepping in place)
    assert abs(log[-1][1][0] - log[-2][1][0]) < 0.01  # feet side by side again


def test_turning_left_the_left_foot_leads_and_the_right_foot_follows():
    planner = FootstepPlanner(P)
    left = planner.plan("left", 0.0, 0.4, 0.5, (0, 0), (0, 0), 0.0, (0, 0, 0.8), (0.0, -0.1), 0.0)
    assert left.yaw > 0.1
    right = planner.plan("right", 0.0, 0.4, 0.5, (0, 0), (0, 0), 0.0, (0, 0, 0.8), (0.0, 0.1), 0.3)
    assert right.yaw == pytest.approx(0.3)  # follows: parallel to the left foot, never turned inward past it
    outward = planner.make_feasible("right", (0.0, -0.2), -0.3, (0.0, 0.0), 0.0)
    assert outward.yaw == pytest.approx(-0.3)  # the right foot leads a right turn


def test_inconsistent_footstep_parameters_are_named():
    with pytest.raises(ConfigError, match="nominal_width_m"):
        FootstepPlanner(FootstepParams(nominal_width_m=0.1))
    with pytest.raises(ConfigError, match="valid feet"):
        FootstepPlanner(P).side_sign("middle")


def test_walking_sideways_widens_the_stance_so_the_trailing_step_keeps_the_minimum_distance():
    planner = FootstepPlanner(P)
    T = 0.4
    for vy in (0.05, 0.1, 0.2, 0.3, -0.3):
        width = planner.stance_width(vy, T)
        assert width >= P.nominal_width_m
        assert width - abs(vy) * T >= P.min_lateral_m(0.0) + P.lateral_margin_m - 1e-12
    assert planner.stance_width(0.0, T) == max(P.nominal_width_m, P.min_lateral_m(0.0) + P.straight_margin_m)


@pytest.mark.parametrize("wz", [0.5, 1.0, -1.0, 2.0])
def test_turning_widens_the_stance_so_the_feet_turned_about_their_middle_keep_the_clearance(wz):
    planner = FootstepPlanner(P)
    T = 0.4
    width = planner.stance_width(0.0, T, wz)
    assert width >= planner.stance_width(0.0, T)
    # the foot leading the turn is a whole cycle's turn ahead in yaw (at most the per-step limit)
    turn = math.copysign(min(2 * abs(wz) * T, P.max_yaw_step_rad), wz)
    middle = np.zeros(2)
    leading, following = ("left", "right") if wz > 0 else ("right", "left")
    sign = planner.side_sign(leading)
    lead_xy = middle + width / 2 * np.array([-math.sin(turn) * sign, math.cos(turn) * sign])
    follow_xy = middle - width / 2 * np.array([0.0, sign])
    gap = _gap_between_soles(_sole_corners(lead_xy, turn, P.foot_length_m, P.foot_width_m),
                             _sole_corners(follow_xy, 0.0, P.foot_length_m, P.foot_width_m))
    assert gap >= P.clearance_m - 1e-9
    # and so the step turned about the middle is not pushed outwards by the minimum distance
    step = planner.make_feasible(leading, lead_xy, turn, follow_xy, 0.0)
    np.testing.assert_allclose(step.position[:2], lead_xy, atol=1e-12)
    assert planner.stance_width(0.0, T, 0.05) == planner.stance_width(0.0, T)  # a slow turn keeps the nominal width


def test_straight_walking_keeps_steps_narrower_than_the_reach_and_sideways_walking_and_capture_steps_may_use_it():
    params = FootstepParams(nominal_width_m=0.18, max_width_m=0.45, width_slack_m=0.22)
    planner = FootstepPlanner(params)
    T = 0.4
    assert planner.width_limit(0.0, T) == pytest.approx(0.18 + 0.22)
    assert planner.width_limit(0.2, T) == pytest.approx(0.45)  # the gait's own leading step is 0.34 m
    # a step wished 2 cm beyond the straight-walking limit stays at the limit (the reserve is kept)...
    wish = planner.plan("left", 0.0, 0.3, T, (0.0, 0.3), (0.0, 0.0), 0.0, (0.0, 0.0, 0.0), (0.0, 0.0), 0.0)
    com_y = 0.3 + (0.42 - (wish.position[1] + wish.shortfall_m[1])) / math.exp(params.omega * 0.3)
    step = planner.plan("left", 0.0, 0.3, T, (0.0, com_y), (0.0, 0.0), 0.0, (0.0, 0.0, 0.0), (0.0, 0.0), 0.0)
    assert step.position[1] == pytest.approx(0.40) and step.shortfall_m[1] == pytest.approx(0.02, abs=1e-6)
    # ...but a capture step far to the left uses the legs' reach
    step = planner.plan("left", 0.0, 0.3, T, (0.0, 0.3), (0.0, 0.5), 0.0, (0.0, 0.0, 0.0), (0.0, 0.0), 0.0)
    assert step.position[1] == pytest.approx(0.45)
    step = planner.plan("left", 0.0, 0.3, T, (0.0, 0.3), (0.0, 0.5), 0.0, (0.0, 0.2, 0.0), (0.0, 0.0), 0.0)
    assert step.position[1] == pytest.approx(0.45)
    # the limit never undercuts the minimum distance of the soles
    tight = FootstepPlanner(FootstepParams(nominal_width_m=0.18, width_slack_m=0.0))
    assert tight.width_limit(0.0, T) >= tight.params.min_lateral_m(0.0)


def test_the_dcm_offset_is_where_the_planner_puts_the_dcm_relative_to_the_landing_foot():
    planner = FootstepPlanner(P)
    cmd, T = (0.3, 0.05, 0.0), 0.4
    com, vel = np.array([0.02, -0.05]), np.array([0.3, 0.05])
    step = planner.plan("left", 0.0, 0.3, T, com, vel, 0.0, cmd, (0.0, -0.1), 0.0)
    w = P.omega
    dcm_td = np.array([0.0, -0.1]) + (com + vel / w - np.array([0.0, -0.1])) * math.exp(w * 0.3)
    np.testing.assert_allclose(step.position[:2] + planner.dcm_offset("left", cmd, T, 0.0), dcm_td, atol=1e-9)


def test_a_clamped_step_reports_what_it_misses_and_a_capture_step_may_use_the_full_reach():
    planner = FootstepPlanner(FootstepParams(nominal_width_m=0.18, max_width_m=0.6, width_slack_m=0.22))
    # the DCM far out to the left of the right (stance) foot: the left foot must step wide
    step = planner.plan("left", 0.0, 0.3, 0.4, (0.0, 0.3), (0.0, 0.5), 0.0, (0.0, 0.0, 0.0), (0.0, -0.09), 0.0)
    lateral = step.position[1] + 0.09
    assert lateral > 0.18 + 0.22 + 1e-6  # wider than the gait's width limit (0.40)
    assert lateral <= 0.6 + 1e-9  # never beyond the legs' reach
    assert step.shortfall_m.shape == (2,)
    assert step.shortfall_m[1] > 0.0  # the wish lies further left than the reach
    easy = planner.plan("left", 0.0, 0.3, 0.4, (0.0, 0.0), (0.0, 0.0), 0.0, (0.0, 0.0, 0.0), (0.0, -0.09), 0.0)
    np.testing.assert_allclose(easy.shortfall_m, 0.0, atol=1e-12)  # standing still: nothing clamped


def test_a_step_far_forward_and_far_out_is_pulled_inside_the_legs_elliptic_reach():
    params = FootstepParams(nominal_width_m=0.18, max_width_m=0.6, max_forward_m=0.35, max_backward_m=0.35)
    planner = FootstepPlanner(params)
    # pure reaches stay: straight ahead at full length, straight out at full width
    ahead = planner.make_feasible("right", (0.5, -0.18), 0.0, (0.0, 0.0), 0.0)
    assert ahead.position[0] == pytest.approx(0.35) and ahead.position[1] == pytest.approx(-0.18)
    out = planner.make_feasible("right", (0.0, -0.8), 0.0, (0.0, 0.0), 0.0)
    assert out.position[1] == pytest.approx(-0.6)
    # the box's corner (0.35 ahead and 0.6 out) is beyond the ellipse: pulled in, on it
    corner = planner.make_feasible("right", (0.5, -0.8), 0.0, (0.0, 0.0), 0.0)
    ex = corner.position[0] / 0.35
    ey = (-corner.position[1] - 0.18) / (0.6 - 0.18)
    assert ex ** 2 + ey ** 2 == pytest.approx(1.0)
    assert np.linalg.norm(corner.shortfall_m) > 0.2  # and says how far the wish was


def _landing_beside_a_dcm_held_on_the_midline(sway_share: float, dcm_error_y: float = 0.0):
    """The left foot's landing when the DCM at touch-down sits on the midline of a 0.18-m stance
    (a CoM held from swaying), plus ``dcm_error_y`` [m] sideways: (landing y [m], step)."""
    planner = FootstepPlanner(FootstepParams(nominal_width_m=0.18, sway_share=sway_share))
    # the DCM now at the stance foot's lateral position + a: it reaches 0 + error at touch-down
    w, dt = planner.params.omega, 0.3
    stance_y = -0.09
    xi_y = stance_y + (dcm_error_y - stance_y) * math.exp(-w * dt)
    step = planner.plan("left", 0.0, dt, 0.4, (0.0, xi_y), (0.0, 0.0), 0.0, (0.3, 0.0, 0.0), (0.0, stance_y), 0.0)
    return float(step.position[1]), step


def test_the_pendulums_full_sway_wants_the_feet_together_under_a_dcm_held_on_the_midline_and_is_clamped():
    y, step = _landing_beside_a_dcm_held_on_the_midline(1.0)
    assert y - (-0.09) == pytest.approx(P.min_lateral_m(0.0))  # at the soles' minimum distance
    assert step.shortfall_m[1] < -0.01  # the law wanted the foot further in
    y_err, _ = _landing_beside_a_dcm_held_on_the_midline(1.0, dcm_error_y=-0.02)
    assert y_err == pytest.approx(y)  # a DCM error inwards moves nothing: no sideways feedback


def test_a_smaller_sway_share_lands_the_feet_apart_and_keeps_the_sideways_feedback_gain_of_one():
    for share in (0.0, 0.5):
        y, step = _landing_beside_a_dcm_held_on_the_midline(share)
        np.testing.assert_allclose(step.shortfall_m, 0.0, atol=1e-12)  # nothing clamped
        # b_y = w/2 − share · (w/2 − w/(e^{ωT}+1)) with the stance's straight width
        width = max(0.18, P.min_lateral_m(0.0) + P.straight_margin_m)
        grow = math.exp(P.omega * 0.4)
        assert y == pytest.approx(width / 2 - share * (width / 2 - width / (grow + 1.0)))
        for error in (-0.01, 0.03):  # the landing moves by the DCM's error, both ways
            y_err, _ = _landing_beside_a_dcm_held_on_the_midline(share, dcm_error_y=error)
            assert y_err - y == pytest.approx(error)


def test_the_sway_share_applies_to_walking_straight_and_turning_not_sideways_nor_to_capture_steps_and_is_checked():
    planner = FootstepPlanner(FootstepParams(sway_share=0.0))
    full = FootstepPlanner(P)
    for cmd in ((0.3, 0.2, 0.0), (0.0, -0.1, 0.5), (0.0, 0.0, 0.0)):  # sideways, standing: the pendulum's law
        np.testing.assert_allclose(planner.dcm_offset("left", cmd, 0.4, 0.0), full.dcm_offset("left", cmd, 0.4, 0.0))
    for cmd in ((0.3, 0.0, 0.0), (0.3, 0.0, 0.5), (0.0, 0.0, 0.5), (0.0, 0.0, -1.0)):  # straight, arcs, turning in place
        assert planner.dcm_offset("left", cmd, 0.4, 0.0)[1] != pytest.approx(full.dcm_offset("left", cmd, 0.4, 0.0)[1])
    with pytest.raises(ConfigError, match="sway_share"):
        FootstepParams(sway_share=1.5).validate()


def test_the_sway_share_rises_to_one_as_the_cadence_rises_to_its_fastest():
    planner = FootstepPlanner(FootstepParams(sway_share=0.5, sway_share_cadence_s=(0.4, 0.28)))
    assert planner.sway_share_at(0.5) == 0.5 and planner.sway_share_at(0.4) == 0.5
    assert planner.sway_share_at(0.34) == pytest.approx(0.75)
    assert planner.sway_share_at(0.28) == 1.0 and planner.sway_share_at(0.2) == 1.0
    assert FootstepPlanner(FootstepParams(sway_share=0.5)).sway_share_at(0.2) == 0.5  # no cadence given
    fast = (0.9, 0.0, 0.0)
    np.testing.assert_allclose(planner.dcm_offset("left", fast, 0.28, 0.0), FootstepPlanner(P).dcm_offset("left", fast, 0.28, 0.0))
    with pytest.raises(ConfigError, match="sway_share_cadence_s"):
        FootstepParams(sway_share_cadence_s=(0.28, 0.4)).validate()


def _sole_corners(centre, yaw, length, width):
    c, s = math.cos(yaw), math.sin(yaw)
    return [np.array(centre) + np.array([c * x - s * y, s * x + c * y])
            for x, y in ((length / 2, width / 2), (-length / 2, width / 2), (-length / 2, -width / 2), (length / 2, -width / 2))]


def _gap_between_soles(a, b):
    """Largest separation [m] of two convex polygons along their edge normals (> 0: apart)."""
    gap = -math.inf
    for poly in (a, b):
        for i in range(4):
            edge = poly[(i + 1) % 4] - poly[i]
            n = np.array([-edge[1], edge[0]]) / np.linalg.norm(edge)
            pa, pb = [float(n @ p) for p in a], [float(n @ p) for p in b]
            gap = max(gap, min(pb) - max(pa), min(pa) - max(pb))
    return gap


@pytest.mark.parametrize("yaw", [0.0, 0.1, 0.3, 0.5, 0.7, -0.4])
def test_soles_at_the_minimum_lateral_distance_keep_the_clearance_wherever_one_is_along_the_other(yaw):
    L, W, c = P.foot_length_m, P.foot_width_m, P.clearance_m
    stance = _sole_corners((0.0, 0.0), 0.0, L, W)
    gaps = [_gap_between_soles(stance, _sole_corners((dx, P.min_lateral_m(yaw)), yaw, L, W))
            for dx in np.linspace(-0.3, 0.3, 61)]
    assert min(gaps) >= c - 1e-9  # never closer than the clearance
    assert min(gaps) == pytest.approx(c, abs=1e-9)  # and no further than needed somewhere along it
