"""Benchmark: how far blind walking over slopes, single steps and rough ground generalises.

The sim suite walks a few hand-picked cases blind (``test/sim/test_terrain_walking.py``: a
10° ramp up and down at 0.4 m/s, a 5-cm step down and a 3-cm step up at 0.3 m/s, ±1 cm rough
ground). This sweep runs their neighbours through the same path as ``humanoid-control sim``
(lockstep, composed loop, the MPC in its worker): steeper and gentler ramps both ways, steps
up and down of other heights met at other places, rougher ground and other seeds, other
speeds. Each case walks from 1 s; it passed when it did not fall, its CoM travelled more
than the case's distance (past the feature) and the velocity tracking error stayed below
0.25 (the suite's bound). Printed: one line per case and the count passed. No pass/fail.

    .venv/bin/python bench/terrain_sweep.py [--param NODE.NAME=VALUE ...] [--workers 2] [--cases FILE]

``--param`` passes ``sim --param`` settings to every case (to compare a change on the same
neighbours). ``--cases FILE``: lines ``TERRAIN VX[,VY,WZ] DISTANCE_M [ROBOT]``.
"""
from __future__ import annotations

import argparse
import os
import time

from sweep_common import default_domain_id, read_cases, run_pool, run_walk

MAX_TRACKING_ERROR = 0.25  # [-] the suite's bound for blind terrain

#: (terrain, command "vx,vy,wz" [m/s, m/s, rad/s], distance to travel [m], robot)
CASES = ([(f"slope:{d:g}@1", "0.4,0,0", 4.0, "humanoid") for d in (-15, -12, -8, -5, 5, 8, 12, 15)]
         + [(f"slope:{d:g}@1", f"{v:g},0,0", 4.0, "humanoid") for d in (-10, 10) for v in (0.25, 0.55)]
         + [(f"step:{h:g}@{x:g}", "0.3,0,0", 2.2, "humanoid") for h in (-0.08, -0.065, -0.04, -0.025, 0.02, 0.04)
            for x in (0.9, 1.0, 1.1)]
         + [(f"step:{h:g}@1", f"{v:g},0,0", 2.2, "humanoid") for h in (-0.05, 0.03) for v in (0.2, 0.4, 0.5)]
         + [(f"rough:{a:g}:{s}", "0.3,0,0", 3.0, "humanoid") for a in (0.01, 0.015) for s in (11, 12, 13)]
         + [("rough:0.01:3", f"{v:g},0,0", 3.0, "humanoid") for v in (0.2, 0.45)]
         + [("slope:-10@1", "0.3,0,0", 3.0, "talos"), ("step:-0.05@1", "0.3,0,0", 2.2, "talos")]
         # Talos up the ramp (session 34: with level landings it fell at 0.3 and 0.35 m/s)
         + [("slope:10@1", f"{v:g},0,0", 2.5, "talos") for v in (0.3, 0.4)])


def run_case(case: tuple) -> dict:
    """One case through the CLI's spec and runner (in this worker's ROS domain, loopback)."""
    terrain, cmd, distance, robot, params = case
    vx = abs(float(cmd.split(",")[0])) or 0.3
    report = run_walk(terrain, cmd, round(1.0 + (distance + 0.4) / vx, 1), robot, params)
    error = report["velocity_tracking_error"]
    passed = (not report["fell"] and report["distance_m"] > distance and error is not None
              and error < MAX_TRACKING_ERROR)
    return {"terrain": terrain, "cmd": cmd, "robot": robot, "fell": report["fell"], "passed": passed,
            "distance_m": report["distance_m"], "error": error, "base_height_min_m": report["base_height_min_m"],
            "stumbles": report["nodes"]["mpc"].get("stumbles")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--param", action="append", default=[], metavar="NODE.NAME=VALUE", help="sim --param, every case")
    ap.add_argument("--cases", default=None, help="a case file instead of the built-in neighbours")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--domain-id", type=int, default=default_domain_id(),
                    help="first of the workers' ROS domain IDs (one each)")
    args = ap.parse_args()
    cases = read_cases(args.cases) if args.cases else CASES
    jobs = [(*c, tuple(args.param)) for c in cases]
    t0 = time.monotonic()
    results = run_pool(run_case, jobs, args.workers, args.domain_id)
    for r in results:
        outcome = "passed" if r["passed"] else "FELL" if r["fell"] else "short/slow"
        err = "-" if r["error"] is None else f"{r['error']:.2f}"
        print(f"{r['terrain']:16s} {r['cmd']:12s} {r['robot']:9s} {outcome:10s} {r['distance_m']:5.2f} m  "
              f"error {err:>5s}  base min {r['base_height_min_m']:.3f} m  stumbles {r['stumbles']}")
    print(f"terrain sweep (blind{', ' + ' '.join(args.param) if args.param else ''}): "
          f"{sum(r['passed'] for r in results)}/{len(results)} passed, {sum(r['fell'] for r in results)} fell "
          f"({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
