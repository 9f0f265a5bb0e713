"""The centroidal MPC's problem, shared by its solvers (ROS-free).

Model (world frame, knots k = 0..N−1, step ``dt = horizon_s / knots``):

    state  x = [c (3) m, ċ (3) m/s, L (3) kg·m²/s]     CoM, its velocity, angular momentum about it
    input  u = [f_l (3) N, τ_l (3) N·m, f_r, τ_r]       each foot's wrench at its sole centre
    c̈      = Σ f / m + g
    L̇      = Σ (p_i − c_ref,k) × f_i + τ_i               (linearised about the reference CoM)

integrated exactly for piecewise-constant inputs.

Cost: Σ_k |x_{k+1} − x_ref,k+1|²_Q (Q × ``terminal_factor`` at the last knot) + |u_k − u_ref,k|²_R,
u_ref the weight split over the stance feet. Weights are **per unit**, so one configuration
serves a 25-kg and a 100-kg humanoid: forces are measured in the robot's weight ``m g``,
sole torques in ``m g ℓ`` (ℓ the sole's half length), angular momentum per unit mass
(``L / m``, m²/s); the solvers also compute in these units (the scaling that keeps the
problem's conditioning independent of the robot).

Constraints per knot and foot: a swing foot's wrench is zero; a stance foot has
f_z ≤ f_max, a friction pyramid (|f_x'|, |f_y'| ≤ μ f_z in the foot's yaw frame, so f_z ≥ 0),
CoP inside the sole (|τ_x'| ≤ W/2 f_z, |τ_y'| ≤ L/2 f_z) and a yaw-torque limit
(|τ_z| ≤ μ min(W, L)/2 f_z)."""
from __future__ import annotations

import abc
from dataclasses import dataclass, field

import numpy as np

from humanoid_control.constants import GRAVITY_WORLD
from humanoid_control.errors import ConfigError, check_ranges
from humanoid_control.kernels import mpc as kernels

GRAVITY = GRAVITY_WORLD  # [m/s²]
NX = 9
NU_FOOT = 6
SOLVERS = ("riccati", "dense")


@dataclass(frozen=True)
class MpcParams:
    horizon_s: float = 0.8  # [s] planning horizon, [0.5, 2]
    knots: int = 16  # [-] number of intervals, [5, 50]
    friction_coefficient: float = 0.5  # [-] μ of the pyramids (below the floor's), [0.05, 2]
    max_normal_force_N: float = 2000.0  # [N] per foot, (0, 1e4]
    weight_com_xy: float = 2e3  # [1/m²] CoM position x, y
    weight_com_z: float = 1e4  # [1/m²] CoM height
    weight_com_velocity: float = 2e2  # [s²/m²]
    weight_angular_momentum: float = 1.3988e5  # [s²/m⁴] on L / m: keeps L near zero (no "leaning on" momentum)
    weight_force: float = 134.6  # [-] on (f − f_ref) / (m g): deviation from the weight share
    weight_torque: float = 16.29  # [-] on τ / (m g ℓ), ℓ the sole's half length
    terminal_factor: float = 5.0  # [-] terminal state weight multiplier
    solver: str = "riccati"  # "riccati" (interior point, Riccati recursion) or "dense" (condensed, ProxSuite)
    max_iterations: int = 100  # [-] solver iterations (interior-point or ProxSuite outer)
    max_solve_time_s: float = 0.0  # [s] wall-clock budget of one solve, 0: none; beyond it the best plan so far
    tolerance: float = 1e-4  # [-] relative optimality tolerance of the interior point (plan forces within ~0.02 % of m g)
    warm_start: bool = False  # [-] riccati: start from the previous plan shifted in time (measured: no gain, see bench)

    def validate(self) -> "MpcParams":
        check_ranges(self, (("horizon_s", 0.5, 2.0), ("knots", 5, 50), ("friction_coefficient", 0.05, 2.0),
                            ("max_normal_force_N", 1.0, 1e4), ("terminal_factor", 0.0, 1e3),
                            ("max_iterations", 1, 10000), ("max_solve_time_s", 0.0, 10.0), ("tolerance", 1e-12, 1e-2)),
                     "mpc")
        if self.solver not in SOLVERS:
            raise ConfigError(f"MPC solver '{self.solver}' is not one of {', '.join(SOLVERS)}", "mpc")
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
    t: float | None = None  # [s] time of x0 (a warm start shifts the previous plan by the time since)


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
    budget_exceeded: bool = False  # the solve ran out of max_solve_time_s and returned its best plan so far
    cpu_time_us: float = 0.0  # CPU time of the solving thread for build + solve (wall time minus preemption)


class CentroidalModel:
    """Robot-dependent numbers of the problem: mass, sole size, the exact discretisation of
    the CoM dynamics, the per-unit scales and the weights in physical units."""

    def __init__(self, mass_kg: float, foot_length_m: float, foot_width_m: float, params: MpcParams):
        if not (mass_kg > 0 and foot_length_m > 0 and foot_width_m > 0):
            raise ConfigError(f"MPC model needs a positive mass and sole size, got mass {mass_kg} kg, "
                              f"sole {foot_length_m} x {foot_width_m} m", "mpc")
        self.p = params
        self.mass = float(mass_kg)
        self.foot_length, self.foot_width = float(foot_length_m), float(foot_width_m)
        self.N = int(params.knots)
        self.dt = params.dt
        self.weight_N = self.mass * float(np.linalg.norm(GRAVITY))  # [N] unit of force
        self.torque_unit = self.weight_N * self.foot_length / 2  # [N·m] unit of sole torque
        #: (12,) [N or N·m per unit] u = scale * u_unit
        self.scale = np.tile(np.r_[np.full(3, self.weight_N), np.full(3, self.torque_unit)], 2)
        p = params
        #: (9,) state weights [1/m², s²/m², s²/(kg²·m⁴)]
        self.q_diag = np.r_[p.weight_com_xy, p.weight_com_xy, p.weight_com_z, np.full(3, p.weight_com_velocity),
                            np.full(3, p.weight_angular_momentum / self.mass ** 2)]
        #: (12,) input weights [1/N², 1/(N·m)²]
        self.r_diag = np.tile(np.r_[np.full(3, p.weight_force / self.weight_N ** 2),
                                    np.full(3, p.weight_torque / self.torque_unit ** 2)], 2)
        self.A, self.B_force, self.d = self._discrete_dynamics()
        mu = p.friction_coefficient
        self.half_width, self.half_length = self.foot_width / 2, self.foot_length / 2
        self.yaw_torque_lever = mu * min(self.half_width, self.half_length)  # [m]

    def _discrete_dynamics(self):
        """x⁺ = A x + Bf(k) u + d, exact for constant inputs over dt (CoM part)."""
        dt, m = self.dt, self.mass
        A = np.eye(NX)
        A[0:3, 3:6] = dt * np.eye(3)
        B_force = np.zeros((NX, 3))  # effect of a total force [N]
        B_force[0:3] = 0.5 * dt * dt / m * np.eye(3)
        B_force[3:6] = dt / m * np.eye(3)
        d = np.zeros(NX)
        d[0:3] = 0.5 * dt * dt * GRAVITY
        d[3:6] = dt * GRAVITY
        return A, B_force, d

    def weight_shares(self, contact: np.ndarray) -> np.ndarray:
        """(N, 12) reference wrenches [N, N·m] per knot: the weight split over the stance feet
        (``contact`` (N, 2) bool); zero at a knot without one."""
        contact = np.asarray(contact, dtype=bool)
        n = contact.sum(axis=1, keepdims=True)
        u = np.zeros((len(contact), 2 * NU_FOOT))
        u[:, 2::NU_FOOT] = np.where(contact, self.weight_N / np.maximum(n, 1), 0.0)
        return u

    def check(self, prob: MpcProblem) -> None:
        N = self.N
        shapes = {"x0": (prob.x0, (NX,)), "x_ref": (prob.x_ref, (N + 1, NX)),
                  "foot_position": (prob.foot_position, (N, 2, 3)), "foot_yaw": (prob.foot_yaw, (N, 2)),
                  "contact": (prob.contact, (N, 2))}
        for name, (arr, shape) in shapes.items():
            if np.shape(arr) != shape:
                raise ConfigError(f"MPC input '{name}' has shape {np.shape(arr)}, expected {shape}", "mpc")
            if name != "contact" and not np.all(np.isfinite(arr)):
                raise ConfigError(f"MPC input '{name}' is not finite", "mpc")


class MpcSolver(abc.ABC):
    """A solver of the centroidal MPC problem: :meth:`build` fills the problem's matrices for
    one set of inputs, :meth:`solve` builds and solves. Subclasses keep ``p``, ``N``, ``mass``
    and the sizes ``n`` (decision variables) and ``n_in`` (inequality rows)."""

    def __init__(self, mass_kg: float, foot_length_m: float, foot_width_m: float, params: MpcParams | None = None,
                 feet=("left", "right")):
        self.p = (params or MpcParams()).validate()
        self.model = CentroidalModel(mass_kg, foot_length_m, foot_width_m, self.p)
        self.mass = self.model.mass
        self.feet = tuple(feet)
        self.foot_length, self.foot_width = self.model.foot_length, self.model.foot_width
        self.N = self.model.N
        self.nu = 2 * NU_FOOT

    @abc.abstractmethod
    def build(self, prob: MpcProblem):
        """Fill the QP of ``prob`` (the solver's own form); returns it."""

    @abc.abstractmethod
    def solve(self, prob: MpcProblem) -> MpcSolution:
        """Build and solve ``prob``."""

    def rollout(self, prob: MpcProblem, u_flat: np.ndarray) -> np.ndarray:
        """(N + 1, 9) states from x0 under the wrenches ``u_flat`` [N, N·m] (the model the QP uses)."""
        m = self.model
        x = np.zeros((self.N + 1, NX))
        kernels.rollout(x, np.ascontiguousarray(prob.x0, dtype=float), np.ascontiguousarray(prob.x_ref, dtype=float),
                        np.ascontiguousarray(prob.foot_position, dtype=float),
                        np.ascontiguousarray(u_flat, dtype=float).reshape(self.N, 2, NU_FOOT),
                        m.A, m.B_force, m.d, m.dt)
        return x
