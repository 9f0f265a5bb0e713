"""Benchmark: centroidal MPC solve time vs horizon length, and the solver choice.

For each horizon (knots × 0.05 s) one walking-like problem (a step every 0.5 s) is built by
CasADi and solved repeatedly:

* ``proxsuite``  — the project's path: ProxSuite dense QP, box constraints, warm start;
* ``casadi:<plugin>`` — the same QP through CasADi's ``qpsol`` plugins (osqp, qpoases,
  proxqp, highs, daqp when available), cold each time as CasADi calls them;
* ``ipopt`` — the same problem as a CasADi NLP (reference for a nonlinear solver).

Prints p50/p99 in ms and the ratio to ProxSuite measured in the same run, plus the largest
difference of each solver's wrenches from ProxSuite's (they solve the same problem). No
pass/fail.

    .venv/bin/python bench/mpc_solve.py [--reps N] [--json bench/mpc_results.json]
"""
from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path

import casadi as ca
import numpy as np

from humanoid_control.mpc.centroidal_mpc import DenseCondensedMpc as CentroidalMpc, MpcParams, MpcProblem

MASS, LENGTH, WIDTH, DT = 37.4, 0.22, 0.11, 0.05


def walking_problem(mpc: CentroidalMpc, t0: float = 0.13) -> MpcProblem:
    N, dt = mpc.N, mpc.p.dt
    x0 = np.array([0.0, 0.0, 0.8, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0])
    t = t0 + np.arange(N + 1) * dt
    x_ref = np.tile(x0, (N + 1, 1))
    x_ref[:, 0] = 0.3 * (t - t0)
    feet = np.zeros((N, 2, 3))
    contact = np.ones((N, 2), bool)
    for k in range(N):
        step = int(t[k] // 0.5)
        phase = t[k] % 0.5
        swing = step % 2
        if phase >= 0.1:
            contact[k, swing] = False
        for i, side in enumerate((0.1, -0.1)):
            feet[k, i] = [0.15 * (step + (1 if i == swing and phase >= 0.1 else 0)), side, 0.0]
    return MpcProblem(x0, x_ref, feet, np.zeros((N, 2)), contact)


def stats(samples_s) -> dict:
    a = np.asarray(samples_s) * 1e3
    return {"p50_ms": round(float(np.percentile(a, 50)), 3), "p99_ms": round(float(np.percentile(a, 99)), 3)}


def bench_proxsuite(knots: int, horizon_s: float, reps: int, replan_period_s: float = 0.01) -> dict:
    """The project's MPC re-solving a walk every ``replan_period_s`` (as the node does):
    total / CasADi build / ProxSuite solve times [ms] over ``reps`` solves after 5 warm-up."""
    mpc = CentroidalMpc(MASS, LENGTH, WIDTH, MpcParams(horizon_s=horizon_s, knots=knots))
    total, build, solve, failures = [], [], [], 0
    for r in range(reps + 5):
        prob = walking_problem(mpc, 0.13 + replan_period_s * r)
        t0 = time.perf_counter()
        sol = mpc.solve(prob)
        t1 = time.perf_counter()
        failures += not sol.ok
        if r >= 5:
            total.append(t1 - t0)
            build.append(sol.build_time_us * 1e-6)
            solve.append(sol.solve_time_us * 1e-6)
    return {"knots": knots, "horizon_s": horizon_s, "variables": mpc.n, "inequalities": mpc.n_in,
            "total": stats(total), "build": stats(build), "solve": stats(solve), "failures": failures}


def bench_horizon(knots: int, reps: int) -> dict:
    mpc = CentroidalMpc(MASS, LENGTH, WIDTH, MpcParams(horizon_s=knots * DT, knots=knots))
    prob = walking_problem(mpc)
    out = {"knots": knots, "horizon_s": round(knots * DT, 3), "variables": mpc.n, "inequalities": mpc.n_in}
    seq = bench_proxsuite(knots, knots * DT, reps)
    sol = mpc.solve(prob)
    ref = sol.wrenches.ravel()
    out["proxsuite"] = {**seq["total"], "build": seq["build"], "solve": seq["solve"], "ok": sol.ok}
    H, g, C, lo, up, lb, ub = mpc.build(prob)
    Cb = np.vstack([C, np.eye(mpc.n)])
    lba, uba = np.concatenate([lo, lb]), np.concatenate([up, ub])
    lba, uba = np.maximum(lba, -1e10), np.minimum(uba, 1e10)
    qp = {"h": ca.Sparsity.dense(mpc.n, mpc.n), "a": ca.Sparsity.dense(*Cb.shape)}
    for plugin in ("osqp", "qpoases", "proxqp", "highs", "daqp"):
        if not ca.has_conic(plugin):
            continue
        opts = {"printLevel": "none"} if plugin == "qpoases" else {}
        if plugin == "osqp":
            opts = {"osqp": {"verbose": False, "eps_abs": 1e-5, "eps_rel": 1e-5, "max_iter": 20000}}
        if plugin == "highs":
            opts = {"highs": {"output_flag": False}}
        try:
            solver = ca.conic("s", plugin, qp, opts)
        except RuntimeError as exc:
            out[f"casadi:{plugin}"] = {"error": str(exc).splitlines()[0][:120]}
            continue
        times = []
        x = None
        for _ in range(max(3, reps // 5)):
            t0 = time.perf_counter()
            try:
                r = solver(h=H, g=g, a=Cb, lba=lba, uba=uba)
            except RuntimeError as exc:
                out[f"casadi:{plugin}"] = {"error": str(exc).splitlines()[0][:120]}
                break
            times.append(time.perf_counter() - t0)
            x = np.asarray(r["x"]).ravel()
        else:
            out[f"casadi:{plugin}"] = {**stats(times), "max_wrench_diff_N": round(float(np.abs(x - ref).max()), 3)}
    # ipopt on the same problem, written as an NLP
    u = ca.MX.sym("u", mpc.n)
    nlp = {"x": u, "f": 0.5 * ca.dot(u, ca.mtimes(ca.DM(H), u)) + ca.dot(ca.DM(g), u), "g": ca.mtimes(ca.DM(Cb), u)}
    ipopt = ca.nlpsol("ipopt", "ipopt", nlp, {"ipopt.print_level": 0, "print_time": False, "ipopt.tol": 1e-6})
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = ipopt(lbg=lba, ubg=uba)
        times.append(time.perf_counter() - t0)
    x = np.asarray(r["x"]).ravel()
    out["ipopt"] = {**stats(times), "max_wrench_diff_N": round(float(np.abs(x - ref).max()), 3),
                    "status": ipopt.stats()["return_status"]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--knots", type=int, nargs="*", default=[10, 16, 24, 32])
    ap.add_argument("--json", type=Path, default=Path(__file__).with_name("mpc_results.json"))
    args = ap.parse_args()
    rows = []
    gc.collect()
    for k in args.knots:
        gc.disable()
        try:
            rows.append(bench_horizon(k, args.reps))
        finally:
            gc.enable()
    print(f"{'horizon':>8s} {'vars':>5s} {'rows':>5s}  {'solver':16s} {'p50 ms':>8s} {'p99 ms':>8s} {'x proxsuite':>11s}"
          f" {'max |Δu| N':>10s}")
    for r in rows:
        base = r["proxsuite"]["p50_ms"]
        for name, v in r.items():
            if not isinstance(v, dict):
                continue
            if "error" in v:
                print(f"{r['horizon_s']:7.2f}s {'':5s} {'':5s}  {name:16s} error: {v['error']}")
                continue
            diff = v.get("max_wrench_diff_N", 0.0)
            print(f"{r['horizon_s']:7.2f}s {r['variables']:5d} {r['inequalities']:5d}  {name:16s} {v['p50_ms']:8.3f} "
                  f"{v['p99_ms']:8.3f} {v['p50_ms'] / base:10.1f}x {diff:10.3f}")
        pb = r["proxsuite"]
        print(f"{'':8s} {'':5s} {'':5s}  (proxsuite = CasADi build {pb['build']['p50_ms']} ms + solve "
              f"{pb['solve']['p50_ms']} ms, p50)")
    args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
