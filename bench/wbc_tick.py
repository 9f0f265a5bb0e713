"""Benchmark: whole-body QP tick (build + solve + torques + joint command) on the project
humanoid and on Talos, standing on two feet.

The state sequence is a smooth sway (every joint and the base oscillate at 1.5 Hz, a few
cm/s), sampled at 1 kHz like the controller sees it, so the solver's warm start meets what
it meets in the loop. References measured in the same run: Pinocchio's ``computeAllTerms``
(the dynamics floor) and a 38x38 numpy matmul (machine speed). No pass/fail: it prints.

    .venv/bin/python bench/wbc_tick.py [--ticks N] [--friction-cone pyramid|octagon]
"""
from __future__ import annotations

import argparse
import gc
import time

import numpy as np
import pinocchio as pin

from humanoid_control.robot.model import RobotModel
from humanoid_control.wbc.controller import WbcParams, WholeBodyController

WARMUP_TICKS = 200


def stats_us(samples_us) -> dict:
    a = np.asarray(samples_us, dtype=float)
    return {"p50": round(float(np.percentile(a, 50)), 1), "p99": round(float(np.percentile(a, 99)), 1),
            "max": round(float(a.max()), 1), "n": int(len(a))}


def sway_states(robot: RobotModel, ticks: int, seed: int = 0):
    """(q, v) at 1 kHz: the nominal stance plus a 1.5-Hz sway of every joint and the base."""
    rng = np.random.default_rng(seed)
    q0 = robot.nominal_configuration()
    phase = rng.uniform(0.0, 2 * np.pi, robot.nv)
    amp = rng.uniform(0.0, 0.05, robot.nv)  # [m/s, rad/s]
    w = 2 * np.pi * 1.5
    for k in range(ticks):
        t = k * 1e-3
        v = amp * np.sin(w * t + phase)
        q = pin.integrate(robot.model, q0, -amp / w * np.cos(w * t + phase) + amp / w * np.cos(phase))
        yield q, v


def bench_robot(name: str, ticks: int, friction_cone: str = "pyramid") -> dict:
    robot = RobotModel.load(name)
    wbc = WholeBodyController(robot, WbcParams(friction_cone=friction_cone))
    tick, build, solve, terms, iters = [], [], [], [], []
    data = robot.model.createData()
    both = {c: True for c in robot.config.feet}
    for k, (q, v) in enumerate(sway_states(robot, ticks + WARMUP_TICKS)):
        t0 = time.perf_counter()
        sol = wbc.update(q, v, both)
        wbc.joint_command(sol, q, v)
        t1 = time.perf_counter()
        pin.computeAllTerms(robot.model, data, q, v)
        t2 = time.perf_counter()
        if k >= WARMUP_TICKS:
            tick.append((t1 - t0) * 1e6)
            build.append(sol.build_time_us)
            solve.append(sol.solve_time_us)
            terms.append((t2 - t1) * 1e6)
            iters.append(sol.iterations)
    return {"nv": robot.nv, "qp_vars": wbc.layout.n, "qp_eq": wbc.n_eq, "qp_in": wbc.n_in,
            "tick": stats_us(tick), "build": stats_us(build), "solve": stats_us(solve),
            "ref_computeAllTerms": stats_us(terms), "solver_iterations_mean": round(float(np.mean(iters)), 2),
            "failures": wbc.failures}


def machine_reference(reps: int = 2000) -> dict:
    a = np.random.default_rng(1).normal(size=(38, 38))
    s = []
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ a
        s.append((time.perf_counter() - t0) * 1e6)
    return stats_us(s)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ticks", type=int, default=3000)
    ap.add_argument("--friction-cone", default="pyramid", choices=("pyramid", "octagon"),
                    help="the QP's friction cone shape (wbc.friction_cone)")
    args = ap.parse_args()
    gc.collect()
    gc.disable()
    try:
        ref = machine_reference()
        out = {name: bench_robot(name, args.ticks, args.friction_cone) for name in ("humanoid", "talos")}
    finally:
        gc.enable()
    print(f"{'robot':9s} {'nv':>3s} {'vars':>4s}  {'tick p50':>9s} {'tick p99':>9s}  {'build p50':>9s} "
          f"{'solve p50':>9s}  {'iters':>5s}")
    for name, r in out.items():
        print(f"{name:9s} {r['nv']:3d} {r['qp_vars']:4d}  {r['tick']['p50']:8.1f}µ {r['tick']['p99']:8.1f}µ  "
              f"{r['build']['p50']:8.1f}µ {r['solve']['p50']:8.1f}µ  {r['solver_iterations_mean']:5.2f}")
    print(f"reference: 38x38 matmul p50 {ref['p50']} µs; computeAllTerms p50 (humanoid) "
          f"{out['humanoid']['ref_computeAllTerms']['p50']} µs")


if __name__ == "__main__":
    main()
