"""The MuJoCo backend's foot-wrench kernel agrees with its numpy twin."""
import numpy as np
import pytest

from humanoid_control.kernels import contact as kernels
from twins import run_both


@pytest.mark.parametrize("seed", range(3))
def test_the_numba_kernel_and_its_numpy_twin_write_the_same_wrenches(seed):
    args = kernels.example_arguments(12, np.random.default_rng(seed))["foot_wrenches"]
    (a, _), (b, _) = run_both(kernels, "foot_wrenches", args)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-12, atol=1e-9)
    assert np.all(a[0] != 0.0)


def test_a_pure_force_at_the_sole_reads_as_that_force_in_the_sole_frame():
    """One body, its subtree CoM at the sole: a world force f gives Rᵀ f and no torque."""
    yaw = 0.4
    R = np.array([[np.cos(yaw), -np.sin(yaw), 0], [np.sin(yaw), np.cos(yaw), 0], [0, 0, 1.0]])
    f = np.array([10.0, -5.0, 300.0])
    out = np.zeros((1, 6))
    kernels.foot_wrenches(out, np.r_[0, 0, 0, f][None], np.zeros((1, 3)), np.zeros((1, 3)), R.ravel()[None],
                          np.array([0], dtype=np.intp), np.array([0, 1], dtype=np.intp),
                          np.array([0], dtype=np.intp), np.array([0], dtype=np.intp))
    np.testing.assert_allclose(out[0, :3], R.T @ f)
    np.testing.assert_allclose(out[0, 3:], 0.0, atol=1e-12)
