import numpy as np
import pytest

from humanoid_control.planning.swing_trajectory import (SwingProfile, SwingTrajectory, evaluate_polynomial,
                                                       quintic_coefficients)

START = np.array([0.0, 0.1, 0.0])
TARGET = np.array([0.3, 0.12, 0.0])


def test_the_swing_starts_at_lift_off_and_lands_on_the_target_at_rest():
    sw = SwingTrajectory(START, TARGET, t_start=1.0, duration=0.4, height=0.06)
    a, b = sw.evaluate(1.0), sw.evaluate(1.4)
    np.testing.assert_allclose(a.position, START, atol=1e-12)
    np.testing.assert_allclose(b.position, TARGET, atol=1e-12)
    np.testing.assert_allclose(a.velocity, 0.0, atol=1e-12)
    np.testing.assert_allclose(b.velocity, 0.0, atol=1e-12)  # zero relative velocity at touch-down
    np.testing.assert_allclose(b.acceleration, 0.0, atol=1e-9)


def test_the_apex_is_the_requested_height_at_mid_swing():
    sw = SwingTrajectory(START, TARGET, 0.0, 0.4, height=0.06)
    zs = [sw.evaluate(t).position[2] for t in np.linspace(0, 0.4, 401)]
    assert np.isclose(max(zs), 0.06, atol=1e-6) and np.isclose(sw.evaluate(0.2).position[2], 0.06)
    assert min(zs) >= -1e-12  # never below the ground


def test_velocity_and_acceleration_are_the_derivatives_of_position():
    sw = SwingTrajectory(START, TARGET, 0.0, 0.4, height=0.08, start_velocity=[0.2, 0.0, 0.1])
    eps = 1e-6
    for t in np.linspace(0.01, 0.39, 13):
        fd_v = (sw.evaluate(t + eps).position - sw.evaluate(t - eps).position) / (2 * eps)
        fd_a = (sw.evaluate(t + eps).velocity - sw.evaluate(t - eps).velocity) / (2 * eps)
        np.testing.assert_allclose(sw.evaluate(t).velocity, fd_v, atol=1e-5)
        np.testing.assert_allclose(sw.evaluate(t).acceleration, fd_a, atol=1e-3)


def test_a_late_touch_down_keeps_reaching_down_gently_and_bounded():
    sw = SwingTrajectory(START, TARGET, 0.0, 0.4, height=0.06, late_descent_speed=0.1, max_late_descent=0.03)
    late = sw.evaluate(0.5)
    assert late.phase > 1.0
    assert np.isclose(late.position[2], -0.01) and np.isclose(late.velocity[2], -0.1)
    assert np.isclose(sw.evaluate(2.0).position[2], -0.03) and sw.evaluate(2.0).velocity[2] == 0.0
    np.testing.assert_allclose(late.position[:2], TARGET[:2])


def test_retargeting_mid_swing_is_continuous_and_lands_on_the_new_target_at_the_same_time():
    sw = SwingTrajectory(START, TARGET, 0.0, 0.4, height=0.06)
    new_target = np.array([0.4, 0.2, 0.0])
    re = sw.retarget(0.15, new_target)
    a, b = sw.evaluate(0.15), re.evaluate(0.15)
    np.testing.assert_allclose(a.position, b.position, atol=1e-12)
    np.testing.assert_allclose(a.velocity, b.velocity, atol=1e-9)
    np.testing.assert_allclose(a.acceleration, b.acceleration, atol=1e-6)
    end = re.evaluate(0.4)
    np.testing.assert_allclose(end.position, new_target, atol=1e-12)
    np.testing.assert_allclose(end.velocity, 0.0, atol=1e-9)


def test_quintic_meets_all_six_boundary_conditions():
    c = quintic_coefficients(1.0, -0.5, 2.0, 3.0, 0.25, -1.0, 0.7)
    p0, v0, a0 = evaluate_polynomial(c, 0.0)
    p1, v1, a1 = evaluate_polynomial(c, 0.7)
    np.testing.assert_allclose([p0[0], v0[0], a0[0], p1[0], v1[0], a1[0]], [1.0, -0.5, 2.0, 3.0, 0.25, -1.0], atol=1e-9)


@pytest.mark.parametrize("kwargs", [{"duration": 0.0}, {"height": -0.01}])
def test_invalid_swing_parameters_are_refused(kwargs):
    args = dict(start=START, target=TARGET, t_start=0.0, duration=0.4, height=0.05)
    args.update(kwargs)
    with pytest.raises(ValueError, match=list(kwargs)[0] if "duration" in kwargs else "height"):
        SwingTrajectory(**args)


def test_retargeting_keeps_the_apex_and_blends_a_new_landing_height():
    sw = SwingTrajectory(START, TARGET, 0.0, 0.4, height=0.06)
    re = sw
    for t in np.arange(0.01, 0.24, 0.01):  # retargeted every 10 ms, as the planner does
        re = re.retarget(float(t), TARGET + np.array([0.1 * t, 0.0, 0.0]))
    assert re.evaluate(0.24).position[2] > 0.05  # still near the apex
    high = re.retarget(0.25, np.array([0.35, 0.12, 0.04]))  # a step up
    np.testing.assert_allclose(high.evaluate(0.4).position, [0.35, 0.12, 0.04], atol=1e-9)
    np.testing.assert_allclose(high.evaluate(0.25).velocity, re.evaluate(0.25).velocity, atol=1e-9)


@pytest.mark.parametrize("t_retime", [0.05, 0.12, 0.2])
def test_retiming_mid_swing_is_continuous_and_lands_on_the_target_at_the_new_time(t_retime):
    tr = SwingTrajectory([0.0, 0.0, 0.0], [0.3, 0.1, 0.0], 0.0, 0.32, 0.06)
    new = tr.retime(t_retime, [0.35, 0.2, 0.0], 0.26)
    before, after = tr.evaluate(t_retime), new.evaluate(t_retime)
    for a, b in ((before.position, after.position), (before.velocity, after.velocity),
                 (before.acceleration, after.acceleration)):
        np.testing.assert_allclose(a, b, atol=1e-9)  # C2 at the switch
    end = new.evaluate(0.26)
    np.testing.assert_allclose(end.position, [0.35, 0.2, 0.0], atol=1e-9)
    np.testing.assert_allclose(end.velocity, 0.0, atol=1e-9)
    assert new.t_end == pytest.approx(0.26)
    heights = [new.evaluate(t).position[2] for t in np.linspace(t_retime, 0.26, 30)]
    assert min(heights) >= -1e-9  # never below the ground on the way
    if t_retime < 0.16:  # the apex was still ahead: the foot still clears the ground by a few cm
        assert max(heights) > 0.03


def test_a_fast_swing_retimed_to_land_very_soon_reports_how_far_it_passes_its_target():
    calm = SwingTrajectory([0.0, 0.0, 0.0], [0.3, 0.0, 0.0], 0.0, 0.3, 0.06)
    assert calm.horizontal_overshoot_m() == pytest.approx(0.0, abs=1e-9)  # from rest to rest: never past it
    # at mid-swing the foot moves at ~1.9 m/s: landing 1 cm further 80 ms later, or where it
    # is now, takes it past the landing spot and back
    rushed = calm.retime(0.15, [0.16, 0.0, 0.0], 0.23)
    assert rushed.horizontal_overshoot_m(0.15) > 0.02
    assert calm.retime(0.15, [0.15, 0.0, 0.0], 0.25).horizontal_overshoot_m(0.15) > 0.02


LIFT_FIRST = SwingProfile(lift_fraction=0.1, land_fraction=0.1, rise_fraction=0.35, fall_fraction=0.35)


@pytest.mark.parametrize("start_z, target_z", [(0.0, 0.0), (0.0, 0.05), (0.05, 0.0)])
def test_a_lift_first_swing_rises_before_it_travels_and_lands_from_above(start_z, target_z):
    # a toe 1 cm from a 5-cm riser: the foot is well up before it has moved 1 cm forward, and over
    # its landing spot before it comes down the last few centimetres
    sw = SwingTrajectory([0.0, 0.0, start_z], [0.24, 0.0, target_z], 0.0, 0.32, height=0.06, profile=LIFT_FIRST)
    states = [sw.evaluate(t) for t in np.linspace(0.0, 0.32, 321)]
    x = np.array([s.position[0] for s in states])
    z = np.array([s.position[2] for s in states])
    assert z[np.argmax(x > 0.01)] > start_z + 0.04  # (the classic swing: ~1.2 cm)
    assert z[np.argmax(x > 0.24 - 0.002)] > target_z + 0.025  # within 2 mm of the landing spot, still up
    assert min(z) >= min(start_z, target_z) - 1e-9
    np.testing.assert_allclose(states[-1].position, [0.24, 0.0, target_z], atol=1e-12)
    np.testing.assert_allclose(states[-1].velocity, 0.0, atol=1e-9)


@pytest.mark.parametrize("t", [0.01, 0.05, 0.15, 0.3])  # waiting, travelling, nearly done, done travelling
def test_a_lift_first_swing_is_continuous_and_retargets_without_a_jump(t):
    sw = SwingTrajectory(START, TARGET, 0.0, 0.32, height=0.06, profile=LIFT_FIRST)
    eps = 1e-6
    for tt in np.linspace(0.005, 0.315, 32):
        fd_v = (sw.evaluate(tt + eps).position - sw.evaluate(tt - eps).position) / (2 * eps)
        np.testing.assert_allclose(sw.evaluate(tt).velocity, fd_v, atol=1e-5)
    re = sw.retarget(t, TARGET + [0.05, 0.02, 0.01])
    a, b = sw.evaluate(t), re.evaluate(t)
    np.testing.assert_allclose(a.position, b.position, atol=1e-12)
    np.testing.assert_allclose(a.velocity, b.velocity, atol=1e-9)
    end = re.evaluate(0.32)
    expected = TARGET + [0.05, 0.02, 0.01] if t < 0.288 else np.array([*TARGET[:2], TARGET[2] + 0.01])
    np.testing.assert_allclose(end.position, expected, atol=1e-9)  # done travelling: lands where it is


@pytest.mark.parametrize("field, value", [("lift_fraction", 0.5), ("rise_fraction", 0.01), ("fall_fraction", 0.7)])
def test_a_swing_profile_outside_its_bounds_is_refused_by_name(field, value):
    from humanoid_control.errors import ParameterRangeError
    with pytest.raises(ParameterRangeError, match=field):
        SwingProfile(**{field: value}).validate()
