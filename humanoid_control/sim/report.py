"""The JSON report of ``humanoid-control sim`` (a public interface: keys are only ever added).

Ground truth comes from the simulator and is used here only, never by the controllers.

Keys (units in the names):
  fell                      base below half its initial height or tilted beyond 1 rad
  sim_time_s, wall_time_s, real_time_factor
  interrupted               true when Ctrl-C (SIGINT) ended the run before its duration
  cpu_cores                 {process: cores it kept busy over the run (CPU s / wall s, start-up
                            left out)}: composed/split loop_process (the loop, its ROS side),
                            mpc_worker, mirror, mpc (split); processes: driver, estimator, wbc,
                            mpc, monitor (this process)
  mode, layout              how the CLI ran (lockstep|realtime; composed|processes|split)
  backend                   the hardware backend the driver commanded (mujoco|mit-can|cia402)
  executor                  the rclpy executor of the composed graph (events|single)
  terrain                   the ground of the run (--terrain text: flat, slope:DEG@X, ...)
  terrain_map               the ground the planner was told of (mpc.terrain_map, --terrain-known);
                            "" when it walked blind
  base_height_min_m         lowest ground-truth base height above the ground beneath it
  max_tilt_rad              largest base tilt from vertical
  com_drift_xy_m            horizontal CoM distance between t = 0.5 s and the end
  com_displacement_xy_m     [x, y] the same displacement, world axes (where a walk ended up:
                            along a flight of stairs, not the distance of a wander sideways)
  estimator_pos_rmse_m      RMSE of |p_est - p_true| (base position, odom = world at start)
  estimator_pos_drift_m     |p_est - p_true| at the end
  estimator_vel_rmse_mps    RMSE of |v_est - v_true| (base linear velocity, world axes)
  pushes                    [{t_s, force_N, duration_s, impulse_Ns, delta_v_mps, recovered,
                              command, steps_in_window, speed_error_end_mps, back_to_command}]
                            recovered: no fall from the push until the window closes and the
                            horizontal base speed is back under 0.1 m/s when it closes; the
                            window is 3 s after the push ends, cut short by the next push, the
                            next velocity command or the end of the run, and a window shorter
                            than 1 s counts as not recovered. That is the standing criterion;
                            for a push while walking see back_to_command:
                              command               [vx, vy, wz] scripted when the push starts
                              steps_in_window       touch-downs from the push to the window's end
                              speed_error_end_mps   |mean horizontal velocity − command| (heading
                                                    frame) over the window's last 0.8 s, null when
                                                    the window is shorter than 1 s
                              back_to_command       no fall in the window and speed_error_end_mps
                                                    within max(0.1, 0.25·|command_xy|) m/s
  distance_m                horizontal path length of the CoM (sampled every 10 ms)
  mean_velocity             {vx, vy, wz}: mean base velocity in the heading frame while a
                            non-zero command holds [m/s, m/s, rad/s] (null without commands)
  velocity_tracking_error   largest relative error of the mean velocity over the steady part
                            of each non-zero command segment (its first 1.5 s and the last
                            0.5 s left out); |Δv_xy| / max(|v_cmd_xy|, 0.1) and
                            |Δwz| / max(|wz_cmd|, 0.2), the larger; null without segments.
                            A command without linear velocity (turning in place) takes
                            com_drift_mps / 0.1 for the linear part (before session 27 it took
                            the heading-frame mean, which reads the CoM circling a point 2 cm
                            away at 1 rad/s as 0.2 and a robot drifting 5 cm/s as < 0.1)
  velocity_segments         [{t_start_s, t_end_s, command, mean, error, com_drift_mps,
                            command_limited, error_limited}] the steady segments; command_limited:
                            the command as the planner may walk it (the mpc node's max_* and
                            command_envelope; a command past them is scaled down), error_limited:
                            the error against it (session 39); com_drift_mps: a command without
                            linear velocity (turning in place), how fast the CoM left where it
                            was over the steady part — world displacement / duration [m/s] —
                            null otherwise. (Turning in place the mean in the heading frame
                            shows the sway and the centre of rotation's offset from the CoM, not
                            whether the robot stays put: a
                            CoM that wandered 30 cm and one that stayed within 8 cm both meant
                            0.02 m/s sideways at 1 rad/s, measured)
  foot_slip_max_m           largest horizontal sliding of a loaded foot (ground truth) [m]
  steps_taken               touch-downs: estimated contacts that start after ≥ 0.1 s in the air
  mpc                       {solve_p50_ms, solve_p99_ms, solve_cpu_p50_ms, solve_cpu_p99_ms, rate_hz,
                            plans, solver_failures, budget_exceeded} when an MPC ran; solve_*: wall
                            time of build + solve, solve_cpu_*: the solving thread's CPU time for
                            it (the same minus preemption by other processes); budget_exceeded:
                            solves that ran out of the MPC's max_solve_time_s (wall clock;
                            lockstep runs set no budget)
  safety_events             [{t, reason, action, joint}] every safety transition of the driver, with
                            the sim time it took effect (same as nodes.driver.safety_events)
  nodes                     {name: {compute_p50_us, compute_p99_us, compute_max_us, overruns, ticks}}
                            + driver: mode, commands_rejected, last_rejection, commands_stale, missed_ticks,
                            latency_p50_us, latency_p99_us, latency_max_us, latency_samples (real time:
                            a state's publication to the arrival of the command answering it),
                            safety_events [{t, reason, action, joint}], CAN backends: motors
                            {joint: {temperature_c, error_code, reply_loss_rate, commands_saturated}},
                            buses {name: {frames_sent, corrupt_frames, send_errors}}; wbc: solver_failures;
                            mpc: recovery_starts (shoves answered by steps while standing, no command),
                            steps_retimed (steps whose lift-off/touch-down the step-timing
                            adaptation brought forward, or put off: steps_extended),
                            steps_swapped (steps the other foot took: swing-foot
                            selection), uneven_ground_detections (times the
                            feet stood at heights > 2.5 cm apart, or a swing stumbled: lift-first
                            swings followed), stumbles (swings started again, up first, after
                            their foot caught an edge: the stumble reflex), map_waits (on a
                            terrain map, lift-offs put off 20 ms until the DCM was over the
                            foot that stays), steps_extended (frozen swings made to land
                            later and further out after a late shove to their side; counted in
                            steps_retimed too), resyncs (walks re-phased to the feet when the
                            commands reach the joints again after a controlled stop);
                            wbc: early_touchdowns (swing feet that took their contact before
                            the planned time), late_touchdowns, slope_landings (swings walking
                            up a ramp whose sole landed parallel to the stance sole:
                            wbc.slope_landing_max_deg), relaxed_solves (ticks whose QP
                            had no solution within the torque limits and the stepping CoP
                            support: solved with them relaxed, see wbc/controller.py),
                            slips (stance soles read slipping by their force sensors,
                            wbc.slip_friction_gap), friction_mu (the QP's friction
                            coefficient at the end: the configured one unless a slip
                            lowered it);
                            estimator: rejected, foot_slides (stance feet whose leg
                            velocity the estimator set aside: sliding or dragged soles,
                            estimator.slip_gate_mps)
  artifacts                 only with --video / --plots / --viewer / --record / --foxglove:
                            {video: {path, frames, fps, width, height}, plots: [paths],
                            viewer: "opened" | "not opened: <why>",
                            recording: {path, messages: {topic: count}, skipped: {topic: why}},
                            foxglove: {url, updates}}
  randomize                 only with --randomize SEED:INDEX: {seed, index, scenario} — the
                            campaign trial it replays (humanoid_control/sim/campaign.py)
"""
from __future__ import annotations

import math

import numpy as np

from humanoid_control.spatial import rotate_by_quaternion, yaw_of_quaternion
from humanoid_control.timing import parse_safety_events

FALL_TILT_RAD = 1.0
RECOVERY_WINDOW_S = 3.0
RECOVERY_WINDOW_MIN_S = 1.0
RECOVERED_SPEED_MPS = 0.1
RECOVERY_MEAN_S = 0.8  # [s] the walking verdict averages the velocity over this (two steps of 0.4 s)
RECOVERED_SPEED_RATIO = 0.25  # [-] walking: back within this share of the commanded speed (or 0.1 m/s)


def _rot_z_axis(q_xyzw) -> np.ndarray:
    x, y, z, w = q_xyzw
    return np.array([2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y)])


def _rotate(q_xyzw, v) -> np.ndarray:
    return rotate_by_quaternion(q_xyzw, v)


def mpc_figures(values: dict) -> dict:
    """The report's ``mpc`` entry from the MPC node's diagnostics (strings or numbers)."""
    def f(k):
        try:
            return round(float(values.get(k, "nan")), 3)
        except (TypeError, ValueError):
            return float("nan")
    return {"solve_p50_ms": f("solve_p50_ms"), "solve_p99_ms": f("solve_p99_ms"), "rate_hz": f("rate_hz"),
            "solve_cpu_p50_ms": f("solve_cpu_p50_ms"), "solve_cpu_p99_ms": f("solve_cpu_p99_ms"),
            "plans": int(f("plans")) if np.isfinite(f("plans")) else 0, "solver_failures": int(f("solver_failures") or 0),
            "budget_exceeded": int(f("budget_exceeded")) if np.isfinite(f("budget_exceeded")) else 0}


class ReportBuilder:
    def __init__(self, robot_mass_kg: float):
        self.mass = robot_mass_kg
        self.t = []
        self.height = []
        self.tilt = []
        self.com = []
        self.vel_world = []
        self._gt = {}  # stamp ns -> (p, v_world)
        self.pos_err = []
        self.vel_err = []
        self.h0 = None
        self.nodes = {}
        self.yaw = []
        self.wz = []
        self.commands = []  # [(t [s], (vx, vy, wz))] piecewise-constant script
        #: (3,) -> (3,): a command as the planner is allowed to walk it (the mpc node's limits and
        #: envelope, planning.command.CommandLimiter.limit); None: as given
        self.command_limit = None
        self.mpc = None  # {solve_p50_ms, solve_p99_ms, rate_hz}
        self._air_since = {}  # foot -> time it left the ground
        self.steps = 0
        self.step_times = []  # [s] touch-downs counted in steps
        self.foot_slip_max_m = None  # [m] from the driver (simulation ground truth)
        self.interrupted = False  # Ctrl-C / SIGINT ended the run early
        self.cpu_cores = {}  # process -> cores it kept busy
        #: [m] the ground's height at (x, y) (a --terrain's Terrain.height_at); heights are measured above it
        self.ground_height = lambda x, y: 0.0

    def add_ground_truth(self, ns: int, p, q_xyzw, v_local, com, w_local=(0.0, 0.0, 0.0)) -> None:
        p = np.asarray(p, dtype=float)
        v_world = _rotate(q_xyzw, np.asarray(v_local, dtype=float))
        self.yaw.append(float(yaw_of_quaternion(q_xyzw)))
        self.wz.append(float(_rotate(q_xyzw, np.asarray(w_local, dtype=float))[2]))
        h = float(p[2]) - self.ground_height(float(p[0]), float(p[1]))  # above the ground beneath it
        if self.h0 is None:
            self.h0 = h
        self.t.append(ns * 1e-9)
        self.height.append(h)
        self.tilt.append(math.acos(max(-1.0, min(1.0, _rot_z_axis(q_xyzw)[2]))))
        self.com.append(np.asarray(com, dtype=float))
        self.vel_world.append(v_world)
        self._gt[ns] = (p, v_world)
        if len(self._gt) > 5000:
            for k in sorted(self._gt)[:1000]:
                del self._gt[k]

    def add_estimate(self, ns: int, p, q_xyzw, v_local) -> None:
        gt = self._gt.get(ns)
        if gt is None:
            return
        self.pos_err.append(float(np.linalg.norm(np.asarray(p) - gt[0])))
        self.vel_err.append(float(np.linalg.norm(_rotate(q_xyzw, np.asarray(v_local, dtype=float)) - gt[1])))

    #: Diagnostics values (strings on /diagnostics) kept in the report, as typed there.
    COUNT_KEYS = ("solver_failures", "rejected", "commands_rejected", "commands_stale", "missed_ticks",
                  "latency_samples", "plans_received", "plan_timeouts", "recovery_starts",
                  "steps_retimed", "steps_swapped", "uneven_ground_detections", "stumbles", "map_waits",
                  "steps_extended", "resyncs", "early_touchdowns",
                  "late_touchdowns", "slope_landings", "relaxed_solves", "slips", "foot_slides")
    FLOAT_KEYS = ("latency_p50_us", "latency_p99_us", "latency_max_us", "plant_p50_us", "plant_p99_us",
                  "friction_mu")
    TEXT_KEYS = ("mode", "last_rejection")

    def add_contacts(self, ns: int, in_contact: dict) -> None:
        """Estimated contact flags per foot; a contact after >= 0.1 s in the air is a step."""
        t = ns * 1e-9
        for foot, c in in_contact.items():
            if not c:
                self._air_since.setdefault(foot, t)
            else:
                since = self._air_since.pop(foot, None)
                if since is not None and t - since >= 0.1:
                    self.steps += 1
                    self.step_times.append(t)

    def walking_figures(self) -> dict:
        t = np.array(self.t)
        out = {"distance_m": 0.0, "mean_velocity": None, "velocity_tracking_error": None, "velocity_segments": [],
               "steps_taken": self.steps}
        if len(t) < 2:
            return out
        com = np.array(self.com)[:, :2]
        idx = np.arange(0, len(t), 10)
        out["distance_m"] = round(float(np.sum(np.linalg.norm(np.diff(com[idx], axis=0), axis=1))), 4)
        yaw = np.array(self.yaw)
        vw = np.array(self.vel_world)[:, :2]
        c, s = np.cos(yaw), np.sin(yaw)
        v_head = np.stack([c * vw[:, 0] + s * vw[:, 1], -s * vw[:, 0] + c * vw[:, 1], np.array(self.wz)], axis=1)
        cmds = sorted(self.commands)
        ends = [c2[0] for c2 in cmds[1:]] + [t[-1]]
        moving = np.zeros(len(t), bool)
        worst = None
        for (t0, cmd), t1 in zip(cmds, ends):
            cmd = np.asarray(cmd, dtype=float)
            if not np.any(np.abs(cmd) > 1e-6):
                continue
            moving |= (t >= t0) & (t < t1)
            sel = (t >= t0 + 1.5) & (t < t1 - 0.5)
            if sel.sum() < 100:
                continue
            mean = v_head[sel].mean(axis=0)
            drift = None
            if not np.any(np.abs(cmd[:2]) > 1e-6):  # in place: the world displacement over the steady part
                ts, cs = t[sel], com[sel]  # (the CoM array the distance above is measured on)
                drift = float(np.linalg.norm(cs[-1] - cs[0]) / (ts[-1] - ts[0]))

            def error_against(ref) -> float:  # the relative error of the mean against command ``ref``
                if drift is not None:  # the heading-frame mean shows the CoM circling, not the robot leaving
                    lin = drift / 0.1
                else:
                    lin = np.linalg.norm(mean[:2] - ref[:2]) / max(np.linalg.norm(ref[:2]), 0.1)
                return float(max(lin, abs(mean[2] - ref[2]) / max(abs(ref[2]), 0.2)))

            err = error_against(cmd)
            limited = cmd if self.command_limit is None else np.asarray(self.command_limit(cmd), dtype=float)
            err_limited = error_against(limited) if np.any(np.abs(limited - cmd) > 1e-9) else err
            drift = None if drift is None else round(drift, 4)
            out["velocity_segments"].append({"t_start_s": round(t0, 3), "t_end_s": round(float(t1), 3),
                                             "command": [float(x) for x in cmd],
                                             "mean": [round(float(x), 4) for x in mean], "error": round(err, 4),
                                             "com_drift_mps": drift,
                                             "command_limited": [round(float(x), 4) for x in limited],
                                             "error_limited": round(err_limited, 4)})
            worst = err if worst is None else max(worst, err)
        if moving.any():
            m = v_head[moving].mean(axis=0)
            out["mean_velocity"] = {"vx": round(float(m[0]), 4), "vy": round(float(m[1]), 4), "wz": round(float(m[2]), 4)}
        out["velocity_tracking_error"] = None if worst is None else round(worst, 4)
        return out

    def add_node_timing(self, name: str, values: dict) -> None:
        """A node's /diagnostics key-values (strings, or native values from in-process nodes)
        -> the report's typed per-node entry (same types whichever layout ran)."""
        def f(k):
            try:
                return float(values.get(k, "nan"))
            except (TypeError, ValueError):
                return float("nan")
        entry = {"compute_p50_us": f("compute_time_p50_us"), "compute_p99_us": f("compute_time_p99_us"),
                 "compute_max_us": f("compute_time_max_us"), "overruns": int(f("overruns") or 0),
                 "ticks": int(f("ticks") or 0)}
        for k in self.COUNT_KEYS:
            if k in values:
                entry[k] = int(f(k)) if np.isfinite(f(k)) else 0
        for k in self.FLOAT_KEYS:
            if k in values:
                entry[k] = f(k)
        for k in self.TEXT_KEYS:
            if k in values:
                entry[k] = str(values[k])
        if "safety_events" in values:
            entry["safety_events"] = parse_safety_events(values["safety_events"])
        motors, buses = {}, {}
        for k, v in values.items():
            group, _, rest = k.partition(".")
            if group in ("motor", "bus") and rest:
                item, _, field = rest.rpartition(".")
                (motors if group == "motor" else buses).setdefault(item, {})[field] = float(v)
        if motors:
            entry["motors"] = motors
            entry["buses"] = buses
        if "foot_slip_max_m" in values:
            self.foot_slip_max_m = round(f("foot_slip_max_m"), 5)
        self.nodes[name] = entry

    def add_node_stats(self, st) -> None:
        """A node's :class:`~humanoid_control.timing.NodeStats` (in-process or from
        /diagnostics) -> its entry under ``nodes`` (and ``mpc`` for the MPC)."""
        values = {**st.values, "compute_time_p50_us": st.compute_p50_us, "compute_time_p99_us": st.compute_p99_us,
                  "compute_time_max_us": st.compute_max_us, "overruns": st.overruns, "ticks": st.ticks}
        if st.safety_events is not None:
            values["safety_events"] = st.safety_events
        self.add_node_timing(st.name, values)
        if st.name == "mpc":
            self.mpc = mpc_figures(values)

    def fell_at(self, i: int) -> bool:
        return self.height[i] < 0.5 * self.h0 or self.tilt[i] > FALL_TILT_RAD

    def command_at(self, t: float) -> np.ndarray:
        """The scripted command (vx, vy, wz) holding at time ``t`` [s] (zero before the first)."""
        v = np.zeros(3)
        for t0, cmd in sorted(self.commands):
            if t0 <= t:
                v = np.asarray(cmd, dtype=float)
        return v

    def _walking_recovery(self, t: np.ndarray, p, end: float, idx: np.ndarray) -> dict:
        """The push row's walking keys (see the module docstring) for the window ``idx``."""
        cmd = self.command_at(p.t)
        steps = sum(1 for s in self.step_times if p.t <= s <= end)
        out = {"command": [float(x) for x in cmd], "steps_in_window": steps, "speed_error_end_mps": None,
               "back_to_command": False}
        if not len(idx) or end - (p.t + p.duration) < RECOVERY_WINDOW_MIN_S:
            return out
        tail = idx[t[idx] >= end - RECOVERY_MEAN_S]
        yaw = np.array(self.yaw)[tail]
        vw = np.array(self.vel_world)[tail, :2].mean(axis=0) if len(tail) else np.zeros(2)
        c, s = math.cos(float(np.mean(yaw))), math.sin(float(np.mean(yaw)))
        v_head = np.array([c * vw[0] + s * vw[1], -s * vw[0] + c * vw[1]])
        err = float(np.linalg.norm(v_head - cmd[:2]))
        out["speed_error_end_mps"] = round(err, 4)
        bound = max(RECOVERED_SPEED_MPS, RECOVERED_SPEED_RATIO * float(np.linalg.norm(cmd[:2])))
        out["back_to_command"] = bool(not any(self.fell_at(i) for i in idx) and err <= bound)
        return out

    def build(self, wall_time_s: float, pushes=()) -> dict:
        t = np.array(self.t)
        n = len(t)
        fell = any(self.fell_at(i) for i in range(n)) if n else True
        sim_time = float(t[-1]) if n else 0.0
        com = np.array(self.com) if n else np.zeros((0, 3))
        i0 = int(np.searchsorted(t, 0.5)) if n else 0
        displacement = com[-1, :2] - com[min(i0, n - 1), :2] if n else np.full(2, np.nan)  # [m] world
        drift = float(np.linalg.norm(displacement))
        push_rows = []
        starts = sorted([p.t for p in pushes] + [c[0] for c in self.commands])  # a new command ends a window too
        for p in pushes:
            dv = p.impulse / self.mass
            later = [s for s in starts if s > p.t]
            end = min([p.t + p.duration + RECOVERY_WINDOW_S, sim_time] + later)
            idx = np.nonzero((t >= p.t) & (t <= end))[0]
            recovered = bool(len(idx) and end - (p.t + p.duration) >= RECOVERY_WINDOW_MIN_S
                             and not any(self.fell_at(i) for i in idx)
                             and np.linalg.norm(self.vel_world[idx[-1]][:2]) < RECOVERED_SPEED_MPS)
            row = {"t_s": p.t, "force_N": list(p.force), "duration_s": p.duration,
                   "impulse_Ns": round(p.impulse, 4), "delta_v_mps": round(dv, 4), "recovered": recovered}
            row.update(self._walking_recovery(t, p, end, idx))
            push_rows.append(row)
        return {
            "fell": bool(fell),
            "sim_time_s": round(sim_time, 4),
            "wall_time_s": round(wall_time_s, 3),
            "interrupted": self.interrupted,
            "cpu_cores": dict(self.cpu_cores),
            "real_time_factor": round(sim_time / wall_time_s, 4) if wall_time_s > 0 else 0.0,
            "base_height_min_m": round(min(self.height), 4) if n else None,
            "max_tilt_rad": round(max(self.tilt), 5) if n else None,
            "com_drift_xy_m": round(drift, 5),
            "com_displacement_xy_m": [round(float(x), 5) for x in displacement],
            "estimator_pos_rmse_m": round(float(np.sqrt(np.mean(np.square(self.pos_err)))), 5) if self.pos_err else None,
            "estimator_pos_drift_m": round(self.pos_err[-1], 5) if self.pos_err else None,
            "estimator_vel_rmse_mps": round(float(np.sqrt(np.mean(np.square(self.vel_err)))), 5) if self.vel_err else None,
            "pushes": push_rows,
            **self.walking_figures(),
            "foot_slip_max_m": self.foot_slip_max_m,
            "mpc": self.mpc,
            "nodes": self.nodes,
            "safety_events": list(self.nodes.get("driver", {}).get("safety_events", [])),
        }


def report_builder_for(spec, robot) -> ReportBuilder:
    """The report builder of a run (a :class:`~humanoid_control.sim.run_spec.RunSpec`): the
    robot's mass, heights above the run's terrain, its scripted commands and, walking, the
    command as the planner may walk it (the mpc parameters validated, so a config folder
    older than a parameter reads its default)."""
    from humanoid_control.params import MPC, validate
    from humanoid_control.planning.command import CommandLimiter

    rb = ReportBuilder(robot.mass)
    rb.ground_height = spec.terrain.height_at
    rb.commands = list(spec.commands)
    if spec.walking:
        rb.command_limit = CommandLimiter.from_params(validate(spec.params["mpc"], MPC)).limit
    return rb
