"""Centroidal MPC: CoM motion and foot contact wrenches over a horizon (ROS-free core).

Model (world frame, knots k = 0..N−1, step ``dt = horizon_s / knots``):

    state  x = [c (3) m, ċ (3) m/s, L (3) kg·m²/s]     CoM, its velocity, angular momentum about it
    input  u = [f_l (3) N, τ_l (3) N·m, f_r, τ_r]       each foot's wrench at its sole centre
    c̈      = Σ f / m + g
    L̇      = Σ (p_i − c_ref,k) × f_i + τ_i               (linearised about the reference CoM)

integrated exactly for piecewise-constant inputs. The problem is condensed (states are
eliminated, the decision variables are the N·12 wrenches) and built symbolically once with
CasADi: a ``casadi.Function`` maps the parameters of a solve (initial state, references,
foot poses, contact schedule) to the QP matrices. The QP is solved by ProxSuite (dense,
box constraints, started from the unconstrained minimiser each solve, which is the fastest
start measured on the node's walking problems).

Constraints per knot and foot: a swing foot's wrench is zero (box); a stance foot has
f_z in [0, f_max], a friction pyramid (|f_x'|, |f_y'| ≤ μ f_z in the foot's yaw frame), CoP
inside the sole (|τ_x'| ≤ W/2 f_z, |τ_y'| ≤ L/2 f_z) and a yaw-torque limit."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import casadi as ca
import numpy as np

from humanoid_control.constants import GRAVITY_WORLD
from humanoid_control.dense_qp import DenseQp, QpSettings
from humanoid_control.errors import ConfigError, check_ranges
from humanoid_control.kernels import mpc as kernels

GRAVITY = GRAVITY_WORLD  # [m/s²]
NX = 9
NU_FOOT = 6
ROWS_PER_FOOT = 10
INF = 1e20


@dataclass(frozen=True)
class MpcParams:
    horizon_s: float = 0.8  # [s] planning horizon, [0.5, 2]
    knots: int = 16  # [-] number of intervals, [5, 50]
    friction_coefficient: float = 0.6  # [-] μ of the pyramids, [0.05, 2]
    max_normal_force_N: float = 2000.0  # [N] per foot, (0, 1e4]
    weight_com_xy: float = 2e3  # [-] CoM position x, y
    weight_com_z: float = 1e4  # [-] CoM height
    weight_com_velocity: float = 2e2  # [-]
    weight_angular_momentum: float = 100.0  # [-] keeps L near zero (no "leaning on" momentum)
    weight_force: float = 1e-3  # [-] deviation from the weight share
    weight_torque: float = 1e-2  # [-]
    terminal_factor: float = 5.0  # [-] terminal state weight multiplier
    max_iterations: int = 100  # [-] ProxSuite outer iterations

    def validate(self) -> "MpcParams":
        check_ranges(self, (("horizon_s", 0.5, 2.0), ("knots", 5, 50), ("friction_coefficient", 0.05, 2.0),
                            ("max_normal_force_N", 1.0, 1e4), ("terminal_factor", 0.0, 1e3)), "mpc")
        return self

    @property
    def dt(self) -> float:
        return self.horizon_s / self.knots


@dataclass
class MpcProblem:
    """Inputs of one solve. Arrays are per knot k (N = knots); feet in ``feet`` order."""

    x0: np.ndarray  # (9,) measured [c, ċ, L]
    x_ref: np.ndarray  # (N + 1, 9) reference states (row 0 unused)
    foot_position: np.ndarray  # (N, 2, 3) [m] sole centres (where stance feet are, or will land)
    foot_yaw: np.ndarray  # (N, 2) [rad]
    contact: np.ndarray  # (N, 2) bool


@dataclass
class MpcSolution:
    ok: bool
    status: str
    iterations: int
    states: np.ndarray  # (N + 1, 9)
    wrenches: np.ndarray  # (N, 2, 6) [N, N·m] world axes, at the sole centres
    build_time_us: float = 0.0
    solve_time_us: float = 0.0
    times: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N + 1,) [s] from the solve instant


class CentroidalMpc:
    def __init__(self, mass_kg: float, foot_length_m: float, foot_width_m: float, params: MpcParams | None = None,
                 feet=("left", "right")):
        self.p = (params or MpcParams()).validate()
        self.mass = float(mass_kg)
        self.feet = tuple(feet)
        self.foot_length, self.foot_width = float(foot_length_m), float(foot_width_m)
        self.N = int(self.p.knots)
        self.nu = 2 * NU_FOOT
        self.n = self.N * self.nu
        self.n_in = self.N * 2 * ROWS_PER_FOOT
        self._A, self._B_force, self._d = self._discrete_dynamics()
        self._qp_fn = self._build_casadi()
        self._init_buffers()
        # Backend and start chosen on the problems the MPC node solves while walking (replayed:
        # bench/mpc_solve.py): started from the equality-constrained (here: unconstrained)
        # minimiser it converged in 3-7 iterations, p50 3 ms; warm starts from the previous
        # solution took up to 12 iterations.
        self._solver = DenseQp(self.n, 0, self.n_in, QpSettings(1e-4, self.p.max_iterations, 1500, "equality"), box=True)
        kernels.warm_up()

    # ------------------------------------------------------------------ model
    def _discrete_dynamics(self):
        """x⁺ = A x + Bf(k) u + d, exact for constant inputs over dt (CoM part)."""
        dt, m = self.p.dt, self.mass
        A = np.eye(NX)
        A[0:3, 3:6] = dt * np.eye(3)
        B_force = np.zeros((NX, 3))  # effect of a total force [N]
        B_force[0:3] = 0.5 * dt * dt / m * np.eye(3)
        B_force[3:6] = dt / m * np.eye(3)
        d = np.zeros(NX)
        d[0:3] = 0.5 * dt * dt * GRAVITY
        d[3:6] = dt * GRAVITY
        return A, B_force, d

    def _build_casadi(self) -> ca.Function:
        N, nu, dt, p = self.N, self.nu, self.p.dt, self.p
        U = ca.SX.sym("u", N * nu)
        x0 = ca.SX.sym("x0", NX)
        xref = ca.SX.sym("xref", (N + 1) * NX)
        feet = ca.SX.sym("feet", N * 2 * 3)
        yaw = ca.SX.sym("yaw", N * 2)
        uref = ca.SX.sym("uref", N * nu)
        A, Bf, d = (ca.DM(a) for a in (self._A, self._B_force, self._d))
        q_diag = ca.DM([p.weight_com_xy, p.weight_com_xy, p.weight_com_z] + [p.weight_com_velocity] * 3
                       + [p.weight_angular_momentum] * 3)
        r_diag = ca.DM(([p.weight_force] * 3 + [p.weight_torque] * 3) * 2)
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
                mu, half_w, half_l = p.friction_coefficient, self.foot_width / 2, self.foot_length / 2
                r_yaw = mu * min(half_w, half_l)
                rows += [fx - mu * f[2], -fx - mu * f[2], fy - mu * f[2], -fy - mu * f[2],
                         tx - half_w * f[2], -tx - half_w * f[2], ty - half_l * f[2], -ty - half_l * f[2],
                         tau[2] - r_yaw * f[2], -tau[2] - r_yaw * f[2]]
            x_next = ca.mtimes(A, x) + ca.mtimes(Bf, f_total) + d
            x_next = ca.vertcat(x_next[0:6], x[6:9] + dt * l_dot)
            w = q_diag * (p.terminal_factor if k == N - 1 else 1.0)
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

    # ------------------------------------------------------------------ build / solve
    def weight_share(self, contact_row) -> np.ndarray:
        """(12,) reference wrenches: the weight split over the stance feet."""
        u = np.zeros(self.nu)
        n = int(np.sum(contact_row))
        for i in range(2):
            if contact_row[i] and n:
                u[i * NU_FOOT + 2] = self.mass * -GRAVITY[2] / n
        return u

    def build(self, prob: MpcProblem) -> tuple:
        """QP matrices for one solve: (H, g, C, l, u, l_box, u_box)."""
        N = self.N
        self._check(prob)
        x0, xref, feet, yaw, uref = self._args
        x0[:] = prob.x0
        xref[:] = prob.x_ref.reshape(-1)
        feet[:] = prob.foot_position.reshape(-1)
        yaw[:] = prob.foot_yaw.reshape(-1)
        for k in range(N):
            uref[k * self.nu:(k + 1) * self.nu] = self.weight_share(prob.contact[k])
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

    def _check(self, prob: MpcProblem) -> None:
        N = self.N
        shapes = {"x0": (prob.x0, (NX,)), "x_ref": (prob.x_ref, (N + 1, NX)),
                  "foot_position": (prob.foot_position, (N, 2, 3)), "foot_yaw": (prob.foot_yaw, (N, 2)),
                  "contact": (prob.contact, (N, 2))}
        for name, (arr, shape) in shapes.items():
            if np.shape(arr) != shape:
                raise ConfigError(f"MPC input '{name}' has shape {np.shape(arr)}, expected {shape}", "mpc")
            if name != "contact" and not np.all(np.isfinite(arr)):
                raise ConfigError(f"MPC input '{name}' is not finite", "mpc")

    def solve(self, prob: MpcProblem) -> MpcSolution:
        t0 = time.perf_counter()
        H, g, C, lo, up, lb, ub = self.build(prob)
        t1 = time.perf_counter()
        res = self._solver.solve(H, g, None, None, C, lo, up, lb, ub)
        ok = res.ok
        u = np.clip(res.x, lb, ub)
        t2 = time.perf_counter()
        return MpcSolution(ok, res.status, res.iterations, self.rollout(prob, u),
                           u.reshape(self.N, 2, NU_FOOT), (t1 - t0) * 1e6, (t2 - t1) * 1e6,
                           np.arange(self.N + 1) * self.p.dt)

    def rollout(self, prob: MpcProblem, u_flat: np.ndarray) -> np.ndarray:
        """(N + 1, 9) states from x0 under the wrenches ``u_flat`` (the model the QP uses)."""
        x = np.zeros((self.N + 1, NX))
        kernels.rollout(x, np.ascontiguousarray(prob.x0, dtype=float), np.ascontiguousarray(prob.x_ref, dtype=float),
                        np.ascontiguousarray(prob.foot_position, dtype=float),
                        np.ascontiguousarray(u_flat, dtype=float).reshape(self.N, 2, NU_FOOT),
                        self._A, self._B_force, self._d, self.p.dt)
        return x
