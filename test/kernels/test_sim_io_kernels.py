"""The MuJoCo backend's actuator and sensor kernels agree with their numpy twins bit for bit."""
import numpy as np
import pytest

from humanoid_control.kernels import sim_io as kernels
from twins import run_both


@pytest.mark.parametrize("seed", range(3))
def test_the_actuator_torques_are_the_same_numbers_and_stay_within_the_torque_limits(seed):
    args = kernels.example_arguments(8, np.random.default_rng(seed))["actuator_torques"]
    (a, _), (b, _) = run_both(kernels, "actuator_torques", args)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    tau_max = args[-1]
    assert np.all(np.abs(a[0]) <= tau_max) and np.any(np.abs(a[0]) == tau_max)  # some clipped
    np.testing.assert_array_equal(a[1][6:], a[0])  # into qfrc_applied at the joints' DoFs
    assert np.all(a[1][:6] == 0.0)


@pytest.mark.parametrize("noisy", [True, False])
def test_the_sensor_readings_are_the_same_numbers_with_and_without_noise(noisy):
    args = kernels.example_arguments(8, np.random.default_rng(5), noisy)["read_sensors"]
    (a, _), (b, _) = run_both(kernels, "read_sensors", args)
    for u, w in zip(a[0:4], b[0:4]):
        np.testing.assert_array_equal(u, w)
    imu = a[3]
    assert abs(np.linalg.norm(imu[0:4]) - 1.0) < 1e-12
    if not noisy:
        np.testing.assert_array_equal(a[0], args[4][7:])  # the true joint angles
        quat_wxyz = args[9][0:4]
        np.testing.assert_array_equal(imu[0:4], [*quat_wxyz[1:4], quat_wxyz[0]])  # xyzw
