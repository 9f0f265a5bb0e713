"""The centroidal MPC as a dense condensed QP (the reference solver).

The states are eliminated, the decision variables are the N·12 wrenches; a
``casadi.Function`` built symbolically once maps the parameters of a solve (initial state,
references, foot poses) to the QP matrices, and ProxSuite's dense backend solves it (box
constraints, started from the unconstrained minimiser, the fastest start measured on the
node's walking problems). Its cost grows with the cube of the knots (192 variables at 16
knots): :class:`~humanoid_control.mpc.riccati_ipm.RiccatiMpc` is the default; this one is the
reference the benchmarks and the replay tests compare it with. Problem and units:
:mod:`humanoid_control.mpc.problem`."""
from __future__ import annotations

import time

import casadi as ca
import numpy as np

from humanoid_control.dense_qp import DenseQp, QpSettings
from humanoid_control.kernels import mpc as kernels
from humanoid_control.mpc.problem import NU_FOOT, NX, MpcParams, MpcProblem, MpcSolution, MpcSolver

ROWS_PER_FOOT = 10
INF = 1e20


class DenseCondensedMpc(MpcSolver):
    def __init__(self, mass_kg: float, foot_length_m: float, foot_width_m: float, params: MpcParams | None = None,
                 feet=("left", "right")):
        super().__init__(mass_kg, foot_length_m, foot_width_m, params, feet)
        self.n = self.N * self.nu
        self.n_in = self.N * 2 * ROWS_PER_FOOT
        self._qp_fn = self._build_casadi()
        self._init_buffers()
        # Backend and start chosen on the problems the MPC node solves while walking (replayed:
        # bench/mpc_solve.py): started from the equality-constrained (here: unconstrained)
        # minimiser it converged in 3-7 iterations; warm starts from the previous solution took up
        # to 12 iterations.
        self._solver = DenseQp(self.n, 0, self.n_in, QpSettings(1e-4, self.p.max_iterations, 1500, "equality"), box=True)
        kernels.warm_up()

    def _build_casadi(self) -> ca.Function:
        N, nu, dt, m = self.N, self.nu, self.p.dt, self.model
        U = ca.SX.sym("u", N * nu)
        x0 = ca.SX.sym("x0", NX)
        xref = ca.SX.sym("xref", (N + 1) * NX)
        feet = ca.SX.sym("feet", N * 2 * 3)
        yaw = ca.SX.sym("yaw", N * 2)
        uref = ca.SX.sym("uref", N * nu)
        A, Bf, d = (ca.DM(a) for a in (m.A, m.B_force, m.d))
        q_diag, r_diag = ca.DM(m.q_diag), ca.DM(m.r_diag)
        mu, half_w, half_l, r_yaw = self.p.friction_coefficient, m.half_width, m.half_length, m.yaw_torque_lever
        x = x0
        cost = 0
        rows = []
        for k in range(N):
            u = U[k * nu:(k + 1) * nu]
            c_ref = xref[k * NX:k * NX + 3] if k > 0 else x0[0:3]
            f_total = 0
            l_dot = 0
            for i in range(2):
                f = u[i * NU_FOOT:i * NU_FOOT + 3]
                tau = u[i * NU_FOOT + 3:i * NU_FOOT + 6]
                pos = feet[(k * 2 + i) * 3:(k * 2 + i) * 3 + 3]
                f_total = f_total + f
                l_dot = l_dot + ca.cross(pos - c_ref, f) + tau
                cy, sy = ca.cos(yaw[k * 2 + i]), ca.sin(yaw[k * 2 + i])
                fx = cy * f[0] + sy * f[1]
                fy = -sy * f[0] + cy * f[1]
                tx = cy * tau[0] + sy * tau[1]
                ty = -sy * tau[0] + cy * tau[1]
                rows += [fx - mu * f[2], -fx - mu * f[2], fy - mu * f[2], -fy - mu * f[2],
                         tx - half_w * f[2], -tx - half_w * f[2], ty - half_l * f[2], -ty - half_l * f[2],
                         tau[2] - r_yaw * f[2], -tau[2] - r_yaw * f[2]]
            x_next = ca.mtimes(A, x) + ca.mtimes(Bf, f_total) + d
            x_next = ca.vertcat(x_next[0:6], x[6:9] + dt * l_dot)
            w = q_diag * (self.p.terminal_factor if k == N - 1 else 1.0)
            e = x_next - xref[(k + 1) * NX:(k + 2) * NX]
            du = u - uref[k * nu:(k + 1) * nu]
            cost = cost + ca.dot(w * e, e) + ca.dot(r_diag * du, du)
            x = x_next
        g_rows = ca.vertcat(*rows)
        H, grad = ca.hessian(cost, U)
        grad0 = ca.substitute(grad, U, ca.DM.zeros(N * nu))
        C = ca.jacobian(g_rows, U)
        return ca.Function("centroidal_qp", [x0, xref, feet, yaw, uref], [ca.densify(H), ca.densify(grad0),
                                                                           ca.densify(C)])

    def _init_buffers(self) -> None:
        """Evaluate the CasADi function into numpy arrays allocated once (``Function.buffer``):
        converting its DM outputs costs ~15 ms a solve at 16 knots, the buffered call ~0.5 ms.
        CasADi writes column-major: H is symmetric; C (n_in, n) is the transpose of a
        C-ordered (n, n_in) array."""
        N, nu = self.N, self.nu
        self._args = [np.zeros(NX), np.zeros((N + 1) * NX), np.zeros(N * 2 * 3), np.zeros(N * 2), np.zeros(N * nu)]
        self._H = np.zeros((self.n, self.n))
        self._g = np.zeros(self.n)
        self._C_colmajor = np.zeros((self.n, self.n_in))
        self._buffer, self._evaluate = self._qp_fn.buffer()
        for i, a in enumerate(self._args):
            self._buffer.set_arg(i, memoryview(a))
        for i, a in enumerate((self._H, self._g, self._C_colmajor)):
            self._buffer.set_res(i, memoryview(a))

    def build(self, prob: MpcProblem) -> tuple:
        """QP matrices for one solve: (H, g, C, l, u, l_box, u_box)."""
        N = self.N
        self.model.check(prob)
        x0, xref, feet, yaw, uref = self._args
        x0[:] = prob.x0
        xref[:] = prob.x_ref.reshape(-1)
        feet[:] = prob.foot_position.reshape(-1)
        yaw[:] = prob.foot_yaw.reshape(-1)
        uref[:] = self.model.weight_shares(prob.contact).ravel()
        self._evaluate()
        H, g, C = self._H, self._g, self._C_colmajor.T
        lower = np.full(self.n_in, -INF)
        upper = np.zeros(self.n_in)
        l_box = np.zeros(self.n)
        u_box = np.zeros(self.n)
        for k in range(N):
            for i in range(2):
                s = k * self.nu + i * NU_FOOT
                if prob.contact[k, i]:
                    l_box[s:s + 6] = -INF
                    u_box[s:s + 6] = INF
                    l_box[s + 2] = 0.0
                    u_box[s + 2] = self.p.max_normal_force_N
        return H, g, C, lower, upper, l_box, u_box

    def solve(self, prob: MpcProblem) -> MpcSolution:
        t0, c0 = time.perf_counter(), time.thread_time()
        H, g, C, lo, up, lb, ub = self.build(prob)
        t1 = time.perf_counter()
        res = self._solver.solve(H, g, None, None, C, lo, up, lb, ub)
        u = np.clip(res.x, lb, ub)
        t2 = time.perf_counter()
        return MpcSolution(res.ok, res.status, res.iterations, self.rollout(prob, u),
                           u.reshape(self.N, 2, NU_FOOT), (t1 - t0) * 1e6, (t2 - t1) * 1e6,
                           np.arange(self.N + 1) * self.p.dt, cpu_time_us=(time.thread_time() - c0) * 1e6)
