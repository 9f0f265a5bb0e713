"""The Kalman filter's Numba kernels agree with their numpy twins."""
import numpy as np
import pytest

from humanoid_control.kernels import estimation as kernels
from twins import run_both


@pytest.mark.parametrize("name", ["kf_predict", "kf_correct"])
@pytest.mark.parametrize("nc", [1, 2, 4])
def test_the_numba_kernel_and_its_numpy_twin_write_the_same_numbers(name, nc):
    args = kernels.example_arguments(nc, np.random.default_rng(nc))[name]
    (a, _), (b, _) = run_both(kernels, name, args)
    for u, w, original in zip(a[:2], b[:2], args[:2]):  # x and P, updated in place
        np.testing.assert_allclose(u, w, rtol=1e-9, atol=1e-12)
        assert not np.array_equal(u, original)
    np.testing.assert_allclose(a[1], a[1].T, atol=1e-15)


@pytest.mark.parametrize("nc", [1, 2, 4])
def test_the_fused_leg_odometry_kernel_and_its_numpy_twin_agree(nc):
    args = kernels.example_arguments(nc, np.random.default_rng(10 + nc))["leg_odometry"]
    (a, _), (b, _) = run_both(kernels, "leg_odometry", args)
    for i in (0, 1, 14, 15, 16):  # x, P, the odometry out, the feet relative to the base, the gating times
        np.testing.assert_allclose(a[i], b[i], rtol=1e-9, atol=1e-12)
    assert np.linalg.norm(a[14][3:7]) == pytest.approx(1.0)  # a unit quaternion


def test_the_leg_odometry_pulls_a_stance_foot_to_the_ground_height_it_is_given():
    """The height prior is the ``ground_z`` under each foot (a known terrain map), not z = 0."""
    nc = 2
    args = list(kernels.example_arguments(nc, np.random.default_rng(3))["leg_odometry"])
    args[10] = np.ones(nc, dtype=bool)  # both feet in stance
    heights = []
    for ground in (np.zeros(nc), np.full(nc, 0.3)):
        a = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
        a[11] = ground
        kernels.leg_odometry(*a)
        heights.append(a[0][[8, 11]])  # the feet's z in the state
    assert np.all(heights[1] - heights[0] > 0.01)  # pulled up towards 0.3 m


@pytest.mark.parametrize("angle", [0.1, 1.5, 3.0, -2.9])
@pytest.mark.parametrize("axis", [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)])
def test_the_quaternion_of_a_matrix_gives_the_matrix_back_in_every_branch(angle, axis):
    import pinocchio as pin

    R = pin.AngleAxis(angle, np.array(axis, float) / np.linalg.norm(axis)).toRotationMatrix()
    q = np.zeros(4)
    kernels.matrix_to_quat_xyzw_numpy(R, q)
    np.testing.assert_allclose(kernels.quat_xyzw_to_matrix_numpy(q), R, atol=1e-12)
    q2 = np.zeros(4)
    kernels._matrix_to_quat_xyzw(R, q2)
    np.testing.assert_allclose(q2, q, atol=1e-15)


def still_legs_under_a_moving_base(gate: float, v0: float = 0.5) -> list:
    """leg_odometry arguments: both feet in stance, joints and IMU still (each leg says the
    base stands still), the filter's base velocity ``v0`` [m/s] along x, the slip gate ``gate``."""
    from humanoid_control.constants import GRAVITY

    nc = 2
    args = list(kernels.example_arguments(nc, np.random.default_rng(5))["leg_odometry"])
    n = args[0].shape[0]
    args[1] = np.eye(n) * 1e-4  # P: no cross terms
    args[5] = np.array([0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, GRAVITY])  # level, still IMU
    args[9] = np.zeros(args[9].shape[0])  # joints still
    args[10] = np.ones(nc, dtype=bool)
    R = args[6].T  # world_R_base with the IMU level
    x = np.zeros(n)
    x[3] = v0
    for k in range(nc):
        x[6 + 3 * k:9 + 3 * k] = R @ args[7][k]  # the feet where the legs put them
    args[0] = x
    args[11] = np.zeros(nc)
    noise = args[13].copy()
    noise[8], noise[9] = gate, 0.1
    args[13] = noise
    args[16] = np.zeros(nc)
    return args


@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_a_stance_leg_far_off_the_prediction_is_set_aside_for_at_most_the_longest_gating(kernel):
    fn = kernels.NUMBA_KERNELS["leg_odometry"] if kernel == "numba" else kernels.NUMPY_TWINS["leg_odometry"]
    open_ = still_legs_under_a_moving_base(gate=0.0)
    fn(*open_)
    assert open_[0][3] < 0.5 - 0.02  # no gate: the still legs pull the velocity down at once
    gated = still_legs_under_a_moving_base(gate=0.2)
    fn(*gated)
    assert gated[0][3] == pytest.approx(0.5, abs=1e-3) and np.all(gated[16] > 0.0)  # sliding: set aside
    for _ in range(98):  # 0.099 s in all: the sliding feet anchor neither the velocity nor the position
        fn(*gated)
    assert gated[0][3] == pytest.approx(0.5, abs=1e-3)
    for _ in range(20):  # past 0.1 s the legs are believed again, until they agree
        fn(*gated)
    assert gated[0][3] < 0.5 - 0.15  # (pulled within the gate: they agree again)


def test_a_leg_within_the_gate_counts_as_before():
    a = still_legs_under_a_moving_base(gate=0.0, v0=0.1)
    b = still_legs_under_a_moving_base(gate=0.2, v0=0.1)
    kernels.leg_odometry(*a)
    kernels.leg_odometry(*b)
    np.testing.assert_allclose(a[0], b[0], rtol=0, atol=1e-15)
    assert np.all(b[16] == 0.0)
