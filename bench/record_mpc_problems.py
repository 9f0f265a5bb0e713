"""Record the centroidal MPC's problems from lockstep walking runs — forward, turning, a push
while walking, a stop — for the replay test (test/mpc/test_replay.py) and the MPC benchmark
(bench/mpc_solve.py): ``test/mpc/data/walking_problems_<robot>.npz``.

The runs plan with the longest benchmarked horizon (1.6 s, 32 knots of 0.05 s); a shorter
horizon's problem is the first knots of a recorded one (the planner's references are
functions of time, so they are the same over the shared knots). Pushes scale with the
robot's mass. Inputs are stored as float32 (both solvers are compared on the same stored
problem; the precision of the inputs does not matter).

    .venv/bin/python bench/record_mpc_problems.py [--robot humanoid talos] [--every 4]
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")

from humanoid_control import params as P  # noqa: E402
from humanoid_control.loop.builder import build_loop  # noqa: E402
from humanoid_control.mpc.problem_set import FIELDS, ProblemSet  # noqa: E402
from humanoid_control.paths import share_dir  # noqa: E402
from humanoid_control.robot.model import RobotModel  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "test" / "mpc" / "data"
HORIZON_S, KNOTS = 1.6, 32
PUSH_N_S_PER_KG = 0.25  # [N·s/kg] impulse of the recorded push (≈ 9 N·s on the 37-kg humanoid)
#: [m/s] walking speed of the recordings (Talos walks 0.3 m/s in this stack, not yet 0.5)
SPEED = {"humanoid": 0.5, "talos": 0.3}

#: name -> (duration [s], cmd_vel script for a speed v, push at [s] or None)
SCENARIOS = {
    "forward": (4.0, lambda v: [f"0.5:{v},0,0"], None),
    "turning": (4.0, lambda v: [f"0.5:{0.6 * v:.2f},0,0.5"], None),
    "push": (4.0, lambda v: [f"0.5:{0.6 * v:.2f},0,0"], 2.0),
    "stop": (4.0, lambda v: [f"0.5:{v},0,0", "2.5:0,0,0"], None),
}


def record(robot_name: str, scenario: str, every: int) -> list:
    duration, script_for, push_t = SCENARIOS[scenario]
    script = script_for(SPEED.get(robot_name, 0.3))
    robot = RobotModel.load(robot_name)
    config = share_dir() / "config"
    params = {n: P.node_params(config, n, {"robot": robot_name}) for n in ("driver", "estimator", "wbc", "mpc")}
    params["mpc"].update(cmd_vel_script=script, horizon_s=HORIZON_S, knots=KNOTS)
    if push_t is not None:
        impulse = PUSH_N_S_PER_KG * robot.mass
        params["driver"]["pushes"] = [f"{push_t}:{impulse / 0.1:.1f},0,0:0.1"]
    loop = build_loop(params, robot, mpc="inline")
    solver = loop.plans.core.planner.mpc
    problems = []
    solve = solver.solve

    def recording_solve(prob):
        problems.append({k: np.array(getattr(prob, k)) for k in FIELDS})
        return solve(prob)

    solver.solve = recording_solve
    try:
        h0 = loop.driver.sim.ground_truth()["base_position"][2]
        for _ in range(int(round(duration / loop.driver.dt))):
            loop.tick()
        fell = loop.driver.sim.ground_truth()["base_position"][2] < 0.7 * h0
    finally:
        loop.driver.shutdown()
    print(f"{robot_name:9s} {scenario:8s} {len(problems)} problems, kept every {every}th"
          + (" (the robot fell)" if fell else ""))
    return problems[::every]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--robot", nargs="*", default=["humanoid", "talos"])
    ap.add_argument("--every", type=int, default=4, help="keep every n-th problem (the MPC plans at 100 Hz)")
    a = ap.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    for name in a.robot:
        robot = RobotModel.load(name)
        foot = next(iter(robot.config.feet.values()))
        scenarios = {}
        for scenario in SCENARIOS:
            probs = record(name, scenario, a.every)
            scenarios[scenario] = {key: np.stack([p[key] for p in probs]) for key in FIELDS}
        path = DATA / f"walking_problems_{name}.npz"
        period = a.every / float(P.node_params(share_dir() / "config", "mpc")["rate_hz"])
        ProblemSet(robot.mass, foot.length, foot.width, HORIZON_S / KNOTS, scenarios, period).save(path)
        print(f"written: {path} ({path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
