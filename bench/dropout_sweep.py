"""Benchmark: how far the controlled stop carries the robot through controller drop-outs.

The fault suite drops the controller's commands for 0.3 s while the humanoid stands
(``test/sim/test_faults.py``) and once while it walks (``test/sim/test_walking.py``). This sweep
runs their neighbours through the same path as ``humanoid-control sim`` (lockstep, composed
loop, the MPC in its worker, ``--fault T:command-timeout:D``): walking at 0.3, 0.5 and 0.8 m/s
with the drop-out starting at four points of a step, turning and sideways walks, Talos,
other drop-out lengths, standing. During a drop-out the driver holds each joint's posture
(``driver.hold_deflection_rad``, ``hold_damping_s``) with the last valid torque; control
resumes with the first command after it. A case *resumed* when the robot did not fall and the
driver ended in normal mode. Printed: one line per case and the count. No pass/fail.

    .venv/bin/python bench/dropout_sweep.py [--param NODE.NAME=VALUE ...] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import time

from sweep_common import default_domain_id, run_pool, run_walk

#: (command "vx,vy,wz" [m/s, m/s, rad/s] from 1 s, drop-out start [s], drop-out length [s], run length [s], robot)
CASES = ([(f"{v:g},0,0", t, 0.3, 8.0, "humanoid") for v in (0.3, 0.5, 0.8) for t in (4.0, 4.1, 4.2, 4.3)]
         + [("0.5,0,0", 4.0, d, 8.0, "humanoid") for d in (0.1, 0.2, 0.5)]
         + [("0,0,0.6", t, 0.3, 8.0, "humanoid") for t in (4.0, 4.2)]
         + [("0,0.3,0", t, 0.3, 8.0, "humanoid") for t in (4.0, 4.2)]
         + [("0.3,0,0", t, 0.3, 8.0, "talos") for t in (4.0, 4.2)]
         + [("0,0,0", 2.0, d, 5.0, robot) for d in (0.3, 0.9) for robot in ("humanoid", "talos")])


def run_case(case: tuple) -> dict:
    """One case through the CLI's spec and runner (in this worker's ROS domain, loopback)."""
    cmd, t_fault, length, duration, robot, params = case
    report = run_walk("flat", cmd, duration, robot, params, ("--fault", f"{t_fault:g}:command-timeout:{length:g}"))
    mode = report["nodes"]["driver"]["mode"]
    return {"cmd": cmd, "t": t_fault, "length": length, "robot": robot, "fell": report["fell"],
            "resumed": not report["fell"] and mode == "normal", "mode": mode,
            "error": report.get("velocity_tracking_error"), "max_tilt_rad": report["max_tilt_rad"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--param", action="append", default=[], metavar="NODE.NAME=VALUE", help="sim --param, every case")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--domain-id", type=int, default=default_domain_id(),
                    help="first of the workers' ROS domain IDs (one each)")
    args = ap.parse_args()
    jobs = [(*c, tuple(args.param)) for c in CASES]
    t0 = time.monotonic()
    results = run_pool(run_case, jobs, args.workers, args.domain_id)
    for r in results:
        outcome = "resumed" if r["resumed"] else "FELL" if r["fell"] else r["mode"]
        err = "-" if r["error"] is None else f"{r['error']:.2f}"
        print(f"{r['cmd']:10s} drop-out {r['length']:.1f} s at {r['t']:.1f} s  {r['robot']:9s} {outcome:8s} "
              f"error {err:>5s}  max tilt {r['max_tilt_rad']:.3f} rad")
    print(f"drop-out sweep{' (' + ' '.join(args.param) + ')' if args.param else ''}: "
          f"{sum(r['resumed'] for r in results)}/{len(results)} resumed, {sum(r['fell'] for r in results)} fell "
          f"({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
