"""Benchmark: whole-body QP tick (build + solve + torques) on the project humanoid and on
Talos, standing on two feet, with in-run references: Pinocchio's ``computeAllTerms``
(the dynamics floor) and a bare numpy 1000x(38x38 matmul) loop (machine speed), so figures
from different machines and noisy runs can be compared by ratio. No pass/fail: it prints.

    .venv/bin/python bench/wbc_tick.py [--ticks N] [--json bench/results.json]
"""
from __future__ import annotations

import argparse
import gc
import json
import platform
import time
from pathlib import Path

import numpy as np
import pinocchio as pin

from humanoid_control.robot.model import RobotModel
from humanoid_control.wbc.controller import WholeBodyController


def _stats(samples_us) -> dict:
    a = np.asarray(samples_us)
    return {"p50": round(float(np.percentile(a, 50)), 1), "p99": round(float(np.percentile(a, 99)), 1),
            "max": round(float(a.max()), 1), "n": int(len(a))}


def bench_robot(name: str, ticks: int) -> dict:
    robot = RobotModel.load(name)
    wbc = WholeBodyController(robot)
    q = robot.nominal_configuration()
    rng = np.random.default_rng(0)
    tick, build, solve, terms, iters = [], [], [], [], []
    data = robot.model.createData()
    for k in range(ticks + 200):
        v = rng.normal(0, 0.02, robot.nv)
        t0 = time.perf_counter()
        sol = wbc.update(q, v, {"left": True, "right": True})
        wbc.joint_command(sol, q, v)
        t1 = time.perf_counter()
        pin.computeAllTerms(robot.model, data, q, v)
        t2 = time.perf_counter()
        if k >= 200:  # warm-up excluded
            tick.append((t1 - t0) * 1e6)
            build.append(sol.build_time_us)
            solve.append(sol.solve_time_us)
            terms.append((t2 - t1) * 1e6)
            iters.append(sol.iterations)
    return {"nv": robot.nv, "qp_vars": wbc.layout.n, "qp_eq": wbc.n_eq, "qp_in": wbc.n_in,
            "tick": _stats(tick), "build": _stats(build), "solve": _stats(solve),
            "ref_computeAllTerms": _stats(terms), "solver_iterations_mean": round(float(np.mean(iters)), 2)}


def machine_reference(reps: int = 2000) -> dict:
    a = np.random.default_rng(1).normal(size=(38, 38))
    s = []
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ a
        s.append((time.perf_counter() - t0) * 1e6)
    return _stats(s)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ticks", type=int, default=3000)
    ap.add_argument("--json", type=Path, default=Path(__file__).with_name("results.json"))
    args = ap.parse_args()
    gc.collect()
    gc.disable()
    try:
        ref = machine_reference()
        results = {"machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                               "python": platform.python_version()},
                   "ref_matmul38_us": ref, "wbc_tick_us": {}}
        for name in ("humanoid", "talos"):
            results["wbc_tick_us"][name] = bench_robot(name, args.ticks)
    finally:
        gc.enable()
    print(f"{'robot':9s} {'nv':>3s} {'vars':>4s}  {'tick p50':>9s} {'tick p99':>9s}  {'build p50':>9s} "
          f"{'solve p50':>9s}  {'iters':>5s}  {'tick/computeAllTerms':>20s}")
    for name, r in results["wbc_tick_us"].items():
        ratio = r["tick"]["p50"] / r["ref_computeAllTerms"]["p50"]
        print(f"{name:9s} {r['nv']:3d} {r['qp_vars']:4d}  {r['tick']['p50']:8.1f}µ {r['tick']['p99']:8.1f}µ  "
              f"{r['build']['p50']:8.1f}µ {r['solve']['p50']:8.1f}µ  {r['solver_iterations_mean']:5.2f}  {ratio:19.1f}x")
    print(f"reference: 38x38 matmul p50 {ref['p50']} µs; computeAllTerms p50 (humanoid) "
          f"{results['wbc_tick_us']['humanoid']['ref_computeAllTerms']['p50']} µs")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
