"""The Kalman filter's Numba kernels agree with their numpy twins."""
import numpy as np
import pytest

from humanoid_control.kernels import estimation as kernels
from twins import run_both


@pytest.mark.parametrize("name", sorted(kernels.NUMPY_TWINS))
@pytest.mark.parametrize("nc", [1, 2, 4])
def test_the_numba_kernel_and_its_numpy_twin_write_the_same_numbers(name, nc):
    args = kernels.example_arguments(nc, np.random.default_rng(nc))[name]
    (a, _), (b, _) = run_both(kernels, name, args)
    for u, w, original in zip(a[:2], b[:2], args[:2]):  # x and P, updated in place
        np.testing.assert_allclose(u, w, rtol=1e-9, atol=1e-12)
        assert not np.array_equal(u, original)
    np.testing.assert_allclose(a[1], a[1].T, atol=1e-15)


def test_every_kernel_has_a_numpy_twin():
    assert set(kernels.NUMBA_KERNELS) == set(kernels.NUMPY_TWINS)
