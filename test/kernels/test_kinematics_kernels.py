"""The fall-check kinematics kernel agrees with its numpy twin and with Pinocchio."""
import math

import numpy as np
import pytest

from humanoid_control.kernels import kinematics as kernels
from humanoid_control.safety.fall_kinematics import FallKinematics
from twins import run_both


@pytest.mark.parametrize("seed", range(4))
def test_the_kernel_and_its_numpy_twin_give_the_same_tilt_and_height_for_revolute_and_prismatic_joints(seed):
    args = kernels.example_arguments(np.random.default_rng(seed))["fall_figures"]
    (_, a), (_, b) = run_both(kernels, "fall_figures", args)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert 0.0 < a[0] < 0.5 and math.isfinite(a[1])


def _random_quaternion(rng, max_angle):
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    angle = rng.uniform(0, max_angle)
    return np.concatenate([axis * math.sin(angle / 2), [math.cos(angle / 2)]])  # x, y, z, w


@pytest.mark.parametrize("robot", ["humanoid", "talos"])
def test_the_kernel_matches_pinocchio_at_random_postures_and_orientations(robot, request):
    model = request.getfixturevalue(robot)
    fall = FallKinematics(model)
    assert fall.uses_kernel
    rng = np.random.default_rng(11)
    for _ in range(50):
        q = rng.uniform(model.q_lower, model.q_upper)
        imu = _random_quaternion(rng, 2.0)
        tilt, height = fall.figures(q, imu)
        ref_tilt, ref_height = fall.figures_pinocchio(q, imu)
        assert tilt == pytest.approx(ref_tilt, abs=1e-9)
        assert height == pytest.approx(ref_height, abs=1e-9)


def test_standing_upright_the_base_is_at_its_nominal_height_and_not_tilted(humanoid):
    fall = FallKinematics(humanoid)
    q = humanoid.nominal_configuration()
    base_R_imu = humanoid.imu_rotation_in_base(q[7:])
    # the IMU's world orientation when the base is upright: world_R_imu = base_R_imu
    w = math.sqrt(max(1e-12, 1 + np.trace(base_R_imu))) / 2
    x = (base_R_imu[2, 1] - base_R_imu[1, 2]) / (4 * w)
    y = (base_R_imu[0, 2] - base_R_imu[2, 0]) / (4 * w)
    z = (base_R_imu[1, 0] - base_R_imu[0, 1]) / (4 * w)
    tilt, height = fall.figures(q[7:], np.array([x, y, z, w]))
    assert tilt == pytest.approx(0.0, abs=1e-6)
    assert height == pytest.approx(q[2], abs=1e-9)  # the nominal configuration puts the lowest sole at z = 0


def test_a_missing_orientation_counts_as_fallen_and_unknown_joints_judge_nothing(humanoid):
    fall = FallKinematics(humanoid)
    q = humanoid.nominal_joint_positions()
    for quat in (np.zeros(4), np.full(4, np.nan)):
        assert fall.figures(q, quat) == (math.pi, math.inf)
    bad = q.copy()
    bad[3] = np.nan
    assert fall.figures(bad, np.array([0.0, 0.0, 0.0, 1.0])) == (0.0, math.inf)


def test_the_leg_kinematics_kernel_and_its_twin_agree():
    args = kernels.example_arguments(np.random.default_rng(2))["leg_kinematics"]
    (a, _), (b, _) = run_both(kernels, "leg_kinematics", args)
    for u, w in zip(a[-5:], b[-5:]):  # base_R_imu, the soles' positions, Jacobians, frames, angular Jacobians
        np.testing.assert_allclose(u, w, rtol=0, atol=1e-12)
    assert np.any(a[-1] != 0.0) and np.any(a[-3] != 0.0)


@pytest.mark.parametrize("robot", ["humanoid", "talos"])
def test_the_estimators_leg_kinematics_match_pinocchio_at_random_postures(robot, request):
    from humanoid_control.estimation.state_estimator import StateEstimator

    model = request.getfixturevalue(robot)
    est = StateEstimator(model)
    assert est._tree is not None
    rng = np.random.default_rng(5)
    for _ in range(20):
        q = rng.uniform(model.q_lower, model.q_upper)
        kernels.leg_kinematics(q, *est._tree_args, est.base_R_imu, est._r_feet, est._J_feet, est._R_feet,
                               est._Jw_feet)
        got = (est.base_R_imu.copy(), est._r_feet.copy(), est._J_feet.copy(), est._R_feet.copy(), est._Jw_feet.copy())
        est.leg_kinematics_pinocchio(q)
        for g, ref in zip(got, (est.base_R_imu, est._r_feet, est._J_feet, est._R_feet, est._Jw_feet)):
            np.testing.assert_allclose(g, ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_the_frame_motion_kernel_and_its_twin_agree_with_revolute_and_prismatic_joints(seed):
    args = kernels.example_arguments(np.random.default_rng(seed))["frame_motion"]
    (a, _), (b, _) = run_both(kernels, "frame_motion", args)
    for u, w in zip(a[-7:], b[-7:]):
        np.testing.assert_allclose(u, w, rtol=0, atol=1e-12)
    assert np.any(a[-1] != 0.0) and np.any(a[-2][2] != 0.0)  # a CoM Jacobian and a CoM drift
