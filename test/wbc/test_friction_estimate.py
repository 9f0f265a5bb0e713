"""FrictionEstimate: a sole whose sensor reads less friction than the QP asked is slipping."""
import numpy as np
import pytest

from humanoid_control.errors import ParameterRangeError
from humanoid_control.wbc.constraints.contact_wrench_cone import ContactWrenchCone, wrench_cone_matrix
from humanoid_control.wbc.friction_estimate import FrictionEstimate, FrictionEstimateParams, tangential_ratio

DT = 0.001
FEET = ("left", "right")
LEVEL = np.eye(3)


def wrench(fx, fy, fz):
    return np.array([fx, fy, fz, 0.0, 0.0, 0.0])


def run(fe, commanded, measured, ticks, rotations=None):
    rot = rotations or {f: LEVEL for f in FEET}
    for _ in range(ticks):
        mu = fe.update(commanded, rot, measured)
    return mu


def test_the_tangential_ratio_is_the_force_s_horizontal_over_its_normal_part():
    assert tangential_ratio([30.0, 40.0, 250.0]) == pytest.approx(0.2)
    assert tangential_ratio([10.0, 0.0, 0.0]) == 0.0  # no normal force: no ratio


def test_a_sensor_agreeing_with_the_command_keeps_the_configured_mu():
    fe = FrictionEstimate(0.5, FEET, DT)
    cmd = {"left": wrench(60.0, 20.0, 300.0)}
    assert run(fe, cmd, {"left": wrench(55.0, 22.0, 310.0)}, 500) == 0.5 and fe.slips == 0


def test_a_slip_held_for_twenty_ms_drops_mu_to_the_margin_times_the_measured_ratio():
    fe = FrictionEstimate(0.5, FEET, DT)
    cmd = {"left": wrench(120.0, 0.0, 300.0), "right": wrench(10.0, 0.0, 100.0)}  # asks 0.4 of the left sole
    meas = {"left": wrench(75.0, 0.0, 300.0), "right": wrench(10.0, 0.0, 100.0)}  # the floor gives 0.25
    assert run(fe, cmd, meas, 19) == 0.5  # 19 ms: not yet
    assert run(fe, cmd, meas, 1) == pytest.approx(0.9 * 0.25) and fe.slips == 1
    assert run(fe, cmd, meas, 20) == pytest.approx(0.9 * 0.25)  # never up on a slip


def test_an_unloaded_or_uncommanded_sole_tells_nothing():
    fe = FrictionEstimate(0.5, FEET, DT)
    light = {"left": wrench(40.0, 0.0, 80.0)}  # below min_load_n
    assert run(fe, light, {"left": wrench(0.0, 0.0, 80.0)}, 100) == 0.5
    assert run(fe, {}, {"left": wrench(0.0, 0.0, 300.0)}, 100) == 0.5  # a swing sole: not in the solution


def test_the_commanded_force_is_read_in_the_sole_s_frame():
    # a sole on a 20-degree ramp: the world-aligned command is mostly the ramp's normal force
    a = np.radians(20.0)
    R = np.array([[np.cos(a), 0.0, np.sin(a)], [0.0, 1.0, 0.0], [-np.sin(a), 0.0, np.cos(a)]])  # pitched
    f_sole = np.array([30.0, 0.0, 300.0])  # asks 0.1 of the floor
    fe = FrictionEstimate(0.5, FEET, DT)
    mu = run(fe, {"left": np.concatenate([R @ f_sole, np.zeros(3)])}, {"left": wrench(30.0, 0.0, 300.0)}, 200,
             {"left": R, "right": LEVEL})
    assert mu == 0.5 and fe.slips == 0  # in world axes the ratio would read 0.44


def test_after_two_seconds_without_a_slip_mu_creeps_back_to_the_configured_one():
    fe = FrictionEstimate(0.5, FEET, DT)
    run(fe, {"left": wrench(120.0, 0.0, 300.0)}, {"left": wrench(60.0, 0.0, 300.0)}, 20)
    low = fe.mu
    assert low == pytest.approx(0.18)
    assert run(fe, {}, {}, 2000) == pytest.approx(low)  # 2 s: still held
    assert run(fe, {}, {}, 5000) == pytest.approx(low + 0.05 * 5.0, abs=1e-3)
    assert run(fe, {}, {}, 30000) == 0.5  # never above the configured one


def test_gap_zero_turns_the_estimate_off():
    fe = FrictionEstimate(0.5, FEET, DT, FrictionEstimateParams(gap=0.0))
    assert not fe.enabled
    assert run(fe, {"left": wrench(120.0, 0.0, 300.0)}, {"left": wrench(0.0, 0.0, 300.0)}, 100) == 0.5


@pytest.mark.parametrize("name, value", [("gap", 1.5), ("margin", 0.1), ("hold_s", 0.0), ("min_mu", 0.0)])
def test_out_of_range_settings_are_refused_by_name(name, value):
    with pytest.raises(ParameterRangeError, match=name):
        FrictionEstimateParams(**{name: value}).validate()


def test_the_wrench_cone_rebuilds_its_rows_for_a_new_mu():
    from humanoid_control.robot.model import RobotModel

    feet = RobotModel.load("humanoid").config.feet
    cone = ContactWrenchCone(feet, mu=0.5, mu_yaw=0.02)
    c = next(iter(feet))
    cone.set_mu(0.3, 0.012)
    f = feet[c]
    assert cone.mu == 0.3
    np.testing.assert_allclose(cone.U[c], wrench_cone_matrix(0.3, 0.85 * f.length / 2, 0.85 * f.width / 2, 0.012))
