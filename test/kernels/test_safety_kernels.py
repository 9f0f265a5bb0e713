"""The safety layer's Numba kernels agree with their numpy twins."""
import numpy as np
import pytest

from humanoid_control.kernels import safety as kernels
from twins import run_both


def test_the_command_kernels_and_their_numpy_twins_write_the_same_numbers():
    args = kernels.example_arguments(12, np.random.default_rng(3))["safe_command"]
    (a, _), (b, _) = run_both(kernels, "safe_command", args)
    for u, w in zip(a[5:10], b[5:10]):
        np.testing.assert_array_equal(u, w)
    assert a[7][6] == 0.0 and a[8][6] == 0.0  # the joint held off gets no torque and no stiffness


@pytest.mark.parametrize("field", range(5))
@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e6, -1e6])
def test_both_checks_name_the_same_first_bad_value(field, bad):
    args = list(kernels.example_arguments(12, np.random.default_rng(field))["first_violation"])
    (a, ra), (b, rb) = run_both(kernels, "first_violation", tuple(args))
    assert ra == rb == -1  # the example command is inside its limits
    args[field] = args[field].copy()
    args[field][4] = bad
    args[field][9] = bad
    (_, ra), (_, rb) = run_both(kernels, "first_violation", tuple(args))
    assert ra == rb == field * 12 + 4

