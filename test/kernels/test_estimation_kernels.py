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


def still_legs_under_a_moving_base(gate: float, v0: float = 0.5, rolling: float = 0.0) -> list:
    """leg_odometry arguments: both feet in stance, joints and IMU still (each leg says the
    base stands still), the filter's base velocity ``v0`` [m/s] along x, the slip gate ``gate``
    and the rolling-sole threshold ``rolling`` [m/s]."""
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
    noise[8], noise[9], noise[10] = gate, 0.1, rolling
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


def a_sole_rolling_on_its_toe_under_a_still_base(rolling: float) -> list:
    """leg_odometry arguments: the base and the IMU still, both feet in stance; foot 0 pitched
    15° toe down turns at 3 rad/s about its toe (its centre moves, its toe does not), foot 1 is
    still. The rolling-sole threshold is ``rolling`` [m/s]."""
    args = still_legs_under_a_moving_base(gate=0.0, v0=0.0, rolling=rolling)
    nj = args[9].shape[0]
    c, s = np.cos(np.radians(15.0)), np.sin(np.radians(15.0))
    R_feet = np.tile(np.eye(3), (2, 1, 1))
    R_feet[0] = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])  # pitched: the toe (+x) below the centre
    J, Jw = np.zeros((2, 3, nj)), np.zeros((2, 3, nj))
    J[0][:, 0:3] = np.eye(3)  # joints 0-2 move the centre, 3-5 turn the sole (a made-up leg)
    Jw[0][:, 3:6] = np.eye(3)
    omega = np.array([0.0, 3.0, 0.0])  # [rad/s]
    toe = R_feet[0] @ np.array([0.11, 0.0, 0.0])
    dq = np.zeros(nj)
    dq[0:3] = -np.cross(omega, toe)  # the centre's velocity when the toe rests
    dq[3:6] = omega
    args[8], args[9], args[17], args[18] = J, dq, R_feet, Jw
    args[11] = args[0][[8, 11]].copy()  # the ground at the feet's heights: no pull from the height prior
    args[19] = np.tile([[0.11, 0.0, 0.0], [-0.11, 0.0, 0.0], [0.0, 0.05, 0.0], [0.0, -0.05, 0.0]], (2, 1, 1))
    return args


@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_a_sole_rolling_on_its_toe_is_read_at_its_toe_and_leaves_the_still_base_still(kernel):
    fn = kernels.NUMBA_KERNELS["leg_odometry"] if kernel == "numba" else kernels.NUMPY_TWINS["leg_odometry"]
    centre = a_sole_rolling_on_its_toe_under_a_still_base(rolling=0.0)
    for _ in range(10):
        fn(*centre)
    assert np.linalg.norm(centre[0][3:6]) > 0.05  # read at its centre, the rolling sole drags the base along
    toe = a_sole_rolling_on_its_toe_under_a_still_base(rolling=0.05)
    for _ in range(10):
        fn(*toe)
    assert np.linalg.norm(toe[0][3:6]) < 1e-3


def test_a_still_sole_reads_the_same_with_the_rolling_threshold_on():
    a = still_legs_under_a_moving_base(gate=0.0, v0=0.3, rolling=0.0)
    b = still_legs_under_a_moving_base(gate=0.0, v0=0.3, rolling=0.05)
    b[18] = np.random.default_rng(1).normal(size=b[18].shape)  # angular Jacobians (the joints are still)
    kernels.leg_odometry(*a)
    kernels.leg_odometry(*b)
    np.testing.assert_allclose(a[0], b[0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_the_ground_height_prior_moves_the_base_up_but_gives_it_no_velocity(kernel):
    """A foot that lands 5 cm below the floor the filter believes in (a step down, walked
    blind) is pulled back to it: the base moves up with it, but that is the vertical frame
    re-anchored, not motion — with the full gain it became an upward velocity."""
    fn = kernels.NUMBA_KERNELS["kf_correct"] if kernel == "numba" else kernels.NUMPY_TWINS["kf_correct"]
    nc = 2
    args = list(kernels.example_arguments(nc, np.random.default_rng(4))["leg_odometry"])
    x, P, H = np.zeros(6 + 3 * nc), np.eye(6 + 3 * nc) * 1e-3, args[2]
    for _ in range(300):  # positions and velocities correlate, as they do after walking
        kernels.kf_predict(x, P, np.zeros(3), 0.001, np.ones(nc, dtype=bool), 0.5, 0.001, 10.0)
    x[8] = x[11] = -0.05  # both feet 5 cm below the floor ...
    m = 7 * nc
    z = H @ x  # ... and every measurement agrees but the height prior (z = 0)
    z[6 * nc:] = 0.0
    r = np.full(m, 1e-4)
    full, split = (x.copy(), P.copy()), (x.copy(), P.copy())
    fn(*full, H, z, r, m)
    fn(*split, H, z, r, 6 * nc)
    assert abs(full[0][5]) > 1e-4  # the full gain: a vertical velocity out of a re-anchored floor
    assert split[0][3:6].tolist() == [0.0, 0.0, 0.0]
    assert split[0][2] > 0.005 and split[0][8] > -0.05 + 0.005  # the base and the feet went up
    assert np.all(np.linalg.eigvalsh(split[1]) > 0.0)  # P stays a covariance
