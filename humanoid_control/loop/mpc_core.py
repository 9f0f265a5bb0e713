"""The MPC node's per-period body, ROS-free: velocity commands (script and ``/cmd_vel``),
the locomotion planner (gait, footsteps, swings, centroidal MPC) and its statistics.

Commands: the scripted ``cmd_vel_script`` (times from the start of the run: simulation time,
or on wall-clock time seconds from the first state) and/or a live twist; the latest of
either wins; both are clamped to ``max_v*`` and slewed at ``max_acc_*``. A twist older than
``cmd_vel_timeout_s`` of state time counts as zero."""
from __future__ import annotations

import numpy as np

from humanoid_control.errors import ConfigError
from humanoid_control.mpc.centroidal_mpc import MpcParams
from humanoid_control.planning.command import CommandLimiter, parse_cmd_vel, scripted_command_at
from humanoid_control.planning.gait_scheduler import GaitParams
from humanoid_control.planning.locomotion import LocomotionParams, LocomotionPlan, LocomotionPlanner
from humanoid_control.planning.plan_codec import encode
from humanoid_control.planning.terrain_map import TerrainMap
from humanoid_control.planning.velocity_feedback import VelocityFeedbackParams
from humanoid_control.robot.model import RobotModel
from humanoid_control.timing import NodeStats, Stopwatch, TimingStats

#: the controller's flags that ride with a state (:meth:`MpcCore.update`): bit 0, the driver holds
#: the joints (a controlled stop: the commands do not reach them); bit 1 + i, the estimator has
#: foot i (robot config order) in contact
FLAG_HELD = 1


def controller_flags(held: bool, in_contact) -> int:
    """The flags word of :meth:`MpcCore.update` from the driver holding the joints and the
    estimator's contact flags (one per foot, robot config order)."""
    word = FLAG_HELD if held else 0
    for i, c in enumerate(in_contact):
        if c:
            word |= 2 << i
    return word


SIM_CLOCK_MAX_S = 3600.0  # [s] first stamps below this are taken as run time (simulation), above as wall clock
BUDGET_SHARE_OF_PERIOD = 0.8  # [-] a solve's wall-clock budget is at most this share of the MPC period


def solve_budget_s(max_solve_time_s: float, rate_hz: float) -> float:
    """[s] the wall-clock budget of one solve: ``max_solve_time_s`` capped at
    BUDGET_SHARE_OF_PERIOD of the MPC period; 0 stays 0 (no limit)."""
    if max_solve_time_s <= 0.0:
        return 0.0
    return min(max_solve_time_s, BUDGET_SHARE_OF_PERIOD / rate_hz)


class SolveTimes:
    """The MPC's per-solve figures, from encoded plans (:func:`~humanoid_control.planning.plan_codec.encode`):
    wall and CPU time of build + solve [µs], failed solves, solves out of their budget.
    Kept where the solves happen (the core) and where their plans arrive (the MPC worker's parent)."""

    def __init__(self, rate_hz: float):
        self.wall = TimingStats(1.0 / rate_hz)
        self.cpu = TimingStats(1.0 / rate_hz)  # the solving thread's CPU time
        self.failures = 0
        self.budget_exceeded = 0  # solves that ran out of their wall-clock budget

    def add(self, fields: dict) -> None:
        self.wall.add(float(fields["solve_time_ms"]) * 1e3)
        self.cpu.add(float(fields.get("solve_cpu_ms", 0.0)) * 1e3)
        self.failures += not fields["ok"]
        self.budget_exceeded += bool(fields.get("budget_exceeded", False))

    def figures(self, recent_s: float | None = None) -> dict:
        """The diagnostics values (and so the report's ``mpc`` entry) of these solves (of the
        last ``recent_s`` seconds' solves: live diagnostics)."""
        p50, p99, _ = self.wall.percentiles(recent_s)
        c50, c99, _ = self.cpu.percentiles(recent_s)
        return {"solver_failures": self.failures, "budget_exceeded": self.budget_exceeded,
                "solve_p50_ms": f"{p50 * 1e-3:.3f}", "solve_p99_ms": f"{p99 * 1e-3:.3f}",
                "solve_cpu_p50_ms": f"{c50 * 1e-3:.3f}", "solve_cpu_p99_ms": f"{c99 * 1e-3:.3f}"}


class MpcCore:
    def __init__(self, cfg: dict, robot: RobotModel | None = None):
        self.cfg = cfg
        self.robot = robot if robot is not None else RobotModel.load(cfg["robot"])
        gait = GaitParams(cfg["step_period_s"], cfg["double_support_ratio"], cfg["step_height_m"])
        mpc = MpcParams(horizon_s=cfg["horizon_s"], knots=cfg["knots"], friction_coefficient=cfg["friction_coefficient"],
                        solver=cfg["solver"], max_iterations=cfg["max_iterations"],
                        max_solve_time_s=solve_budget_s(cfg["max_solve_time_s"], cfg["rate_hz"]))
        speed = VelocityFeedbackParams(cfg["speed_feedback_gain"], cfg["speed_feedback_gain_lateral"],
                                       disturbance_mps=cfg["speed_feedback_disturbance_mps"],
                                       min_command_share=cfg["speed_feedback_min_command_share"],
                                       lateral_below_mps=cfg["speed_feedback_lateral_below_mps"])
        self.planner = LocomotionPlanner(self.robot, LocomotionParams(gait=gait.validate(), mpc=mpc.validate(),
                                                                      velocity_feedback=speed.validate(),
                                                                      stumble_tilt_deg=cfg["stumble_tilt_deg"],
                                                                      straddle_tilt_deg=cfg["straddle_tilt_deg"],
                                                                      uneven_max_speed_mps=cfg["uneven_max_speed_mps"],
                                                                      sway_reference=float(cfg["sway_reference"]),
                                                                      step_sway_share=self._sway_share(cfg)),
                                         terrain_map=TerrainMap.from_param(cfg.get("terrain_map", ""), "mpc.terrain_map"))
        self.period_ns = int(round(1e9 / cfg["rate_hz"]))
        self.script = [parse_cmd_vel(s) for s in cfg["cmd_vel_script"] if s]
        self.limiter = CommandLimiter.from_params(cfg)
        self.twist = None  # (state stamp [ns] when received or None, (vx, vy, wz)) of the last live command
        self._script_origin_ns = None
        self.stats = TimingStats(1.0 / cfg["rate_hz"])
        self.solves = SolveTimes(cfg["rate_hz"])
        self.rejected = 0
        self.last_rejection = ""
        self.command = np.zeros(3)
        self.first_ns = None
        self.planned_ns = None  # [ns] stamp of the state the last plan started from
        self.last_plan: LocomotionPlan | None = None

    # ------------------------------------------------------------------ commands
    def _sway_share(self, cfg: dict) -> float:
        """[-] the stepping law's sway share: the node's step_sway_share, or with -1 the robot
        config's (its measured best)."""
        share = float(cfg["step_sway_share"])
        if share == -1.0:
            return self.robot.config.step_sway_share
        if not 0.0 <= share <= 1.0:
            raise ConfigError(f"mpc.step_sway_share = {share}: give a share in [0, 1], or -1 for the robot "
                              f"config's ({self.robot.config.step_sway_share})", "mpc")
        return share

    def set_twist(self, v, received_ns: int | None) -> None:
        """A live velocity command (vx, vy [m/s], wz [rad/s]) heard at state time ``received_ns``."""
        self.twist = (received_ns, tuple(float(x) for x in v))

    def script_time(self, ns: int) -> float:
        """[s] time of the command script at state stamp ``ns``: the stamp itself when the
        stamps count from the start of the run (simulation time, under SIM_CLOCK_MAX_S at the
        first state), otherwise seconds since the first state."""
        if self._script_origin_ns is None:
            self._script_origin_ns = 0 if ns < SIM_CLOCK_MAX_S * 1e9 else ns
        return (ns - self._script_origin_ns) * 1e-9

    def target_command(self, ns: int) -> tuple:
        t = self.script_time(ns)
        scripted = [c for c in self.script if c.t <= t]
        latest_script_t = max((c.t for c in scripted), default=None)
        twist = None
        if self.twist is not None:
            received_ns = ns if self.twist[0] is None else self.twist[0]
            if ns - received_ns <= self.cfg["cmd_vel_timeout_s"] * 1e9:
                twist = (self.script_time(received_ns), self.twist[1])
        if twist is not None and (latest_script_t is None or twist[0] >= latest_script_t):
            return twist[1]
        return scripted_command_at(self.script, t)

    def planned_this_period(self, ns: int) -> bool:
        """True when a plan already exists for the MPC period holding ``ns`` (the state the
        last plan started from again is not: its plan is said again)."""
        if ns == self.planned_ns:
            return False
        return self.planned_ns is not None and ns // self.period_ns <= self.planned_ns // self.period_ns

    # ------------------------------------------------------------------ planning
    def update(self, ns: int, q: np.ndarray, v: np.ndarray, flags: int | None = None) -> dict:
        """Plan from the state (q, v) (Pinocchio, base twist in the base frame) stamped
        ``ns``; ``flags`` (:func:`controller_flags`; None: not known — the processes layout)
        tell the planner whether the driver holds the joints and which feet are down.
        Returns the encoded plan (:func:`~humanoid_control.planning.plan_codec.encode`)."""
        sw = Stopwatch()
        self.planned_ns = ns
        t = ns * 1e-9
        self.command = self.limiter.update(t, self.target_command(ns))
        held, contacts = False, None
        if flags is not None:
            held = bool(flags & FLAG_HELD)
            contacts = {f: bool(flags & (2 << i)) for i, f in enumerate(self.planner.feet)}
        plan = self.planner.update(t, q, v, self.command, held=held, contacts=contacts)
        self.last_plan = plan
        fields = encode(plan)
        fields.update(self.planner.counters())  # (the worker's loop side reports them from here)
        if self.first_ns is None:
            self.first_ns = ns
        self.stats.add(sw.us())
        self.solves.add(fields)
        return fields

    def rate_hz(self, ns: int | None = None) -> float:
        """Plans per second of stamp time from the first plan to ``ns`` (default: the last plan)."""
        ns = self.planned_ns if ns is None else ns
        if self.first_ns is None or ns is None or ns <= self.first_ns:
            return 0.0
        return (self.stats.count - 1) / ((ns - self.first_ns) * 1e-9)

    def reject(self, why: str) -> None:
        """Count a refused input and keep why."""
        self.rejected += 1
        self.last_rejection = why

    def node_stats(self, name: str = "mpc", ns: int | None = None, recent_s: float | None = None) -> NodeStats:
        ok = self.last_plan is None or self.last_plan.mpc.ok
        return NodeStats.of(name, self.stats, 0 if ok else 1, "ok" if ok else self.last_plan.mpc.status, {
            "rejected": self.rejected, "last_rejection": self.last_rejection, **self.solves.figures(recent_s),
            "plans": self.stats.count,
            "rate_hz": f"{self.rate_hz(ns):.1f}", "command": ",".join(f"{x:.3f}" for x in self.command),
            **self.planner.counters()},
            recent_s=recent_s)
