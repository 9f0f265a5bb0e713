"""Benchmark: robustness campaigns (``make campaign``) — randomized full-stack lockstep trials
on the shipped robots, their success rates with Wilson 95 % intervals.

Runs ``humanoid-control campaign`` (``humanoid_control/sim/campaign.py``) with mixed
scenarios: 100 trials on the project humanoid and 50 on Talos by default, on a local process
pool. Prints each table, writes each campaign's report and replay commands under
``reports/campaign/<robot>/``, and merges ``campaign.<robot>.{trials, success_rate,
ci95_low, ci95_high, falls, failure_modes, wall_s}`` into ``bench/results.json`` (the other
sections of that file are kept). Target: success ≥ 99 % on the humanoid.

    .venv/bin/python bench/campaign.py [--robots humanoid:100 talos:50] [--seed 0] [--workers 2]
                                       [--ray local|auto|ADDRESS] [--json bench/results.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SUCCESS = 0.99  # on the project humanoid


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--robots", nargs="+", default=["humanoid:100", "talos:50"], metavar="ROBOT:TRIALS")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--ray", default=None)
    ap.add_argument("--json", type=Path, default=Path(__file__).with_name("results.json"))
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "campaign")
    a = ap.parse_args()
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    from humanoid_control.sim.campaign import format_table, run_campaign

    figures = {}
    for item in a.robots:
        robot, _, n = item.partition(":")
        report = run_campaign(robot, int(n or 50), a.seed, workers=a.workers, ray=a.ray)
        print(f"\n== {robot}: {n} mixed trials, seed {a.seed} ==")
        print(format_table(report))
        out = a.out / robot
        out.mkdir(parents=True, exist_ok=True)
        (out / "campaign.json").write_text(json.dumps(report, indent=2) + "\n")
        (out / "failures.txt").write_text("".join(f["replay"] + "\n" for f in report["failures"]))
        s = report["summary"]
        figures[robot] = {"trials": s["trials"], "success_rate": s["success_rate"], "ci95_low": s["ci95_low"],
                          "ci95_high": s["ci95_high"], "falls": s["falls"], "failure_modes": s["failure_modes"],
                          "seed": a.seed, "wall_s": report["campaign"]["wall_s"]}
    results = json.loads(a.json.read_text()) if a.json.exists() else {}
    results.setdefault("campaign", {}).update(figures)
    a.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten: {a.json} (campaign.{', campaign.'.join(figures)})")
    if "humanoid" in figures:
        rate = figures["humanoid"]["success_rate"]
        print(f"humanoid success {100 * rate:.1f} % (target ≥ {100 * TARGET_SUCCESS:.0f} %): "
              f"{'YES' if rate >= TARGET_SUCCESS else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
