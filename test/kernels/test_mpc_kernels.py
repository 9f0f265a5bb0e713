"""The MPC's Numba kernels agree with their numpy twins."""
import numpy as np
import pytest

from humanoid_control.kernels import mpc as kernels
from twins import run_both


@pytest.mark.parametrize("name", sorted(kernels.NUMPY_TWINS))
@pytest.mark.parametrize("N", [1, 6, 24])
def test_the_numba_kernel_and_its_numpy_twin_write_the_same_numbers(name, N):
    args = kernels.example_arguments(N, np.random.default_rng(N))[name]
    (a, _), (b, _) = run_both(kernels, name, args)
    for x, y in zip(a, b):
        if isinstance(x, np.ndarray):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-9)
    assert not np.array_equal(a[0], args[0]), "the kernel wrote nothing"

