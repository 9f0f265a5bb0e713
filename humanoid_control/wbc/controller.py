"""Whole-body QP inverse dynamics: the ROS-free core of the WBC node.

Per tick: compute Pinocchio terms once, build the QP (tasks -> cost, constraints -> rows),
solve it with ProxSuite (dense, initialised once, warm-started), turn the solution into
joint torques and an MIT-mode joint command. Build and solve are separate steps
(:meth:`WholeBodyController.build` and :meth:`WholeBodyController.solve`)."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pinocchio as pin

from humanoid_control.dense_qp import DenseQp, QpSettings
from humanoid_control.planning.planar import circular_mean
from humanoid_control.robot.model import RobotModel
from humanoid_control.kernels import wbc as kernels
from humanoid_control.dcm import BalanceOutput, DcmBalance
from humanoid_control.wbc.constraints.contact_acceleration import ContactAcceleration
from humanoid_control.wbc.constraints.contact_wrench_cone import ContactWrenchCone
from humanoid_control.wbc.constraints.floating_base_dynamics import FloatingBaseDynamics
from humanoid_control.wbc.constraints.torque_limits import TorqueLimits
from humanoid_control.wbc.dynamics_terms import DynamicsComputer, DynamicsTerms
from humanoid_control.wbc.layout import QpLayout
from humanoid_control.wbc.reference import WbcReference
from humanoid_control.wbc.friction_estimate import FrictionEstimate, FrictionEstimateParams
from humanoid_control.wbc.slope_landing import SlopeLanding
from humanoid_control.wbc.tasks.base_orientation_task import BaseOrientationTask
from humanoid_control.wbc.tasks.com_task import ComTask
from humanoid_control.wbc.tasks.contact_wrench_task import ContactWrenchTask
from humanoid_control.wbc.tasks.foot_task import FootTask
from humanoid_control.wbc.tasks.posture_task import PostureTask

from humanoid_control.constants import GRAVITY


@dataclass
class WbcParams:
    """Gains and weights; each field states unit and bounds (checked by the node's schema)."""

    friction_coefficient: float = 0.5  # [-] used in the QP's friction cone (keep below the real μ), [0.05, 2]
    #: the QP's linearised friction cone: "pyramid" (|fx|, |fy| ≤ μ fz; a diagonal force reaches
    #: √2 μ fz) or "octagon" (inscribed in |f_t| ≤ μ fz) — see ContactWrenchCone and the README
    friction_cone: str = "pyramid"
    #: [m] torsional friction: each sole's |τz| ≤ friction_coefficient · yaw_friction_arm_m · fz,
    #: [0, 0.2] (0.02 m · fz at the default μ, as before) — see ContactWrenchCone and the README
    #: ("Torsional friction")
    yaw_friction_arm_m: float = 0.04
    #: [-] opt-in: a loaded stance sole whose force sensor reads a tangential/normal ratio this far
    #: below the one the QP commanded, for 20 ms, is slipping: the QP's μ drops to 0.9 × the
    #: measured ratio (wbc/friction_estimate.py), [0, 1] (0: off, the default — see params.py)
    slip_friction_gap: float = 0.0
    #: [deg] walking up a uniform ramp, a swing sole lands parallel to the stance sole when that
    #: one is tilted up to this much, [0, 45] (0: level landings) — see SlopeLanding
    slope_landing_max_deg: float = 20.0
    com_weight: float = 100.0  # [-] [0, 1e6]
    com_kp_z: float = 100.0  # [1/s²] [0, 1e4]
    com_kd_z: float = 20.0  # [1/s] [0, 1e3]
    com_kd_xy: float = 0.0  # [1/s] extra CoM velocity damping on top of DCM feedback
    com_kp_xy: float = 40.0  # [1/s²] CoM position feedback around a plan, [0, 1e4]
    com_kd_track_xy: float = 10.0  # [1/s] CoM velocity feedback around a plan, [0, 1e3]
    dcm_gain: float = 1.5  # [-] [0.1, 10]
    cop_margin_m: float = 0.015  # [m] CoP kept inside the support rectangle, [0, 0.1]
    #: [-] share of each sole's length and width the QP's centre of pressure may use while
    #: following a plan with steps, [0.3, 1] (standing: 0.85): a blind foot often rests on an
    #: edge or a few high points (±1 cm rough ground tipped stance soles 5–28° with 0.85 and 2
    #: of 10 seeds fell; 0.6: none, and the walking pushes at 0.5 m/s went from 14 to 16 of 16
    #: standing) — measured, session 15
    cop_support_fraction: float = 0.6
    orientation_weight: float = 30.0  # [-]
    orientation_kp: float = 100.0  # [1/s²]
    orientation_kd: float = 20.0  # [1/s]
    posture_weight: float = 1.0  # [-]
    posture_kp: float = 30.0  # [1/s²]
    posture_kd: float = 10.0  # [1/s]
    foot_weight: float = 100.0  # [-]
    swing_kp: float = 400.0  # [1/s²] swing-foot task stiffness, [0, 1e4]
    swing_kd: float = 40.0  # [1/s] swing-foot task damping, [0, 1e3]
    #: the vertical ones of a lift-first swing (SwingReference.lifts_over_edge: planned in
    #: uneven-ground mode or over a map's edge), [0, 1e4] and [0, 1e3]. Such swings rise 8–10 cm in
    #: a third of the swing; with 400 / 40 the foot lagged its height reference by 5–7 cm and its
    #: toe met the next riser's face (traced, session 29); with 1000 / 63 (critically damped) 2–3 cm.
    #: 84 blind 5-cm stair flights (bench/stairs_sweep.py, three sets): 29 fell with 400 / 40, 19
    #: with this; 56 mapped: 4 and 0 fell (session 30). Not for a stumble's re-lift: stiff there
    #: too, 13 blind flights fell, but after a toe caught on a 1.6-cm step the QP bought the
    #: re-lift's height with the stance leg (knee 0.62 -> 0.0 rad, CoM 2.8 cm over its target),
    #: the next swing started from a straight knee and the base rolled 0.10 rad (0.025 with 400 /
    #: 40; 0.03 so). 700 / 53: 29 blind flights fell. Stiff on all six axes a fast stumble swing
    #: overshot 5 cm on rough ground; stiff for every swing the randomized walks lost 5 of 100
    swing_kp_z_uneven: float = 1000.0
    swing_kd_z_uneven: float = 63.0
    wrench_weight: float = 1e-4  # [-] on the contact wrenches' deviation from their reference [N, N·m]
    #: [-] the same while following a plan that walks on a command (WbcReference.walking), [0, 1e3]:
    #: with 1e-4 the QP all but ignored the MPC's wrenches and its centre of pressure — under
    #: randomized actuator errors the single-support CoP sat 2 cm behind the sole centre where the
    #: plan had it 3 cm ahead, and the robot walked 0.29 m/s at 0.1 commanded (0.13 with 0.1).
    #: Standing and recovery steps keep wrench_weight: the QP's own CoM/DCM feedback catches a
    #: shove (following the MPC's recovery plan, 8 of 19 randomized standing pushes were still
    #: moving 3 s later); 1 fell walking at 1 m/s
    wrench_weight_walking: float = 0.1
    #: [s] the weight moves between wrench_weight and wrench_weight_walking geometrically over
    #: this long, [0, 1] (0: at once): switched at once, the walk on ±0.9-cm rough ground that a
    #: sideways lurch had handed to the QP's own balance fell when it was handed back mid-sway
    wrench_weight_ramp_s: float = 0.2
    contact_kd: float = 10.0  # [1/s]
    torque_limit_scale: float = 1.0  # [-] fraction of the URDF effort limit, (0, 1]
    joint_kp: float = 0.0  # [N·m/rad] stiffness of the MIT command around the WBC's desired state
    joint_kd: float = 2.0  # [N·m·s/rad] damping of the MIT command
    dt: float = 0.001  # [s] control period


@dataclass
class WbcSolution:
    """Result of one tick. Joint-indexed arrays are in Pinocchio joint order."""

    ok: bool
    status: str
    iterations: int
    qdd: np.ndarray  # (nv,) [m/s², rad/s²]
    wrenches: dict  # contact -> (6,) [N, N·m], LWA at the sole
    tau: np.ndarray  # (nj,) [N·m]
    cop_xy: np.ndarray = field(default_factory=lambda: np.zeros(2))  # [m] CoP of the solved contact wrenches, world
    dcm_xy: np.ndarray = field(default_factory=lambda: np.zeros(2))  # [m] measured DCM, world
    build_time_us: float = 0.0
    solve_time_us: float = 0.0


@dataclass
class QpData:
    """The assembled QP: min 0.5 xᵀHx + gᵀx  s.t. A x = b,  l <= C x <= u."""

    H: np.ndarray
    g: np.ndarray
    A: np.ndarray
    b: np.ndarray
    C: np.ndarray
    l: np.ndarray
    u: np.ndarray


class SolePlacement:
    """A swing foot's reference placement: ``rotation`` (3, 3) world_R_sole and
    ``translation`` (3,) [m] world — the two attributes the foot task reads (a pin.SE3 has
    them too), refilled in place every tick."""

    __slots__ = ("rotation", "translation")

    def __init__(self):
        self.rotation = np.eye(3)
        self.translation = np.zeros(3)


def _yaw_rotation(out: np.ndarray, yaw: float) -> np.ndarray:
    """``out`` (3, 3) ← the rotation by ``yaw`` [rad] about world z; returns ``out``."""
    c, s = math.cos(yaw), math.sin(yaw)
    out[0, 0], out[0, 1], out[0, 2] = c, -s, 0.0
    out[1, 0], out[1, 1], out[1, 2] = s, c, 0.0
    out[2, 0], out[2, 1], out[2, 2] = 0.0, 0.0, 1.0
    return out


class WholeBodyController:
    def __init__(self, robot: RobotModel, params: WbcParams | None = None):
        self.robot = robot
        self.p = params or WbcParams()
        p = self.p
        self.dyn = DynamicsComputer(robot)
        self.layout = QpLayout(robot.nv, tuple(robot.config.feet))
        self.com_task = ComTask(p.com_weight, kp=(0.0, 0.0, p.com_kp_z), kd=(p.com_kd_xy, p.com_kd_xy, p.com_kd_z))
        self.orientation_task = BaseOrientationTask(p.orientation_weight, p.orientation_kp, p.orientation_kd)
        self.posture_task = PostureTask(robot.nominal_joint_positions(), p.posture_weight, p.posture_kp, p.posture_kd)
        self.wrench_task = ContactWrenchTask(p.wrench_weight)
        self._wrench_weight = p.wrench_weight  # [-] now, on its ramp (wrench_weight_ramp_s)
        lo, hi = sorted((p.wrench_weight, p.wrench_weight_walking))
        #: [-] the ramp's factor per tick (None: the weight switches at once)
        self._wrench_ramp_factor = (hi / lo) ** (p.dt / p.wrench_weight_ramp_s) \
            if p.wrench_weight_ramp_s > 0.0 and lo > 0.0 and hi > lo else None
        kp, kd = np.full(6, p.swing_kp), np.full(6, p.swing_kd)  # rows [x, y, z, rx, ry, rz]
        kp_uneven, kd_uneven = kp.copy(), kd.copy()
        kp_uneven[2], kd_uneven[2] = p.swing_kp_z_uneven, p.swing_kd_z_uneven
        #: {lifts over an edge (SwingReference.lifts_over_edge): (kp (6,), kd (6,))} of the swing-foot task
        self._swing_gains = {False: (kp, kd), True: (kp_uneven, kd_uneven)}
        self.slope_landing = SlopeLanding(p.slope_landing_max_deg)
        self.foot_tasks = {c: FootTask(c, p.foot_weight, *self._swing_gains[False]) for c in self.layout.contacts}
        self.wrench_cone = ContactWrenchCone(robot.config.feet, mu=p.friction_coefficient,
                                             mu_yaw=p.friction_coefficient * p.yaw_friction_arm_m,
                                             cop_margin_walking=p.cop_support_fraction, cone=p.friction_cone)
        self.friction = FrictionEstimate(p.friction_coefficient, self.layout.contacts, p.dt,
                                         FrictionEstimateParams(gap=p.slip_friction_gap))
        self._torque_limits = TorqueLimits(robot.tau_max, p.torque_limit_scale)
        self.constraints = [
            FloatingBaseDynamics(),
            ContactAcceleration(p.contact_kd),
            self.wrench_cone,
            self._torque_limits,
        ]
        self.balance = DcmBalance(p.dcm_gain, p.cop_margin_m)
        self.n_eq = sum(c.num_rows(self.layout) for c in self.constraints if c.is_equality)
        self.n_in = sum(c.num_rows(self.layout) for c in self.constraints if not c.is_equality)
        n = self.layout.n
        #: the QP, allocated once; :meth:`build` overwrites it every tick
        self.qp_data = QpData(np.zeros((n, n)), np.zeros(n), np.zeros((self.n_eq, n)), np.zeros(self.n_eq),
                              np.zeros((self.n_in, n)), np.zeros(self.n_in), np.zeros(self.n_in))
        self._row_blocks = self._split_rows()
        self._H_regularisation = 1e-8 * np.eye(n)  # keeps H positive definite
        self._active = np.zeros(len(self.layout.contacts), dtype=bool)
        self._balance_out = np.zeros(7)
        self._com_acc = np.zeros(3)
        self._command = np.zeros((5, robot.nj))
        self._cop = np.zeros(2)
        self._wrench_refs = {}
        kernels.warm_up()
        # ProxSuite is the fallback of the active-set solve: a fresh solver each time, so a
        # lockstep run repeats bit for bit (dense_qp's docstring)
        self._qp = DenseQp(self.layout.n, self.n_eq, self.n_in,
                           QpSettings(1e-5, self.MAX_OUTER_ITERATIONS, self.MAX_INNER_ITERATIONS, "equality",
                                      reuse=False))
        self._kkt = None  # work buffers and the active rows of the active-set solve
        self.kkt_solves = 0  # ticks solved by the active-set method (ProxSuite not needed)
        self.polished_solves = 0  # ProxSuite answers replaced by the KKT solve on its active rows
        self.com_ref = None  # [m] world; set on the first tick (centre of the feet, nominal height)
        self._ref_buffers = None  # the tasks' references while walking (see _apply_reference)
        self.last_solution: WbcSolution | None = None
        self.failures = 0
        self.relaxed_solves = 0  # ticks solved only with the torque limits (and the stepping CoP support) relaxed
        self._damping = np.ascontiguousarray(robot.damping, dtype=float)
        #: (nc, 4, 3) [m] sole corners in each sole frame, layout order
        self._corners = np.array([[[sx * robot.config.feet[c].length / 2, sy * robot.config.feet[c].width / 2, 0.0]
                                   for sx in (-1, 1) for sy in (-1, 1)] for c in self.layout.contacts])

    def _weight_share_wrench(self, fz: float) -> np.ndarray:
        """[0, 0, fz, 0, 0, 0] (cached per value: the standing tick asks the same one)."""
        w = self._wrench_refs.get(fz)
        if w is None:
            w = self._wrench_refs[fz] = np.array([0.0, 0.0, fz, 0.0, 0.0, 0.0])
        return w

    def _split_rows(self) -> list:
        """Each constraint's views into the preallocated A, b (equalities) or C, l, u."""
        qp, blocks, eq, ineq = self.qp_data, [], 0, 0
        for con in self.constraints:
            m = con.num_rows(self.layout)
            if con.is_equality:
                blocks.append((qp.A[eq:eq + m], qp.b[eq:eq + m]))
                eq += m
            else:
                blocks.append((qp.C[ineq:ineq + m], qp.l[ineq:ineq + m], qp.u[ineq:ineq + m]))
                ineq += m
        return blocks

    # ------------------------------------------------------------------ references
    def reset_references(self, terms: DynamicsTerms) -> None:
        """Stand where we are: CoM over the middle of the feet at the current CoM height,
        base upright with the feet's mean yaw."""
        mid = np.mean([terms.feet_placement[c].translation for c in self.layout.contacts], axis=0)
        self.com_ref = np.array([mid[0], mid[1], terms.com[2]])
        yaw = circular_mean([np.arctan2(terms.feet_placement[c].rotation[1, 0], terms.feet_placement[c].rotation[0, 0])
                             for c in self.layout.contacts])
        self.orientation_task.rotation_ref = pin.rpy.rpyToMatrix(0.0, 0.0, float(yaw))

    # ------------------------------------------------------------------ build / solve
    def build(self, q: np.ndarray, v: np.ndarray, active: dict, ref: WbcReference | None = None) -> tuple:
        """Assemble the QP for state (q, v) and contact flags. Returns (QpData, terms, balance);
        both are buffers refilled by the next call.

        ``ref`` (a plan's tick): its contacts replace ``active``, the CoM tracks the planned
        motion, wrenches are pulled towards the planned ones, swing feet follow their
        references. Without it the robot stands by DCM feedback."""
        terms = self.dyn.compute(q, v)
        if self.com_ref is None:
            self.reset_references(terms)
        if ref is not None:
            active = ref.contacts
        self.wrench_cone.walking = ref is not None  # the smaller CoP support while stepping
        stance = [c for c in self.layout.contacts if active.get(c, False)]
        flags = self._active
        for k, c in enumerate(self.layout.contacts):
            flags[k] = bool(active.get(c, False))
        b, out = self.balance, self._balance_out
        kernels.dcm_balance(out, self._corners, terms.contact_rotation, terms.contact_position, flags, terms.com,
                            terms.com_velocity, self.com_ref[:2], b.gain, b.margin, b.max_acceleration)
        bal = BalanceOutput(out[0:2].copy(), out[2:4].copy(), out[4:6].copy(), bool(out[6]))
        weight_share = self.robot.mass * GRAVITY / max(len(stance), 1)
        if ref is None:
            self.com_task.com_ref = self.com_ref
            self.com_task.v_ref = None
            a = self._com_acc
            a[0:2] = out[0:2]
            self.com_task.a_ref = a
            self.wrench_task.wrench_ref = {c: self._weight_share_wrench(weight_share) for c in stance}
            self.wrench_task.weight = self._wrench_weight = self.p.wrench_weight
        else:
            self._apply_reference(terms, ref, stance, weight_share)
        qp = self.qp_data
        qp.H[:] = self._H_regularisation
        qp.g[:] = 0.0
        for task in (self.com_task, self.orientation_task, self.posture_task, self.wrench_task):
            task.add_to_cost(terms, self.layout, qp.H, qp.g)
        for k, c in enumerate(self.layout.contacts):
            if not flags[k]:
                self.foot_tasks[c].add_to_cost(terms, self.layout, qp.H, qp.g)
        for con, out in zip(self.constraints, self._row_blocks):
            con.fill(terms, self.layout, flags, out)
        return qp, terms, bal

    def _ramp_wrench_weight(self, target: float) -> float:
        """The wrench task's weight one tick closer to ``target`` (geometrically, from
        wrench_weight to wrench_weight_walking in wrench_weight_ramp_s)."""
        now, k = self._wrench_weight, self._wrench_ramp_factor
        if k is None:
            self._wrench_weight = target
            return target
        self._wrench_weight = min(target, now * k) if target > now else max(target, now / k)
        return self._wrench_weight

    def _apply_reference(self, terms: DynamicsTerms, ref: WbcReference, stance: list, weight_share: float) -> None:
        """The tasks' references from a plan's tick, written into buffers the tasks keep
        (allocated on the first walking tick; no Pinocchio objects per tick)."""
        p = self.p
        buf = self._ref_buffers
        if buf is None:
            buf = self._ref_buffers = {"com": np.zeros(3), "com_v": np.zeros(3), "com_a": np.zeros(3),
                                       "yaw_R": np.eye(3), "yaw_v": np.zeros(3),
                                       **{f"{c}_{k}": np.zeros(6) for c in self.foot_tasks for k in ("v", "a")},
                                       **{f"{c}_R": np.eye(3) for c in self.foot_tasks}}
        com, cv = terms.com, terms.com_velocity
        rp, rv, ra = ref.com_position, ref.com_velocity, ref.com_acceleration
        a = buf["com_a"]
        a[:] = ra
        a[0] += p.com_kp_xy * (rp[0] - com[0]) + p.com_kd_track_xy * (rv[0] - cv[0])
        a[1] += p.com_kp_xy * (rp[1] - com[1]) + p.com_kd_track_xy * (rv[1] - cv[1])
        c_ref, v_ref = buf["com"], buf["com_v"]
        c_ref[0], c_ref[1], c_ref[2] = com[0], com[1], rp[2]  # z by the task's PD
        v_ref[0], v_ref[1], v_ref[2] = cv[0], cv[1], rv[2]
        task = self.com_task
        task.com_ref, task.v_ref, task.a_ref = c_ref, v_ref, a
        self.com_ref = np.array(rp, dtype=float)
        # the plan's wrenches only while the plan walks (the contacts are ref.contacts, as the
        # touch-down monitor adjusted them: build() takes its stance from them); on uneven ground
        # they are dropped at once, not over the ramp (blind stairs: see LocomotionParams.uneven_max_speed_mps)
        if ref.uneven_ground:
            self._wrench_weight = p.wrench_weight
        self.wrench_task.weight = self._ramp_wrench_weight(p.wrench_weight_walking if ref.walking else p.wrench_weight)
        self.wrench_task.wrench_ref = {c: ref.wrenches[c] if c in ref.wrenches else
                                       self._weight_share_wrench(weight_share) for c in stance}
        if ref.base_yaw is not None:
            task = self.orientation_task
            task.rotation_ref = _yaw_rotation(buf["yaw_R"], float(ref.base_yaw))
            buf["yaw_v"][2] = ref.base_yaw_rate
            task.v_ref = buf["yaw_v"]
        for c, task in self.foot_tasks.items():
            sw = ref.swing.get(c)
            if sw is None or c in stance:
                task.kp, task.kd = self._swing_gains[False]
                task.placement_ref, task.v_ref, task.a_ref = None, None, None
                self.slope_landing.stance(c)
                continue
            task.kp, task.kd = self._swing_gains[bool(sw.lifts_over_edge)]
            v, acc = buf[f"{c}_v"], buf[f"{c}_a"]
            v[0:3] = sw.velocity
            v[5] = sw.yaw_rate
            acc[0:3] = sw.acceleration
            placement = task.placement_ref if isinstance(task.placement_ref, SolePlacement) else SolePlacement()
            _yaw_rotation(placement.rotation, float(sw.yaw))
            if len(stance) == 1 and not ref.uneven_ground:  # (blind stairs: a tilted stance sole is on a nosing)
                tilt = self.slope_landing.landing_tilt(c, terms.feet_placement[c].rotation,
                                                       terms.feet_placement[stance[0]].rotation, ref.com_velocity)
                if tilt is not None:
                    placement.rotation[:] = tilt @ placement.rotation
            placement.translation[:] = sw.position
            task.placement_ref, task.v_ref, task.a_ref = placement, v, acc

    #: ProxQP iteration caps: warm-started standing solves take 0–25 inner iterations.
    MAX_OUTER_ITERATIONS = 50
    MAX_INNER_ITERATIONS = 100

    #: [-] feasibility and multiplier-sign tolerance of the active-set solve
    ACTIVE_SET_TOLERANCE = 1e-9
    #: KKT solves the active-set method may take (from each start) before ProxSuite decides
    ACTIVE_SET_MAX_SOLVES = 8
    #: a ProxSuite multiplier beyond this marks its row active for the next tick's hot start
    ACTIVE_SET_SEED_MULTIPLIER = 1e-6

    def solve(self, qp: QpData) -> tuple:
        """Solve the QP. Returns (ok, status, iterations, x).

        First a primal active-set method (:func:`~humanoid_control.kernels.wbc.active_set_qp`)
        hot-started from the previous tick's active rows: each round is one exact KKT solve;
        from one tick to the next the active set mostly stays, so one or two solves finish it
        (status ``ACTIVE_SET``, iterations = KKT solves). Its answer is taken only when the
        KKT conditions hold (every row within its bounds, every held row's multiplier of the
        right sign) — then it is the QP's solution. Otherwise (more rounds needed, or a
        singular system) ProxSuite (:class:`~humanoid_control.dense_qp.DenseQp`: warm-started from its previous
        solution, a cold retry after a failure), whose multipliers also seed the next
        tick's active set."""
        n, m, r = qp.H.shape[0], qp.A.shape[0], qp.C.shape[0]
        if self._kkt is None:
            self._kkt = (np.zeros((n + m + r, n + m + r)), np.zeros(n + m + r), np.zeros(n), np.zeros(r, dtype=np.int8))
        K, rhs, x, active = self._kkt
        solves = -1
        for start in ("hot", "cold"):
            if start == "cold":
                if not active.any():
                    break
                active[:] = 0  # the previous tick's rows did not fit this one: start from none
            try:
                solves = kernels.active_set_qp(qp.H, qp.g, qp.A, qp.b, qp.C, qp.l, qp.u, active, K, rhs, x,
                                               self.ACTIVE_SET_MAX_SOLVES, self.ACTIVE_SET_TOLERANCE)
            except np.linalg.LinAlgError:  # rows that depend on each other held at once
                solves = -1
            if solves > 0:
                break
        if solves > 0 and np.all(np.isfinite(x)):
            self.kkt_solves += 1
            return True, "ACTIVE_SET", solves, x.copy()
        r = self._qp.solve(qp.H, qp.g, qp.A, qp.b, qp.C, qp.l, qp.u)
        active[:] = 0
        if not r.ok:
            return r.ok, r.status, r.iterations, r.x
        self._seed_active_set(r.z)  # the rows ProxSuite's multipliers hold
        # polished: the exact KKT solve on those rows. ProxSuite's last bits depend on where its
        # buffers lie in memory, and its rounded answer still differed between two lockstep runs
        # now and then (a rounding boundary between them: a randomized walk ended 0.47 m apart);
        # the KKT solve's answer depends on the problem and the rows alone
        try:
            solves = kernels.active_set_qp(qp.H, qp.g, qp.A, qp.b, qp.C, qp.l, qp.u, active, K, rhs, x,
                                           self.ACTIVE_SET_MAX_SOLVES, self.ACTIVE_SET_TOLERANCE)
        except np.linalg.LinAlgError:
            solves = -1
        if solves > 0 and np.all(np.isfinite(x)):
            self.polished_solves += 1
            return True, r.status, r.iterations + solves, x.copy()
        self._seed_active_set(r.z)
        return r.ok, r.status, r.iterations, r.x

    def _seed_active_set(self, z: np.ndarray) -> None:
        """The next active-set start: the rows ProxSuite's multipliers ``z`` (n_in,) hold."""
        active = self._kkt[3]
        active[:] = 0
        active[z > self.ACTIVE_SET_SEED_MULTIPLIER] = 1
        active[z < -self.ACTIVE_SET_SEED_MULTIPLIER] = -1

    def update(self, q: np.ndarray, v: np.ndarray, active: dict, ref: WbcReference | None = None) -> WbcSolution:
        """One control tick: build, solve, compute torques [N·m] (Pinocchio joint order)."""
        t0 = time.perf_counter()
        qp, terms, bal = self.build(q, v, active, ref)
        t1 = time.perf_counter()
        ok, status, iters, x = self.solve(qp)
        if not ok or not np.all(np.isfinite(x)):
            ok, status, iters, x = self._solve_relaxed(qp, terms)
        t2 = time.perf_counter()
        if not ok or not np.all(np.isfinite(x)):
            self.failures += 1
            if self.last_solution is not None:
                prev = self.last_solution
                return WbcSolution(False, status, iters, prev.qdd, prev.wrenches, prev.tau, prev.cop_xy, prev.dcm_xy,
                                   (t1 - t0) * 1e6, (t2 - t1) * 1e6)
            x = np.zeros(self.layout.n)
        lay = self.layout
        qdd = x[lay.qdd]
        wrenches = {c: x[lay.wrench(c)] for c in lay.contacts}
        tau = np.empty(self.robot.nj)  # [N·m]; kept by last_solution, so not a shared buffer
        kernels.joint_torques(tau, terms.M, terms.h, terms.J_contacts, x, self._damping, v[6:], lay.nv)
        cop = self._cop.copy() if kernels.net_cop(self._cop, terms.contact_position, x[lay.wrenches], 1.0) else bal.cop_xy
        sol = WbcSolution(ok, status, iters, qdd, wrenches, tau, cop, bal.dcm_xy,
                          (t1 - t0) * 1e6, (t2 - t1) * 1e6)
        if ok:
            self.last_solution = sol
        return sol

    def read_soles(self, measured: dict) -> float:
        """The soles' force sensors after a tick: ``measured`` {sole: wrench (6,) [N, N·m], sole
        frame}. The floor's friction estimate (:class:`FrictionEstimate`) reads them against the
        last solution's wrenches; when it moves, the friction cone follows from the next tick
        (its torsional bound with it). Returns the QP's μ [-]."""
        sol, fe = self.last_solution, self.friction
        if sol is None or not fe.enabled:
            return self.wrench_cone.mu
        rot = self.dyn.terms.contact_rotation
        rotations = {c: rot[k] for k, c in enumerate(self.layout.contacts)}
        commanded = {c: w for c, w in sol.wrenches.items() if self._active[self.layout.contacts.index(c)]}
        mu = fe.update(commanded, rotations, measured)
        if abs(mu - self.wrench_cone.mu) > 0.005 or (mu == fe.mu0 and self.wrench_cone.mu != mu):
            self.wrench_cone.set_mu(mu, mu * self.p.yaw_friction_arm_m)
        return self.wrench_cone.mu

    #: [N·m] the torque rows' bound once relaxed (the joint command still clips to the limits)
    RELAXED_TORQUE_BOUND = 1e9

    def _solve_relaxed(self, qp: QpData, terms: DynamicsTerms) -> tuple:
        """The QP had no solution (a state far from the plan: the stance leg's torques beyond
        their limits while the CoP stays in the stepping support). Solve it again with its
        actuator torque limits lifted — the joint command clips the torques to the limits
        anyway, and a clipped answer to this state beats the stale one of a past state — and,
        if that is still infeasible, with the standing CoP support (the larger share of each
        sole) instead of the stepping one too. Returns what :meth:`solve` does, the status
        prefixed ``RELAXED_TORQUE:`` or ``RELAXED_COP:``."""
        torque = self._row_blocks[self.constraints.index(self._torque_limits)]
        lo, up = torque[1].copy(), torque[2].copy()
        torque[1][:], torque[2][:] = -self.RELAXED_TORQUE_BOUND, self.RELAXED_TORQUE_BOUND
        ok, status, iters, x = self.solve(qp)
        tag = "RELAXED_TORQUE"
        if (not ok or not np.all(np.isfinite(x))) and self.wrench_cone.walking:
            self.wrench_cone.walking = False
            self.wrench_cone.fill(terms, self.layout, self._active,
                                  self._row_blocks[self.constraints.index(self.wrench_cone)])
            self.wrench_cone.walking = True
            ok, status, iters, x = self.solve(qp)
            tag = "RELAXED_COP"
        torque[1][:], torque[2][:] = lo, up
        if ok and np.all(np.isfinite(x)):
            self.relaxed_solves += 1
        return ok, f"{tag}:{status}", iters, x

    def joint_command(self, sol: WbcSolution, q: np.ndarray, v: np.ndarray) -> tuple:
        """MIT-mode command (position [rad], velocity [rad/s], effort [N·m], kp, kd) in
        Pinocchio joint order: the WBC torque plus light feedback around the state the WBC
        wants one period ahead, clipped to the position, velocity and effort limits."""
        out = self.joint_command_rows(sol, q, v)
        return out[0].copy(), out[1].copy(), out[2].copy(), out[3].copy(), out[4].copy()

    def joint_command_rows(self, sol: WbcSolution, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        """:meth:`joint_command` as one (5, nj) buffer (rows position, velocity, effort, kp,
        kd), overwritten by the next call: within the URDF limits the driver enforces (it
        rejects, not clamps, what is beyond)."""
        r = self.robot
        out = self._command
        kernels.mit_command(out, q[7:], v[6:], sol.qdd[6:], sol.tau, self.p.dt, r.q_lower, r.q_upper, r.v_max,
                            r.tau_max, float(self.p.joint_kp), float(self.p.joint_kd))
        return out
