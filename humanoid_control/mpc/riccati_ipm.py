"""The centroidal MPC by multiple shooting, solved by an interior-point method whose Newton
steps are Riccati recursions (the default solver).

States stay variables tied by the dynamics, so the problem keeps its banded structure: one
Newton step costs time linear in the knots (12 × 12 and 9 × 9 factorisations per knot), where
the dense condensed QP (:mod:`humanoid_control.mpc.dense_condensed`) costs the cube. The
matrices of a solve are filled into arrays allocated once by a Numba kernel
(:func:`humanoid_control.kernels.mpc.centroidal_stages`), in per-unit quantities (force / m g,
torque / m g ℓ, angular momentum / m), and the interior-point kernel
(:func:`humanoid_control.kernels.lq_ipm.lq_ipm`) solves them in one call.

Every iterate obeys the dynamics and every inequality (the method stays primal feasible), so
a solve that runs out of ``max_solve_time_s`` returns a plan that is physically consistent,
only less optimal, and says so (``MpcSolution.budget_exceeded``)."""
from __future__ import annotations

import time

import numpy as np

from humanoid_control.kernels import lq_ipm as ipm
from humanoid_control.kernels import mpc as kernels
from humanoid_control.mpc.problem import NU_FOOT, NX, MpcParams, MpcProblem, MpcSolution, MpcSolver

ROWS_PER_FOOT = 11
INITIAL_MU = 1.0  # [-] complementarity s·λ of the first iterate (per-unit rows), measured on walking problems
WARM_START_PULL = 0.1  # [-] share of the weight-share start mixed into a warm start (keeps it strictly inside)


class RiccatiMpc(MpcSolver):
    def __init__(self, mass_kg: float, foot_length_m: float, foot_width_m: float, params: MpcParams | None = None,
                 feet=("left", "right")):
        super().__init__(mass_kg, foot_length_m, foot_width_m, params, feet)
        N, nu, m = self.N, self.nu, self.model
        self.n = N * (nu + NX)  # inputs and states
        self.n_in = N * 2 * ROWS_PER_FOOT
        #: (9,) x_unit = state_scale * x: angular momentum per unit mass
        self.state_scale = np.r_[np.ones(6), np.full(3, 1.0 / m.mass)]
        self._A = m.A.copy()
        self._d = m.d.copy()
        self._B = np.zeros((N, NX, nu))
        self._G = np.zeros((N, 2, ROWS_PER_FOOT, NU_FOOT))
        self._h = np.zeros((N, 2, ROWS_PER_FOOT))
        w_unit = m.q_diag / self.state_scale ** 2
        self._W = np.tile(w_unit, (N, 1))
        self._W[-1] *= self.p.terminal_factor
        self._R = m.r_diag * m.scale ** 2
        self._xr = np.zeros((N + 1, NX))
        self._x0 = np.zeros(NX)
        self._ur = np.zeros((N, nu))
        self._c_ref = np.zeros((N, 3))
        self._stance = np.zeros((N, 2), dtype=np.bool_)
        self._units = np.array([m.dt, m.mass, m.weight_N, m.torque_unit, self.p.friction_coefficient, m.half_width,
                                m.half_length, m.yaw_torque_lever, self.p.max_normal_force_N])
        self._u = np.zeros((N, nu))
        self._x = np.zeros((N + 1, NX))
        self._lam = np.zeros((N, 2, ROWS_PER_FOOT))
        self._s = np.zeros((N, 2, ROWS_PER_FOOT))
        self._yaw = np.zeros((N, 2))
        self._previous = None  # (t, u, stance, yaw) of the last solve, for warm starts
        self._settings = np.array([1e-2 * self.p.tolerance, self.p.tolerance, float(self.p.max_iterations), 0.0, INITIAL_MU])
        kernels.warm_up()
        ipm.warm_up()

    def build(self, prob: MpcProblem):
        """Fill the per-knot arrays of ``prob`` (per-unit): returns (B, G, h, W, xr, R, ur, stance, x0)."""
        self.model.check(prob)
        s = self.state_scale
        np.multiply(prob.x0, s, out=self._x0)
        np.multiply(prob.x_ref, s, out=self._xr)
        self._c_ref[0] = prob.x0[0:3]
        self._c_ref[1:] = prob.x_ref[1:self.N, 0:3]
        self._stance[:] = prob.contact
        self._yaw[:] = prob.foot_yaw
        kernels.centroidal_stages(self._B, self._G, self._h, np.ascontiguousarray(prob.foot_position, dtype=float),
                                  np.ascontiguousarray(prob.foot_yaw, dtype=float), self._c_ref, self._stance,
                                  self._units)
        np.divide(self.model.weight_shares(self._stance), self.model.scale, out=self._ur)  # per unit
        return self._B, self._G, self._h, self._W, self._xr, self._R, self._ur, self._stance, self._x0

    def _start(self) -> None:
        """A strictly interior first iterate: the weight share (vertical forces only), capped
        at half the force limit."""
        np.copyto(self._u, self._ur)
        cap = 0.5 * self.p.max_normal_force_N / self.model.weight_N
        np.minimum(self._u, cap, out=self._u)

    def _warm_start(self, t: float | None) -> None:
        """``warm_start``: the previous plan shifted by the time since it (whole knots), pulled
        WARM_START_PULL towards the weight share so it is strictly inside; a foot whose contact
        or yaw differs from the shifted plan, or that would not be inside, keeps the weight
        share. Measured on the recorded walking problems (bench/mpc_solve.py --warm-start): at
        most half an iteration less on average and no lower worst case — an interior-point
        method gains little from a start near the boundary — so it is off by default."""
        prev = self._previous
        if prev is None or t is None or t < prev[0]:
            return
        t_prev, u_prev, stance_prev, yaw_prev = prev
        shift = int(round((t - t_prev) / self.model.dt))
        N = self.N
        src = np.minimum(np.arange(N) + shift, N - 1)
        keep = self._stance & stance_prev[src] & (np.abs(self._yaw - yaw_prev[src]) < 1e-9)  # (N, 2)
        cand = (1.0 - WARM_START_PULL) * u_prev[src] + WARM_START_PULL * self._u
        inside = np.all(self._h - np.einsum("kirj,kij->kir", self._G, cand.reshape(N, 2, NU_FOOT)) > 0.0, axis=2)
        take = np.repeat(keep & inside, NU_FOOT, axis=1)
        self._u[take] = cand[take]

    def solve(self, prob: MpcProblem) -> MpcSolution:
        t0, c0 = time.perf_counter(), time.thread_time()
        self.build(prob)
        self._start()
        if self.p.warm_start:
            self._warm_start(prob.t)
        t1 = time.perf_counter()
        budget = self.p.max_solve_time_s
        self._settings[3] = t0 + budget if budget > 0 else 0.0
        iterations, code = ipm.lq_ipm(self._u, self._x, self._lam, self._s, self._A, self._d, self._B, self._W,
                                      self._xr, self._R, self._ur, self._G, self._h, self._stance, self._x0,
                                      self._settings)
        t2 = time.perf_counter()
        status = ipm.STATUS_NAMES[code]
        # every iterate is feasible: running out of iterations or time still gives a usable plan
        ok = code in (ipm.CONVERGED, ipm.MAX_ITERATIONS, ipm.OUT_OF_TIME)
        if ok:
            wrenches = (self._u * self.model.scale).reshape(self.N, 2, NU_FOOT)
            states = self._x / self.state_scale
            if self.p.warm_start and prob.t is not None:
                self._previous = (prob.t, self._u.copy(), self._stance.copy(), self._yaw.copy())
        else:  # no interior start or a factorisation failed: the weight share, flagged
            self._start()
            wrenches = (self._u * self.model.scale).reshape(self.N, 2, NU_FOOT)
            states = self.rollout(prob, wrenches.ravel())
        return MpcSolution(ok, status, int(iterations), states, wrenches, (t1 - t0) * 1e6, (t2 - t1) * 1e6,
                           np.arange(self.N + 1) * self.p.dt, budget_exceeded=code == ipm.OUT_OF_TIME,
                           cpu_time_us=(time.thread_time() - c0) * 1e6)
