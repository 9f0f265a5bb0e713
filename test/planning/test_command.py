import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.planning.command import CommandLimiter, parse_cmd_vel, scripted_command_at


def test_scripted_commands_are_piecewise_constant_from_their_start_times():
    script = [parse_cmd_vel("1:0.5,0,0"), parse_cmd_vel("3:0,0,0.4")]
    assert scripted_command_at(script, 0.5) == (0.0, 0.0, 0.0)
    assert scripted_command_at(script, 1.0) == (0.5, 0.0, 0.0)
    assert scripted_command_at(script, 5.0) == (0.0, 0.0, 0.4)


@pytest.mark.parametrize("bad", ["1:0.5,0", "x:0,0,0", "-1:0,0,0", "1:nan,0,0"])
def test_a_malformed_command_names_the_expected_form(bad):
    with pytest.raises(ConfigError, match="T:VX,VY,WZ"):
        parse_cmd_vel(bad)


def test_the_limiter_clamps_speed_and_slews_at_the_acceleration_limit():
    lim = CommandLimiter((0.8, 0.3, 1.0), (1.0, 1.0, 2.0), envelope="box")
    lim.update(0.0, (0.0, 0.0, 0.0))
    v = lim.update(0.1, (2.0, -1.0, 0.0))
    np.testing.assert_allclose(v, [0.1, -0.1, 0.0])
    for k in range(2, 30):
        v = lim.update(0.1 * k, (2.0, -1.0, 0.0))
    np.testing.assert_allclose(v, [0.8, -0.3, 0.0])
    assert lim.clamped > 0
    np.testing.assert_allclose(lim.update(3.0, (np.nan, 0, 0)), [0.8 - 0.1, -0.3 + 0.1, 0.0])  # NaN -> stop, slewed


def test_backward_speed_has_its_own_limit():
    lim = CommandLimiter((0.8, 0.2, 0.5), (10.0, 10.0, 10.0), max_backward=0.4, envelope="box")
    lim.update(0.0, (0.0, 0.0, 0.0))
    np.testing.assert_allclose(lim.update(1.0, (-1.0, -1.0, -1.0)), [-0.4, -0.2, -0.5])
    np.testing.assert_allclose(lim.update(2.0, (1.0, 1.0, 1.0)), [0.8, 0.2, 0.5])


def test_a_command_using_several_axes_is_scaled_into_the_ellipsoid_through_the_limits():
    lim = CommandLimiter((1.0, 0.4, 1.0), (1.0, 1.0, 2.0), max_backward=0.5)
    v = lim.limit((0.9, 0.0, 0.7))
    assert np.sum((v / [1.0, 0.4, 1.0]) ** 2) == pytest.approx(1.0)
    assert v[2] / v[0] == pytest.approx(0.7 / 0.9)  # the direction (the arc walked) is kept
    back = lim.limit((-0.5, -0.4, -1.0))  # backward: scaled against the backward limit
    np.testing.assert_allclose(back, np.array([-0.5, -0.4, -1.0]) / np.sqrt(3.0))
    np.testing.assert_allclose(lim.limit((0.6, 0.0, 0.8)), [0.6, 0.0, 0.8])  # on the ellipsoid: as given
    np.testing.assert_allclose(lim.limit((1.5, 0.0, 0.0)), [1.0, 0.0, 0.0])  # one axis: its limit


def test_the_box_envelope_limits_each_axis_alone():
    lim = CommandLimiter((1.0, 0.4, 1.0), (1.0, 1.0, 2.0), max_backward=0.5, envelope="box")
    np.testing.assert_allclose(lim.limit((0.9, 0.5, 0.7)), [0.9, 0.4, 0.7])


def test_a_zero_axis_limit_keeps_that_axis_at_zero_in_the_ellipsoid():
    lim = CommandLimiter((1.0, 0.0, 1.0), (1.0, 1.0, 2.0))
    v = lim.limit((0.6, 0.3, 0.8))
    np.testing.assert_allclose(v, [0.6, 0.0, 0.8])


def test_the_limiter_counts_a_command_scaled_by_the_ellipsoid_as_clamped():
    lim = CommandLimiter((1.0, 0.4, 1.0), (10.0, 10.0, 20.0))
    lim.update(0.0, (0.9, 0.0, 0.7))
    assert lim.clamped == 1
    lim.update(0.1, (0.5, 0.0, 0.5))
    assert lim.clamped == 1


def test_an_unknown_envelope_names_the_valid_ones():
    with pytest.raises(ConfigError, match="ellipsoid, box"):
        CommandLimiter((1.0, 0.4, 1.0), (1.0, 1.0, 2.0), envelope="circle")
