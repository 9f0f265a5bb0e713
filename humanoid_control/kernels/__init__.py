"""Numba-JITed hot loops (``@njit(cache=True)``), each with a pure-numpy twin: ``wbc``
(whole-body QP assembly, balance, joint command, active-set QP), ``mpc`` (centroidal
rollout, the interior-point solver's per-knot matrices), ``lq_ipm`` (interior point with
Riccati recursions), ``estimation`` (Kalman filter, leg odometry), ``safety`` (limit checks,
safe command), ``contact`` (the simulated foot F/T sensors), ``sim_io`` (the simulated actuators,
joint and IMU sensors), ``kinematics`` (the driver's fall check), ``swing`` (a swing foot's reference state).

Every kernel module has ``NUMBA_KERNELS`` and ``NUMPY_TWINS`` (name -> function),
``example_arguments()`` and ``warm_up()``; ``HUMANOID_CONTROL_NUMBA=0`` makes every module
hand out its numpy twins (debugging, profiling)."""
from __future__ import annotations

import os

USE_NUMBA = os.environ.get("HUMANOID_CONTROL_NUMBA", "1") != "0"


def select(numba_kernels: dict, numpy_twins: dict) -> dict:
    """The functions a module hands out: the kernels, or their twins without Numba."""
    return numba_kernels if USE_NUMBA else numpy_twins


def compile_all(numba_kernels: dict, example_arguments) -> None:
    """Compile (or load from numba's on-disk cache) every kernel of a module by calling it
    once on ``example_arguments()`` — at start-up, never inside a control loop."""
    if USE_NUMBA:
        for name, args in example_arguments().items():
            numba_kernels[name](*args)
