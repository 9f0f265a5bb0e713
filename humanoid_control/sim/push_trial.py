"""One push trial on the ROS-free loop (lockstep, inline MPC, deterministic): walk at a
commanded speed from the start, a short push at a set time, then judge the walk a while
later. The sim suite's push cases (``test/loop/test_control_loop.py``) and the push sweep
(``bench/push_sweep.py``) both run it."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PUSH_S = 0.1  # [s] how long a push lasts


@dataclass
class PushTrial:
    fell: bool  # the safety layer left normal mode (fall detection)
    #: (2,) [m/s] the CoM's mean velocity over the last 0.8 s (one gait cycle) in the frame of
    #: the base's mean yaw there — the command's frame (up to the fall, if it fell)
    velocity: np.ndarray
    planner: object  # the LocomotionPlanner at the end (its counters and gait state)


def run_push_trial(direction_deg: float, t_push: float, dv: float = 0.5, vx: float = 0.5, after_s: float = 3.0,
                   robot: str = "humanoid", vy: float = 0.0) -> PushTrial:
    """Walk at ``vx`` forward and ``vy`` to the left [m/s] (both 0: stand, the planner running)
    from the start; at ``t_push`` [s] a ``PUSH_S`` push of ``dv`` [m/s] towards
    ``direction_deg`` (0 = from behind, 90 = to the left); run until ``after_s`` [s] after the
    push ends."""
    from humanoid_control import params as P
    from humanoid_control.loop.builder import build_loop
    from humanoid_control.paths import share_dir
    from humanoid_control.robot.model import RobotModel
    from humanoid_control.safety.supervisor import Mode

    config = share_dir() / "config"
    force = dv * RobotModel.load(robot).mass / PUSH_S  # [N]
    a = math.radians(direction_deg)
    p = {n: P.node_params(config, n, {"robot": robot}) for n in ("driver", "estimator", "wbc", "mpc")}
    p["driver"]["pushes"] = [f"{t_push}:{force * math.cos(a):.1f},{force * math.sin(a):.1f},0:{PUSH_S}"]
    p["mpc"]["cmd_vel_script"] = [f"0:{vx},{vy},0"]
    p["mpc"]["max_solve_time_s"] = 0.0  # deterministic lockstep
    loop = build_loop(p, mpc="inline")
    planner = loop.plans.core.planner
    fell, track = False, []
    try:
        for i in range(int(round((t_push + PUSH_S + after_s) / loop.driver.dt))):
            loop.tick()
            if loop.driver.safety.mode is not Mode.NORMAL:
                fell = True
                break
            if i % 10 == 0:
                s = planner.measure(loop.q, loop.v)
                track.append((i * loop.driver.dt, *s["com"][:2], s["base_yaw"]))
    finally:
        loop.driver.shutdown()
    h = np.array(track)
    last = h[h[:, 0] > h[-1, 0] - 0.8]
    v_world = (last[-1, 1:3] - last[0, 1:3]) / (last[-1, 0] - last[0, 0])
    yaw = float(np.arctan2(np.sin(last[:, 3]).mean(), np.cos(last[:, 3]).mean()))
    c, s_ = np.cos(yaw), np.sin(yaw)
    return PushTrial(fell, np.array([c * v_world[0] + s_ * v_world[1], -s_ * v_world[0] + c * v_world[1]]), planner)


__all__ = ["PUSH_S", "PushTrial", "run_push_trial"]
