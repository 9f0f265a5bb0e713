"""The WBC node's per-sample body, ROS-free: the whole-body QP and the plan it follows.

Without a plan the robot stands (both feet, DCM balance). With plans it tracks the newest
one; a plan older than ``plan_timeout_s`` counts as missing (stand, counted in
``plan_timeouts``); a plan that only stands hands balance back to the DCM law."""
from __future__ import annotations

import numpy as np

from humanoid_control.planning.locomotion import LocomotionPlan
from humanoid_control.robot.model import RobotModel
from humanoid_control.timing import NodeStats, Stopwatch, TimingStats
from humanoid_control.constants import GRAVITY
from humanoid_control.wbc.controller import WbcParams, WbcSolution, WholeBodyController
from humanoid_control.wbc.touchdown import TouchdownMonitor, TouchdownParams


class JointCommandArrays:
    """The MIT-mode command of one tick in Pinocchio joint order, preallocated (rows:
    position [rad], velocity [rad/s], effort [N·m], kp [N·m/rad], kd [N·m·s/rad])."""

    def __init__(self, nj: int):
        self.rows = np.zeros((5, nj))
        self.position, self.velocity, self.effort, self.kp, self.kd = self.rows


class WbcCore:
    def __init__(self, cfg: dict, robot: RobotModel | None = None):
        self.cfg = cfg
        self.robot = robot if robot is not None else RobotModel.load(cfg["robot"])
        wp = WbcParams(**{k: cfg[k] for k in WbcParams.__dataclass_fields__ if k in cfg})
        self.wbc = WholeBodyController(self.robot, wp)
        self.sides = tuple(self.robot.config.feet)
        self.stats = TimingStats(wp.dt)
        self.rejected = 0
        self.last_rejection = ""
        self.solver_failures = 0
        self.plan: LocomotionPlan | None = None
        self.plan_ns: int | None = None  # [ns] stamp of the state the plan starts from
        self.plans_received = 0
        self.plan_timeouts = 0
        self.plan_rejected = 0
        self.last_solution: WbcSolution | None = None
        self._walking = False
        self._planned_contact = {s: True for s in self.sides}
        self._q = np.zeros(self.robot.nq)
        self._v = np.zeros(self.robot.nv)
        self.command = JointCommandArrays(self.robot.nj)
        self._timeout_ns = int(cfg["plan_timeout_s"] * 1e9)
        td = TouchdownParams(cfg["touchdown_load_fraction"], cfg["max_late_touchdown_s"], cfg["early_touchdown"])
        self.touchdown = TouchdownMonitor(self.sides, self.robot.mass * GRAVITY, td)

    # ------------------------------------------------------------------ plans
    def accept_plan(self, plan: LocomotionPlan | None, ns: int, ok: bool = True, why: str = "") -> bool:
        """A plan stamped ``ns`` (``ok`` False: the MPC failed and said so; ``plan`` None with
        ``why``: it could not be decoded). The newest valid plan is kept; True if taken."""
        if not ok:
            self.plan_rejected += 1
            self.last_rejection = "the MPC did not converge: previous plan kept"
            return False
        if plan is None:
            self.plan_rejected += 1
            self.last_rejection = why
            return False
        if set(plan.feet) != set(self.sides):
            self.plan_rejected += 1
            self.last_rejection = (f"/centroidal_plan plans for feet {list(plan.feet)}; this robot's feet are "
                                   f"{list(self.sides)}")
            return False
        if self.plan_ns is not None and ns < self.plan_ns:
            return False
        self.plan, self.plan_ns = plan, ns
        self.plans_received += 1
        return True

    def reference(self, ns: int):
        """The plan's reference at ``ns``, or None (stand by DCM balance) when there is no
        fresh plan or the plan has no step in it (standing balance reacts to pushes faster
        than the MPC's CoM plan)."""
        if self.plan is None:
            return None
        if ns - self.plan_ns > self._timeout_ns:
            self.plan_timeouts += 1
            return None
        t = ns * 1e-9
        if self.plan.stands_through(t):
            if self._walking:
                self._walking = False
                self.wbc.com_ref = None  # re-centre the standing references where the walk ended
            return None
        self._walking = True
        return self.plan.reference_at(t)

    # ------------------------------------------------------------------ the tick
    def update(self, ns: int, joint_q: np.ndarray, joint_dq: np.ndarray, odom: np.ndarray,
               forces: dict | None = None) -> JointCommandArrays:
        """One tick for the state stamped ``ns``: joints in Pinocchio order, ``odom`` (13,) as
        :class:`~humanoid_control.loop.estimator_core.EstimatorOutput` lays it out, the feet's
        measured normal forces [N] (None: not sensed). Stance comes from the plan, moved only
        by touch-down (``wbc/touchdown.py``: a descending swing foot that is loaded lands, a
        landing that finds no ground waits briefly): a foot unloaded by a push stays in
        stance. Returns the command (preallocated, overwritten by the next call)."""
        q, v = self._q, self._v
        q[0:7] = odom[0:7]
        q[7:] = joint_q
        v[0:6] = odom[7:13]
        v[6:] = joint_dq
        return self.update_state(ns, q, v, forces)

    def update_state(self, ns: int, q: np.ndarray, v: np.ndarray, forces: dict | None = None,
                     wrenches: dict | None = None) -> JointCommandArrays:
        """:meth:`update` for a state already laid out as Pinocchio's ``q`` (nq) and ``v`` (nv)
        (the control loop builds them once per tick for the planner and the WBC). ``wrenches``
        {sole: (6,) [N, N·m], sole frame}: the soles' force sensors, read for slips (the floor's
        friction estimate, :meth:`WholeBodyController.read_soles`); None: not sensed."""
        sw = Stopwatch()
        ref = self.reference(ns)
        if ref is not None and forces is not None:
            ref = self.touchdown.adjust(self.plan, ns * 1e-9, ref, forces)
        sol = self.wbc.update(q, v, self._planned_contact, ref)
        if not sol.ok:
            self.solver_failures += 1
        self.last_solution = sol
        if wrenches is not None and sol.ok and self.wbc.friction.enabled:  # (off: no per-tick cost)
            self.wbc.read_soles(self._settled(ns, wrenches))
        self.command.rows[:] = self.wbc.joint_command_rows(sol, q, v)
        self.stats.add(sw.us())
        self.stats.iterations += sol.iterations
        return self.command

    #: [s] a sole is read for slips only while its planned contact began this long ago and lasts
    #: this long more: at a lift-off or a touch-down the sensor and the QP disagree without a
    #: slip (a recovery step's lift-off on a μ 1 floor read 0.21 against 0.5 commanded for 28 ms)
    SLIP_SETTLED_S = 0.05

    def _settled(self, ns: int, wrenches: dict) -> dict:
        """The entries of ``wrenches`` whose soles are in a settled stance (SLIP_SETTLED_S each
        side of the plan's time ``ns``); all of them without a plan."""
        plan = self.plan
        if plan is None:
            return wrenches
        t = ns * 1e-9
        before, after = plan.contacts_at(t - self.SLIP_SETTLED_S), plan.contacts_at(t + self.SLIP_SETTLED_S)
        return {s: w for s, w in wrenches.items() if before.get(s, False) and after.get(s, False)}

    def reject(self, why: str) -> None:
        """Count a refused input and keep why."""
        self.rejected += 1
        self.last_rejection = why

    def node_stats(self, name: str = "wbc", recent_s: float | None = None) -> NodeStats:
        sol = self.last_solution
        ok = sol is None or sol.ok
        cop = sol.cop_xy if sol is not None else np.zeros(2)
        return NodeStats.of(name, self.stats, 0 if ok else 1, "ok" if sol is None else sol.status, {
            "rejected": self.rejected, "last_rejection": self.last_rejection, "solver_failures": self.solver_failures,
            "solver_iterations_mean": f"{self.stats.iterations / max(self.stats.count, 1):.2f}",
            "cop_x": f"{cop[0]:.4f}", "cop_y": f"{cop[1]:.4f}", "plans_received": self.plans_received,
            "plan_timeouts": self.plan_timeouts, "plan_rejected": self.plan_rejected,
            "early_touchdowns": self.touchdown.early, "late_touchdowns": self.touchdown.late,
            "slope_landings": self.wbc.slope_landing.landings_tilted, "slips": self.wbc.friction.slips,
            "friction_mu": f"{self.wbc.wrench_cone.mu:.3f}",
            "relaxed_solves": self.wbc.relaxed_solves}, recent_s=recent_s)
