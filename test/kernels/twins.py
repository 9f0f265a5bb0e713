"""Shared by the kernel twin tests: run a Numba kernel and its numpy twin on copies of the
same arguments."""
import numpy as np


def run_both(kernels, name: str, args: tuple):
    """((numba arguments after the call, its return value), (numpy twin's, its return value)):
    each side gets its own copy of every array in ``args``."""
    a = tuple(x.copy() if isinstance(x, np.ndarray) else x for x in args)
    b = tuple(x.copy() if isinstance(x, np.ndarray) else x for x in args)
    return (a, kernels.NUMBA_KERNELS[name](*a)), (b, kernels.NUMPY_TWINS[name](*b))
