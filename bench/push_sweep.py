"""Benchmark: how far walking push recovery generalises beyond the suite's cases.

The sim suite pushes the humanoid at four phases of one gait (walking 0.5 m/s, Δv 0.5 m/s,
from four sides). This sweep runs the neighbours: walking at several speeds, pushes of one
size from 8 directions at phases between the suite's, each a full lockstep run of the
ROS-free loop (inline MPC, deterministic); ``--sideways`` walks to the left (negative: to
the right) at each speed instead of forward. Per case: fell or not, and the CoM speed error
over the 0.8-s gait cycle ending ``--after`` s after the push (heading frame). Printed: one
line per case and the summary (falls, not back within max(0.1 m/s, 25 %), mean error of
those standing, and how many runs read the flat floor as uneven ground — which slows the walk
to ``uneven_max_speed_mps`` for 2 s). No pass/fail: the figures say where recovery ends.

    .venv/bin/python bench/push_sweep.py [--speeds 0.3 0.5 0.7] [--sideways] [--dv 0.5] [--phases 3.1 3.5]
                                         [--directions 0 45 90 135 180 -135 -90 -45] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

def run_case(case: tuple) -> dict:
    """One trial (:func:`humanoid_control.sim.push_trial.run_push_trial`), as plain figures."""
    vx, vy, dv, direction_deg, t_push, after, robot = case
    from humanoid_control.sim.push_trial import run_push_trial

    trial = run_push_trial(direction_deg, t_push, dv, vx, after, robot, vy=vy)
    error = None if trial.fell else float(np.linalg.norm(trial.velocity - (vx, vy)))
    return {"vx": vx, "vy": vy, "dv": dv, "direction_deg": direction_deg, "t_push": t_push, "fell": trial.fell,
            "error_mps": error, "uneven": int(trial.planner.uneven_detections)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speeds", type=float, nargs="+", default=[0.3, 0.5, 0.7], help="walking speeds [m/s]")
    ap.add_argument("--sideways", action="store_true",
                    help="walk sideways (to the left, negative speeds to the right) at --speeds instead of forward")
    ap.add_argument("--dv", type=float, default=0.5, help="push size as a velocity change [m/s]")
    ap.add_argument("--phases", type=float, nargs="+", default=[3.1, 3.5], help="push times [s] (the gait cycle is 0.8 s)")
    ap.add_argument("--directions", type=float, nargs="+", default=[0, 45, 90, 135, 180, -135, -90, -45],
                    help="push directions [deg], 0 = from behind, 90 = to the left")
    ap.add_argument("--after", type=float, default=3.0, help="the speed is judged this long after the push [s]")
    ap.add_argument("--robot", default="humanoid")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    cases = [(0.0 if args.sideways else v, v if args.sideways else 0.0, args.dv, d, t, args.after, args.robot)
             for v in args.speeds for d in args.directions
             for t in args.phases]
    t0 = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(run_case, cases))
    print(f"{'vx m/s':>6} {'vy m/s':>6} {'dir °':>6} {'t s':>5}  outcome")
    for r in results:
        outcome = "FELL" if r["fell"] else f"error {r['error_mps']:.3f} m/s {args.after:g} s after"
        if r["uneven"]:  # the floor is flat: such a reading slows the walk for nothing
            outcome += f"  (uneven-ground readings {r['uneven']})"
        print(f"{r['vx']:6.2f} {r['vy']:6.2f} {r['direction_deg']:6.0f} {r['t_push']:5.2f}  {outcome}")
    standing = [r for r in results if not r["fell"]]
    slow = [r for r in standing if r["error_mps"] > max(0.1, 0.25 * float(np.hypot(r["vx"], r["vy"])))]
    mean = float(np.mean([r["error_mps"] for r in standing])) if standing else float("nan")
    print(f"push sweep ({args.robot}, Δv {args.dv} m/s): {len(results)} pushes, {len(results) - len(standing)} fell, "
          f"{len(slow)} not back within max(0.1 m/s, 25 %) {args.after:g} s after, mean error of the rest "
          f"{mean:.3f} m/s, {sum(1 for r in results if r['uneven'])} read the flat floor as uneven "
          f"({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
