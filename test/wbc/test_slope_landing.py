"""Blind landings on a ramp (humanoid_control/wbc/slope_landing.py), without a simulator: the
swing sole takes the stance sole's tilt only walking up a uniform ramp."""
import math

import numpy as np
import pytest

from humanoid_control.errors import ParameterRangeError
from humanoid_control.wbc.slope_landing import SlopeLanding, angle_between_deg, ground_tilt, tilt_angle_deg


def _rz(a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _ry(a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _sole_on_ramp(slope_deg, heading=0.0, ramp_heading=0.0):
    """world_R_sole of a sole facing ``heading`` [rad] on a ramp rising by ``slope_deg`` towards
    ``ramp_heading`` [rad] (its normal leans back, against the rise)."""
    ground = _rz(ramp_heading) @ _ry(-math.radians(slope_deg)) @ _rz(-ramp_heading)
    return ground @ _rz(heading)


def _walked_onto(ramp, velocity_xy=(0.3, 0.0)):
    """A SlopeLanding whose previous swing (the right foot's) lifted off ``ramp`` too."""
    s = SlopeLanding()
    s.landing_tilt("right", ramp, ramp, velocity_xy)
    s.stance("right")
    s.landings_tilted = 0
    return s


def test_the_ground_tilt_is_the_smallest_rotation_taking_world_z_onto_the_normal():
    for normal in ([0.1, 0.0, 1.0], [-0.2, 0.3, 1.0], [0.0, 0.0, 1.0], [0.0, -0.5, 1.0]):
        n = np.array(normal) / np.linalg.norm(normal)
        G = ground_tilt(n)
        np.testing.assert_allclose(G @ G.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(G) == pytest.approx(1.0)
        np.testing.assert_allclose(G[:, 2], n, atol=1e-12)
        # about a horizontal axis: the axis of rotation has no z component
        axis = np.array([G[2, 1] - G[1, 2], G[0, 2] - G[2, 0], G[1, 0] - G[0, 1]])
        assert abs(axis[2]) < 1e-12
        assert tilt_angle_deg(n) == pytest.approx(angle_between_deg(n, [0.0, 0.0, 1.0]))


def test_walking_up_a_10_degree_ramp_the_swing_sole_lands_parallel_to_the_stance_sole():
    stance = _sole_on_ramp(10.0)
    s = _walked_onto(stance)
    G = s.landing_tilt("left", stance, stance, (0.3, 0.0))
    assert G is not None
    for yaw in (0.0, 0.3, -0.2):  # whatever the swing's own yaw, its sole's normal is the ramp's
        ref = G @ _rz(yaw)
        np.testing.assert_allclose(ref[:, 2], stance[:, 2], atol=1e-12)
        assert math.degrees(math.atan2(ref[1, 0], ref[0, 0])) == pytest.approx(math.degrees(yaw), abs=0.5)  # heading ≈ yaw
    assert G[0, 2] < 0.0  # toe up: the sole's z axis leans back, against the rise
    assert s.landings_tilted == 1
    s.landing_tilt("left", stance, stance, (0.3, 0.0))
    assert s.landings_tilted == 1  # one swing, counted once


@pytest.mark.parametrize("heading_deg", [0.0, 35.0, 90.0, -120.0])
def test_up_a_ramp_that_rises_towards_where_the_robot_walks_in_any_heading_the_landing_tilts(heading_deg):
    h = math.radians(heading_deg)
    stance = _sole_on_ramp(8.0, heading=h, ramp_heading=h)
    v = (0.3 * math.cos(h), 0.3 * math.sin(h))
    G = _walked_onto(stance, v).landing_tilt("left", stance, stance, v)
    assert G is not None and tilt_angle_deg(G[:, 2]) == pytest.approx(8.0)


def test_walking_down_the_ramp_the_landing_stays_level():
    stance = _sole_on_ramp(10.0)
    assert _walked_onto(stance, (-0.3, 0.0)).landing_tilt("left", stance, stance, (-0.3, 0.0)) is None
    down = _sole_on_ramp(-10.0)
    assert _walked_onto(down).landing_tilt("left", down, down, (0.3, 0.0)) is None


def test_across_a_ramp_standing_still_or_on_level_ground_the_landing_stays_level():
    stance = _sole_on_ramp(10.0)
    s = _walked_onto(stance)
    assert s.landing_tilt("left", stance, stance, (0.0, 0.3)) is None  # along the ramp's contour
    assert s.landing_tilt("left", stance, stance, (0.01, 0.0)) is None  # too slow to know the travel
    level = _sole_on_ramp(3.0)
    assert _walked_onto(level).landing_tilt("left", level, level, (0.3, 0.0)) is None  # under min_tilt_deg
    assert s.landings_tilted == 0


def test_a_stance_sole_on_a_nosing_is_not_a_ramp():
    # blind stairs: the stance sole rests pitched 12-29 deg on a nosing, the swinging one lifted
    # off level from the tread below — the soles disagree
    nosing = _sole_on_ramp(12.0)
    assert _walked_onto(np.eye(3)).landing_tilt("left", np.eye(3), nosing, (0.3, 0.0)) is None
    steep = _sole_on_ramp(25.0)
    assert _walked_onto(steep).landing_tilt("left", steep, steep, (0.3, 0.0)) is None  # beyond max_tilt_deg


def test_on_rough_ground_two_soles_alike_after_a_third_unlike_them_are_not_a_ramp():
    bump = _sole_on_ramp(6.0)
    s = _walked_onto(_sole_on_ramp(6.0, ramp_heading=1.2))  # the foothold before leaned another way
    assert s.landing_tilt("left", bump, bump, (0.3, 0.0)) is None
    s.stance("left")
    assert s.landing_tilt("right", bump, bump, (0.3, 0.0)) is not None  # three in a row now: a ramp
    assert s.landings_tilted == 1


def test_the_lift_off_tilt_is_the_one_at_the_first_swing_tick_until_the_foot_stands_again():
    ramp = _sole_on_ramp(10.0)
    s = _walked_onto(ramp)
    assert s.landing_tilt("left", np.eye(3), ramp, (0.3, 0.0)) is None  # lifted off level
    # mid-swing the foot has turned with the ramp: still the level lift-off is what counts
    assert s.landing_tilt("left", ramp, ramp, (0.3, 0.0)) is None
    s.stance("left")
    assert s.landing_tilt("right", ramp, ramp, (0.3, 0.0)) is None  # the one before it was level
    s.stance("right")
    assert s.landing_tilt("left", ramp, ramp, (0.3, 0.0)) is not None  # three footholds on the ramp


def test_max_tilt_0_turns_the_landings_level_and_bad_bounds_are_refused():
    ramp = _sole_on_ramp(10.0)
    off = SlopeLanding(max_tilt_deg=0.0)
    for foot in ("right", "left", "right"):
        assert off.landing_tilt(foot, ramp, ramp, (0.3, 0.0)) is None
        off.stance(foot)
    with pytest.raises(ParameterRangeError, match="max_tilt_deg"):
        SlopeLanding(max_tilt_deg=60.0)
    with pytest.raises(ParameterRangeError, match="agree_deg"):
        SlopeLanding(agree_deg=-1.0)
