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


def test_steady_walking_steps_one_stride_ahead_of_the_stance_foot():
    planner = FootstepPlanner(P)
    v, T = 0.4, 0.5
    # CoM midway between the feet, moving at the commanded speed; right foot in stance at x = 0
    step = planner.plan("left", 0.0, 0.4, T, (0.0, 0.0), (v, 0.0), 0.0, (v, 0.0, 0.0), (0.0, -0.1), 0.0)
    assert step.position[0] == pytest.approx(v * 0.4 + v * T / 2)  # carried forward + half a stride
    assert step.position[1] == pytest.approx(P.nominal_width_m / 2)


def test_a_push_moves_the_step_into_the_push_by_the_capture_point_offset():
    planner = FootstepPlanner(P)
    still = planner.plan("left", 0.0, 0.3, 0.5, (0.0, 0.0), (0.0, 0.0), 0.0, (0, 0, 0), (0.0, -0.1), 0.0)
    pushed = planner.plan("left", 0.0, 0.3, 0.5, (0.0, 0.0), (0.3, 0.0), 0.0, (0, 0, 0), (0.0, -0.1), 0.0)
    expected = 0.3 * 0.3 + 0.3 / P.omega  # travelled until touch-down + capture-point offset
    assert pushed.position[0] - still.position[0] == pytest.approx(expected)


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
