"""Numba-JITed hot loops (``@njit(cache=True)``), each with a pure-numpy twin: ``wbc``
(whole-body QP assembly, balance, joint command), ``mpc`` (centroidal rollout),
``estimation`` (Kalman filter predict / correct)."""
