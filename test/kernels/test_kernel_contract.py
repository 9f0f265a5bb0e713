"""Every kernel module keeps the contract of humanoid_control/kernels/__init__.py: each Numba
kernel has a numpy twin of the same name (what HUMANOID_CONTROL_NUMBA=0 hands out)."""
import importlib
from pathlib import Path

import pytest

import humanoid_control.kernels as kernels_package

MODULES = sorted(p.stem for p in Path(kernels_package.__file__).parent.glob("*.py") if p.stem != "__init__")


def test_the_kernel_modules_are_found():
    assert {"wbc", "mpc", "lq_ipm", "estimation", "safety", "contact", "sim_io", "kinematics", "swing"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_kernel_has_a_numpy_twin(name):
    module = importlib.import_module(f"humanoid_control.kernels.{name}")
    assert module.NUMBA_KERNELS and set(module.NUMBA_KERNELS) == set(module.NUMPY_TWINS)
