"""Benchmark: centroidal MPC solve time vs horizon, for each solver, on recorded walking problems.

The problems are the MPC's own, recorded from lockstep walking runs (forward, turning, a push
while walking, a stop) by ``bench/record_mpc_problems.py`` into
``test/mpc/data/walking_problems_<robot>.npz`` with a 1.6-s horizon of 0.05-s knots; a
shorter horizon solves the first knots of each. For each robot (the project humanoid, Talos),
horizon (0.5, 0.8, 1.2, 1.6 s) and solver:

* ``riccati`` — the default: multiple shooting, interior point, Riccati recursions (Numba);
* ``riccati-warm`` — the same, started from the previous plan shifted in time (not shipped:
  it saves little, see the iteration columns);
* ``dense``   — the reference: the condensed QP built by CasADi, solved by ProxSuite (dense).

Each problem is solved once in sequence, as the MPC node does (a few warm-up solves first);
the time is build + solve. Printed: p50 / p99 [ms], the largest iteration count, the ratio of
the p50s (dense / riccati) measured in the same run, and the largest wrench difference
between the two solvers in units of the robot's weight. No pass/fail.

    .venv/bin/python bench/mpc_solve.py [--robot humanoid talos] [--every 1] [--json bench/mpc_results.json]
"""
from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path

import numpy as np

from humanoid_control.mpc.centroidal_mpc import MpcParams, create_mpc
from humanoid_control.mpc.problem_set import ProblemSet

DATA = Path(__file__).resolve().parents[1] / "test" / "mpc" / "data"
HORIZONS_S = (0.5, 0.8, 1.2, 1.6)
#: solver name -> MpcParams overrides; ``riccati-warm`` is the interior point warm-started from
#: the previous plan shifted in time (the recorded problems are 40 ms apart)
METHODS = {"riccati": {"solver": "riccati"}, "riccati-warm": {"solver": "riccati", "warm_start": True},
           "dense": {"solver": "dense"}}
WARM_UP = 5


def load(robot: str) -> ProblemSet:
    return ProblemSet.load(DATA / f"walking_problems_{robot}.npz")


def stats(samples_s) -> dict:
    a = np.asarray(samples_s) * 1e3
    return {"p50_ms": round(float(np.percentile(a, 50)), 3), "p99_ms": round(float(np.percentile(a, 99)), 3)}


def bench_method(ps: ProblemSet, method: str, horizon_s: float, every: int = 1, passes: int = 1) -> dict:
    """Solve the recorded problems cut to ``horizon_s`` with ``method``: total / build /
    solve times, iterations, failures, budget overruns, and the wrenches (for comparisons).
    ``passes`` > 1 solves the whole sequence that many times more and adds ``best``: the
    total-time stats over each problem's fastest pass — the solver's own worst case, without
    the machine's preemptions (a 2-core machine's few-ms stalls land on ~1 % of single
    solves: that is the first pass's p99)."""
    knots = int(round(horizon_s / ps.dt_s))
    mpc = create_mpc(ps.mass_kg, ps.foot_length_m, ps.foot_width_m,
                     MpcParams(horizon_s=knots * ps.dt_s, knots=knots, **METHODS[method]))
    problems = [p for name in ps.scenarios for p in ps.problems(name, knots)][::every]
    for p in problems[:WARM_UP]:
        mpc.solve(p)
    total, build, solve, iterations, wrenches, ok = [], [], [], [], [], []
    for p in problems:
        t0 = time.perf_counter()
        sol = mpc.solve(p)
        total.append(time.perf_counter() - t0)
        build.append(sol.build_time_us * 1e-6)
        solve.append(sol.solve_time_us * 1e-6)
        iterations.append(sol.iterations)
        wrenches.append(sol.wrenches)
        ok.append(sol.ok)
    extra = {}
    if passes > 1:
        best = np.array(total)
        for _ in range(passes - 1):
            for i, p in enumerate(problems):
                t0 = time.perf_counter()
                mpc.solve(p)
                best[i] = min(best[i], time.perf_counter() - t0)
        extra = {"best": stats(best), "passes": passes}
    return {"method": method, "knots": knots, "horizon_s": round(knots * ps.dt_s, 3), "variables": mpc.n,
            "inequalities": mpc.n_in, "problems": len(problems), "total": stats(total), **extra, "build": stats(build),
            "solve": stats(solve), "iterations_max": int(max(iterations)),
            "iterations_mean": round(float(np.mean(iterations)), 2), "failures": int(len(ok) - sum(ok)),
            "_wrenches": np.array(wrenches), "_ok": np.array(ok)}


def bench_robot(robot: str, horizons=HORIZONS_S, every: int = 1) -> list:
    """Rows (one per horizon and method) for one robot, with the ratio of the p50s to the
    dense reference and the largest force difference [m g] from it on the problems both solved
    (``failures``: problems a solver did not solve — ProxSuite's dense backend reports some
    feasible walking problems as primal infeasible)."""
    ps = load(robot)
    weight = ps.mass_kg * 9.81
    rows = []
    for h in horizons:
        by_method = {m: bench_method(ps, m, h, every) for m in METHODS}
        ref = by_method["dense"]
        for m, r in by_method.items():
            r["robot"] = robot
            r["vs_dense_p50"] = round(r["total"]["p50_ms"] / ref["total"]["p50_ms"], 3)
            both = r["_ok"] & ref["_ok"]
            diff = np.abs(r["_wrenches"][both, ..., :3] - ref["_wrenches"][both, ..., :3])
            r["max_wrench_diff_mg"] = round(float(diff.max()) / weight, 5) if diff.size else None
        for r in by_method.values():
            r.pop("_wrenches")
            r.pop("_ok")
            rows.append(r)
    return rows


def print_rows(rows: list) -> None:
    print(f"{'robot':9s} {'horizon':>8s} {'knots':>5s} {'solver':12s} {'vars':>5s} {'rows':>5s} {'p50 ms':>8s} "
          f"{'p99 ms':>8s} {'iter mean':>9s} {'iter max':>8s} {'failed':>6s} {'x dense':>8s} {'max |Δf| mg':>11s}")
    for r in rows:
        print(f"{r['robot']:9s} {r['horizon_s']:7.2f}s {r['knots']:5d} {r['method']:12s} {r['variables']:5d} "
              f"{r['inequalities']:5d} {r['total']['p50_ms']:8.3f} {r['total']['p99_ms']:8.3f} {r['iterations_mean']:9.2f} {r['iterations_max']:8d} "
              f"{r['failures']:6d} {r['vs_dense_p50']:8.3f} {r['max_wrench_diff_mg']!s:>11s}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--robot", nargs="*", default=["humanoid", "talos"])
    ap.add_argument("--every", type=int, default=1, help="solve every n-th recorded problem")
    ap.add_argument("--json", type=Path, default=Path(__file__).with_name("mpc_results.json"))
    args = ap.parse_args()
    rows = []
    gc.collect()
    gc.disable()
    try:
        for robot in args.robot:
            rows += bench_robot(robot, every=args.every)
    finally:
        gc.enable()
    print_rows(rows)
    args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
