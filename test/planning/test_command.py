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
    lim = CommandLimiter((0.8, 0.3, 1.0), (1.0, 1.0, 2.0))
    lim.update(0.0, (0.0, 0.0, 0.0))
    v = lim.update(0.1, (2.0, -1.0, 0.0))
    np.testing.assert_allclose(v, [0.1, -0.1, 0.0])
    for k in range(2, 30):
        v = lim.update(0.1 * k, (2.0, -1.0, 0.0))
    np.testing.assert_allclose(v, [0.8, -0.3, 0.0])
    assert lim.clamped > 0
    np.testing.assert_allclose(lim.update(3.0, (np.nan, 0, 0)), [0.8 - 0.1, -0.3 + 0.1, 0.0])  # NaN -> stop, slewed


def test_backward_speed_has_its_own_limit():
    lim = CommandLimiter((0.8, 0.2, 0.5), (10.0, 10.0, 10.0), max_backward=0.4)
    lim.update(0.0, (0.0, 0.0, 0.0))
    np.testing.assert_allclose(lim.update(1.0, (-1.0, -1.0, -1.0)), [-0.4, -0.2, -0.5])
    np.testing.assert_allclose(lim.update(2.0, (1.0, 1.0, 1.0)), [0.8, 0.2, 0.5])
