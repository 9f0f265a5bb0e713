"""The centroidal MPC: :func:`create_mpc` makes the solver ``MpcParams.solver`` names.

* ``riccati`` (default) — :class:`~humanoid_control.mpc.riccati_ipm.RiccatiMpc`: multiple
  shooting, interior point, Riccati recursion; time linear in the knots, a wall-clock budget.
* ``dense`` — :class:`~humanoid_control.mpc.dense_condensed.DenseCondensedMpc`: the condensed
  QP built by CasADi and solved by ProxSuite; the reference the benchmarks compare with.

Both solve the problem of :mod:`humanoid_control.mpc.problem` (re-exported here)."""
from __future__ import annotations

from humanoid_control.mpc.dense_condensed import DenseCondensedMpc
from humanoid_control.mpc.problem import GRAVITY, NU_FOOT, NX, SOLVERS, MpcParams, MpcProblem, MpcSolution, MpcSolver
from humanoid_control.mpc.riccati_ipm import RiccatiMpc

SOLVER_CLASSES = {"riccati": RiccatiMpc, "dense": DenseCondensedMpc}
assert set(SOLVER_CLASSES) == set(SOLVERS)

__all__ = ["GRAVITY", "NU_FOOT", "NX", "MpcParams", "MpcProblem", "MpcSolution", "MpcSolver", "create_mpc",
           "RiccatiMpc", "DenseCondensedMpc"]


def create_mpc(mass_kg: float, foot_length_m: float, foot_width_m: float, params: MpcParams | None = None,
               feet=("left", "right")) -> MpcSolver:
    """The MPC solver for a robot of ``mass_kg`` [kg] on soles ``foot_length_m`` × ``foot_width_m`` [m]."""
    params = (params or MpcParams()).validate()
    return SOLVER_CLASSES[params.solver](mass_kg, foot_length_m, foot_width_m, params, feet)
