"""Numba kernel of the MuJoCo backend's foot force/torque sensors, with its numpy twin (same
contract as the other kernel modules; ``test/kernels/test_contact_kernels.py``)."""
from __future__ import annotations

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select


def foot_wrenches_numpy(out, cfrc_ext, subtree_com, xpos, xmat, chain, chain_ptr, foot_body, foot_root):
    """Each foot's contact wrench at its sole origin, in the sole frame.

    out (nf, 6) ← [force (3) N, torque (3) N·m]; cfrc_ext (nbody, 6) MuJoCo's external
    [torque, force] on each body, about the CoM of its tree (``subtree_com[foot_root]``),
    world axes; xpos (nbody, 3), xmat (nbody, 9) the bodies' placements; the bodies of foot
    j are ``chain[chain_ptr[j]:chain_ptr[j + 1]]``, its sole frame is body ``foot_body[j]``."""
    for j in range(out.shape[0]):
        w = cfrc_ext[chain[chain_ptr[j]:chain_ptr[j + 1]]].sum(axis=0)
        b = foot_body[j]
        torque = w[0:3] + np.cross(subtree_com[foot_root[j]] - xpos[b], w[3:6])
        R = xmat[b].reshape(3, 3)
        out[j, 0:3] = w[3:6] @ R
        out[j, 3:6] = torque @ R


@njit(cache=True)
def _foot_wrenches(out, cfrc_ext, subtree_com, xpos, xmat, chain, chain_ptr, foot_body, foot_root):
    w = np.empty(6)
    for j in range(out.shape[0]):
        for i in range(6):
            w[i] = 0.0
        for c in range(chain_ptr[j], chain_ptr[j + 1]):
            for i in range(6):
                w[i] += cfrc_ext[chain[c], i]
        b = foot_body[j]
        r = foot_root[j]
        rx = subtree_com[r, 0] - xpos[b, 0]
        ry = subtree_com[r, 1] - xpos[b, 1]
        rz = subtree_com[r, 2] - xpos[b, 2]
        tx = w[0] + ry * w[5] - rz * w[4]
        ty = w[1] + rz * w[3] - rx * w[5]
        tz = w[2] + rx * w[4] - ry * w[3]
        for i in range(3):  # Rᵀ f and Rᵀ τ: column i of R = xmat[b, i], xmat[b, 3 + i], xmat[b, 6 + i]
            out[j, i] = xmat[b, i] * w[3] + xmat[b, 3 + i] * w[4] + xmat[b, 6 + i] * w[5]
            out[j, 3 + i] = xmat[b, i] * tx + xmat[b, 3 + i] * ty + xmat[b, 6 + i] * tz


NUMPY_TWINS = {"foot_wrenches": foot_wrenches_numpy}
NUMBA_KERNELS = {"foot_wrenches": _foot_wrenches}
foot_wrenches = select(NUMBA_KERNELS, NUMPY_TWINS)["foot_wrenches"]


def example_arguments(nbody: int = 12, rng=None) -> dict:
    rng = rng or np.random.default_rng(0)
    xmat = np.array([np.linalg.qr(rng.normal(size=(3, 3)))[0].ravel() for _ in range(nbody)])
    return {"foot_wrenches": (np.zeros((2, 6)), rng.normal(size=(nbody, 6)) * 50, rng.normal(size=(nbody, 3)),
                              rng.normal(size=(nbody, 3)), xmat, np.array([3, 4, 7], dtype=np.intp),
                              np.array([0, 2, 3], dtype=np.intp), np.array([4, 7], dtype=np.intp),
                              np.array([1, 1], dtype=np.intp))}


def warm_up() -> None:
    compile_all(NUMBA_KERNELS, example_arguments)
