"""Benchmark: how far stair climbing generalises beyond the suite's cases — blind or from a map.

The sim suite climbs a few hand-picked flights given as a map (``test/sim/test_terrain_walking.py``).
This sweep runs their neighbours through the same path as ``humanoid-control sim`` (lockstep,
composed loop, the MPC in its worker): 5 × 25-cm stairs starting every 10 cm from 0.5 to 1.7 m,
other speeds, rises and runs, a longer flight, approaches slightly sideways and turning, and
Talos. Each case walks from 1 s at its speed; it climbed when it did not fall and its CoM ended
more than 0.1 m past the top riser along x (the report's ``com_displacement_xy_m``: from where it
stood; its ``com_drift_xy_m``, the distance, also counted a wander sideways before session 31); a
flight short of that stalled when its mean forward speed over its last second was under
0.05 m/s, else it ran out of time (slowed on the stairs: blind, uneven-ground mode caps the
speed at 0.25 m/s). Printed: one line per case and the counts. No pass/fail.

    .venv/bin/python bench/stairs_sweep.py [--known] [--param NODE.NAME=VALUE ...] [--workers 2]
                                           [--cases FILE]

``--known`` gives the planner and the estimator the stairs as their map (``sim --terrain-known``);
without it the controller is blind. ``--param`` passes ``sim --param`` settings to every case
(to compare a change on the same neighbours). ``--cases FILE``: lines ``TERRAIN VX[,VY,WZ]
DURATION [ROBOT]`` instead of the built-in set.
"""
from __future__ import annotations

import argparse
import os
import time

from sweep_common import default_domain_id, read_cases, run_pool, run_walk

#: (terrain, command "vx,vy,wz" [m/s, m/s, rad/s], duration [s], robot)
CASES = ([(f"stairs:0.05:0.25:4@{x:g}", "0.3,0,0", 10.0, "humanoid")
          for x in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7)]
         + [("stairs:0.05:0.25:4@1.05", f"{v:g},0,0", round(2.0 + 3.0 / v), "humanoid") for v in (0.2, 0.25, 0.35, 0.4)]
         + [(f"stairs:{r:g}:0.25:4@0.95", "0.3,0,0", 10.0, "humanoid") for r in (0.04, 0.045, 0.055, 0.06)]
         + [(f"stairs:0.05:{run:g}:4@1", "0.3,0,0", 11.0, "humanoid") for run in (0.27, 0.3, 0.35)]
         + [("stairs:0.05:0.28:6@1", "0.3,0,0", 13.0, "humanoid"),
            ("stairs:0.05:0.25:4@1", "0.3,0.03,0", 10.0, "humanoid"),
            ("stairs:0.05:0.25:4@1", "0.3,0,0.03", 10.0, "humanoid"),
            ("stairs:0.05:0.25:4@1", "0.3,0,0", 10.0, "talos")])


def top_of(terrain: str) -> float:
    """[m] x of the top riser of ``stairs:RISE:RUN:N[@X]`` (of the bottom one for a flight down,
    RISE < 0: the last riser walked over either way)."""
    from humanoid_control.sim.terrain import Terrain

    t = Terrain.parse(terrain)
    rise, run, n = t.values
    return t.start_x + (int(n) - 1) * run


#: [s] the command is given again this long before the end, so that the report's last velocity
#: segment (its steady part: from 1.5 s after the command to 0.5 s before the end) tells a flight
#: that stalled from one still climbing when the time ran out (the same command: the run is unchanged)
LAST_SEGMENT_S = 3.0
#: [m/s] below this mean forward speed over that last second, a flight that did not climb stalled
STALLED_MPS = 0.05


def travelled(report: dict) -> float:
    """[m] how far along x (the flight's axis) the CoM ended from where it stood."""
    return report["com_displacement_xy_m"][0]


def outcome(report: dict, terrain: str) -> str:
    """'climbed', 'fell', 'stalled' (short of the top and no longer walking forward at the end)
    or 'out of time' (short of the top, still walking) of one case's report."""
    if report["fell"]:
        return "fell"
    if travelled(report) > top_of(terrain) + 0.1:
        return "climbed"
    segments = report.get("velocity_segments") or []
    speed = segments[-1]["mean"][0] if len(segments) > 1 else None  # the repeated command's segment
    return "stalled" if speed is not None and speed < STALLED_MPS else "out of time"


def run_case(case: tuple) -> dict:
    """One case through the CLI's spec and runner (in this worker's ROS domain, loopback)."""
    terrain, cmd, duration, robot, known, params = case
    extra = ["--cmd-vel", f"{duration - LAST_SEGMENT_S:g}:{cmd}"] + (["--terrain-known"] if known else [])
    report = run_walk(terrain, cmd, duration, robot, params, extra)
    result = outcome(report, terrain)
    return {"terrain": terrain, "cmd": cmd, "robot": robot, "fell": report["fell"], "climbed": result == "climbed",
            "outcome": result, "travelled_m": travelled(report),
            "stumbles": report["nodes"]["mpc"].get("stumbles"), "map_waits": report["nodes"]["mpc"].get("map_waits")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--known", action="store_true", help="give the stairs as the planner's and estimator's map")
    ap.add_argument("--param", action="append", default=[], metavar="NODE.NAME=VALUE", help="sim --param, every case")
    ap.add_argument("--cases", default=None, help="a case file instead of the built-in neighbours")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--domain-id", type=int, default=default_domain_id(),
                    help="first of the workers' ROS domain IDs (one each)")
    args = ap.parse_args()
    cases = read_cases(args.cases) if args.cases else CASES
    jobs = [(*c, args.known, tuple(args.param)) for c in cases]
    t0 = time.monotonic()
    results = run_pool(run_case, jobs, args.workers, args.domain_id)
    for r in results:
        print(f"{r['terrain']:28s} {r['cmd']:14s} {r['robot']:9s} {r['outcome'].upper() if r['fell'] else r['outcome']:13s} "
              f"{r['travelled_m']:5.2f} m  stumbles {r['stumbles']}  map waits {r['map_waits']}")
    climbed = sum(r["climbed"] for r in results)
    count = {k: sum(r["outcome"] == k for r in results) for k in ("stalled", "out of time")}
    print(f"stairs sweep ({'map' if args.known else 'blind'}{', ' + ' '.join(args.param) if args.param else ''}): "
          f"{climbed}/{len(results)} climbed, {sum(r['fell'] for r in results)} fell, {count['stalled']} stalled, "
          f"{count['out of time']} out of time ({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
