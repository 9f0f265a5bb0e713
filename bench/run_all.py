"""``make bench``: every performance figure of the project, measured in one run, printed as
one table (measured, target, in-run reference) and written to ``bench/results.json``.

Figures (all medians / p99 over the run, 2-core machines are noisy):

* WBC tick [µs] (build + solve + torques + joint command) on the project humanoid and on
  Talos, and TSID's ``computeProblemData + solve`` on the same Talos problem and states;
* centroidal MPC solve [ms] vs horizon, both solvers (interior point with Riccati recursions,
  the shipped one; dense condensed ProxSuite, the reference), on problems recorded from
  walking runs of the humanoid and Talos (bench/mpc_solve.py);
* sensor -> command latency [µs] over 60 s of real time at 1 kHz, walking at 0.5 m/s with
  the MPC running after 1 s of standing, the loop in one process (composed) and one process
  per node (processes), the missed 1-ms ticks, the per-tick budget (the loop's tick and its
  parts), the cores each process kept busy; the MPC's rate in the composed run;
* the full stack's lockstep real-time factor (composed, headless, standing then walking).

ROS traffic stays on loopback (``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``), each run on its
own ``ROS_DOMAIN_ID``. No pass/fail: targets are printed beside the figures.

    .venv/bin/python bench/run_all.py [--quick] [--json bench/results.json] [--skip SECTION ...]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))

import mpc_solve  # noqa: E402
import tsid_tick  # noqa: E402
import wbc_tick  # noqa: E402

SECTIONS = ("wbc", "tsid", "mpc", "latency", "rtf", "ros")
#: (key in results, comparison, target, unit) — the issue's targets, printed beside the figures
TARGETS = {
    "wbc_tick_us.humanoid.p50": ("<=", 150.0, "µs"),
    "wbc_tick_us.humanoid.p99": ("<=", 300.0, "µs"),
    "wbc_vs_tsid_ratio.talos": ("<=", 0.8, "x"),
    "mpc_solve_ms.p99": ("<=", 3.0, "ms"),
    "mpc_horizon_s": (">=", 0.5, "s"),
    "mpc_rate_hz": (">=", 100.0, "Hz"),
    "latency_us.composed.p99": ("<=", 1000.0, "µs"),
    "latency_us.processes.p99": ("<=", 2500.0, "µs"),
    "missed_ticks_pct.composed": ("<", 0.1, "%"),
    "missed_ticks_pct.processes": ("<", 0.1, "%"),
    "real_time_factor": (">=", 1.5, "x"),
    "tick_budget_us.p50": ("<=", 500.0, "µs"),
    "tick_budget_us.p99": ("<=", 800.0, "µs"),
    "tick_budget_us.estimator.p50": ("<=", 60.0, "µs"),
    "tick_budget_us.driver.p50": ("<=", 60.0, "µs"),
    # the driver's own work: its p50 less the simulated plant inside it (MuJoCo's step, the
    # simulated actuators and F/T sensors), which a robot replaces by its CAN traffic
    "tick_budget_us.driver.without_plant_p50": ("<=", 60.0, "µs"),
}
MPC_CONFIG = Path(__file__).resolve().parents[1] / "config" / "mpc.yaml"


def run_sim(args: list, domain: int, timeout_s: float) -> dict:
    """One ``humanoid-control sim`` run in a child process; its JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        env = {**os.environ, "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", "ROS_DOMAIN_ID": str(domain)}
        proc = subprocess.run([sys.executable, "-m", "humanoid_control.cli", "sim", "--quiet", "--report", str(report),
                               *args], env=env, capture_output=True, text=True, timeout=timeout_s)
        if not report.exists():
            return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-400:]}"}
        return json.loads(report.read_text())


def mpc_node_settings() -> tuple:
    """(horizon_s, knots) of config/mpc.yaml: the horizon the MPC node plans with."""
    import yaml

    p = yaml.safe_load(MPC_CONFIG.read_text())["mpc"]["ros__parameters"]
    return float(p["horizon_s"]), int(p["knots"])


def section_wbc(ticks: int) -> dict:
    return {"wbc_tick_us": {name: {**r["tick"], "build": r["build"], "solve": r["solve"], "nv": r["nv"],
                                   "qp_vars": r["qp_vars"], "solver_iterations_mean": r["solver_iterations_mean"],
                                   "ref_computeAllTerms": r["ref_computeAllTerms"], "failures": r["failures"]}
                            for name in ("humanoid", "talos") for r in [wbc_tick.bench_robot(name, ticks)]}}


def section_tsid(ticks: int) -> dict:
    r = tsid_tick.bench_tsid(ticks)
    if "error" in r:
        return {"tsid_tick_us": {"talos": {"p50": None, "p99": None, "error": r["error"]}}}
    return {"tsid_tick_us": {"talos": {**r["tick"], "qp_vars": r["qp_vars"], "failures": r["failures"],
                                       "version": r["version"]}}}


def section_mpc(every: int) -> dict:
    """The MPC on its recorded walking problems (bench/mpc_solve.py): the shipped solver at
    the node's horizon (``mpc_solve_ms``), and p50/p99 vs horizon for both solvers and both
    robots (``mpc_methods``); ``mpc_sweep`` keeps its earlier shape (the shipped solver)."""
    horizon_s, knots = mpc_node_settings()
    rows = []
    for robot in ("humanoid", "talos"):
        rows += mpc_solve.bench_robot(robot, horizons=sorted({*mpc_solve.HORIZONS_S, horizon_s}), every=every)
    shipped = [r for r in rows if r["method"] == "riccati"]
    node = next(r for r in shipped if r["robot"] == "humanoid" and r["knots"] == knots)
    ref = next(r for r in rows if r["method"] == "dense" and r["robot"] == "humanoid" and r["knots"] == knots)
    talos = next(r for r in shipped if r["robot"] == "talos" and r["knots"] == knots)
    # the same problems solved three times: each one's fastest pass, the solver's worst case
    # without the machine's preemptions (printed beside the first pass's p99, which has them)
    problems = mpc_solve.load("humanoid")
    best = mpc_solve.bench_method(problems, "riccati", knots * problems.dt_s, every=every, passes=3)["best"]
    return {"mpc_solve_ms": {"p50": node["total"]["p50_ms"], "p99": node["total"]["p99_ms"],
                             "build_p50": node["build"]["p50_ms"], "solve_p50": node["solve"]["p50_ms"],
                             "knots": knots, "method": node["method"], "iterations_max": node["iterations_max"],
                             "dense_reference_p50": ref["total"]["p50_ms"], "dense_reference_p99": ref["total"]["p99_ms"],
                             "talos_p50": talos["total"]["p50_ms"], "talos_p99": talos["total"]["p99_ms"],
                             "best_of_3_p50": best["p50_ms"], "best_of_3_p99": best["p99_ms"]},
            "mpc_horizon_s": horizon_s,
            "mpc_sweep": [r for r in shipped if r["robot"] == "humanoid"],
            "mpc_methods": rows}


#: standing 1 s, then walking at 0.5 m/s to the end of the run, the MPC running throughout
LATENCY_SCRIPT = ("--cmd-vel", "0:0,0,0", "--cmd-vel", "1:0.5,0,0")


def section_latency(duration_s: float) -> dict:
    script = list(LATENCY_SCRIPT)
    out = {"latency_us": {}, "missed_ticks_pct": {}, "latency_runs": {}, "cpu_cores": {}}
    for k, layout in enumerate(("composed", "processes")):
        r = run_sim(["--mode", "realtime", "--layout", layout, "--duration", str(duration_s), *script], 171 + k,
                    timeout_s=duration_s * 4 + 120)
        if "error" in r:
            out["latency_us"][layout] = {"p50": None, "p99": None, "max": None, "error": r["error"]}
            out["missed_ticks_pct"][layout] = None
            continue
        d = r["nodes"]["driver"]
        out["latency_us"][layout] = {"p50": d.get("latency_p50_us"), "p99": d.get("latency_p99_us"),
                                     "max": d.get("latency_max_us"), "n": d.get("latency_samples")}
        steps = d["ticks"] + d["missed_ticks"]
        out["missed_ticks_pct"][layout] = round(100.0 * d["missed_ticks"] / max(steps, 1), 3)
        out["latency_runs"][layout] = {"fell": r["fell"], "sim_time_s": r["sim_time_s"], "steps_taken": r["steps_taken"],
                                       "mpc": r.get("mpc"), "compute_p50_us": {n: v["compute_p50_us"]
                                                                               for n, v in r["nodes"].items()}}
        # what each process kept busy: in the processes layout the DDS traffic, not the control,
        # fills the machine (compute = the nodes' own per-tick work, at 1 kHz)
        out["cpu_cores"][layout] = {"by_process": r.get("cpu_cores", {}),
                                    "total": round(sum(r.get("cpu_cores", {}).values()), 3),
                                    "machine": os.cpu_count(),
                                    # the nodes' callbacks, p50 summed [ms per 1-ms tick] (preemption included)
                                    "callbacks_p50_ms_per_tick": round(sum(r["nodes"][n]["compute_p50_us"]
                                                                           for n in ("driver", "estimator", "wbc")
                                                                           if n in r["nodes"]) * 1e-3, 3)}
        if layout == "composed" and r.get("mpc"):
            out["mpc_rate_hz"] = r["mpc"]["rate_hz"]
        if layout == "composed" and "control_loop" in r["nodes"]:
            # the per-tick budget: a whole real-time tick of the loop (plant catch-up, driver with
            # MuJoCo stepping, estimator, WBC, safety, topic mirroring) and its parts, walking
            n = r["nodes"]
            out["tick_budget_us"] = {
                "p50": n["control_loop"]["compute_p50_us"], "p99": n["control_loop"]["compute_p99_us"],
                **{part: {"p50": n[part]["compute_p50_us"], "p99": n[part]["compute_p99_us"]}
                   for part in ("driver", "estimator", "wbc")}}
            if "plant_p50_us" in n["driver"]:  # the simulated world inside the driver's time (MuJoCo's step)
                drv = out["tick_budget_us"]["driver"]
                drv["plant_p50"] = n["driver"]["plant_p50_us"]
                drv["without_plant_p50"] = round(drv["p50"] - drv["plant_p50"], 1)
    return out


def section_rtf(duration_s: float) -> dict:
    r = run_sim(["--mode", "lockstep", "--layout", "composed", "--duration", str(duration_s),
                 "--cmd-vel", f"{duration_s / 3:.1f}:0.3,0,0"], 175, timeout_s=duration_s * 30 + 120)
    if "error" in r:
        return {"real_time_factor": None, "rtf_run": {"error": r["error"]}}
    return {"real_time_factor": r["real_time_factor"],
            "rtf_run": {"fell": r["fell"], "sim_time_s": r["sim_time_s"], "wall_time_s": r["wall_time_s"],
                        "compute_p50_us": {n: v["compute_p50_us"] for n, v in r["nodes"].items()},
                        "mpc": r.get("mpc")}}


def section_ros(n: int) -> dict:
    """What one JointState costs in rclpy here (bench/ros_costs.py): the profile behind the
    processes layout's figures (every 1-kHz message crosses a process boundary there)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ros.json"
        env = {**os.environ, "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", "ROS_DOMAIN_ID": "177"}
        proc = subprocess.run([sys.executable, str(Path(__file__).with_name("ros_costs.py")), "--n", str(n),
                               "--json", str(out)], env=env, capture_output=True, text=True, timeout=600)
        if not out.exists():
            return {"ros_costs_us": {"error": proc.stderr.strip()[-400:]}}
        return {"ros_costs_us": json.loads(out.read_text())}


def lookup(results: dict, dotted: str):
    v = results
    for part in dotted.split("."):
        if not isinstance(v, dict) or part not in v:
            return None
        v = v[part]
    return v


def verdicts(results: dict) -> dict:
    out = {}
    for key, (op, target, unit) in TARGETS.items():
        v = lookup(results, key)
        met = None if v is None else (v <= target if op == "<=" else v >= target if op == ">=" else v < target)
        out[key] = {"value": v, "target": f"{op} {target} {unit}", "met": met}
    return out


def control_cores(results: dict):
    """Cores the control itself needs at 1 kHz: the lockstep run's per-tick compute (p50) of
    driver, estimator and WBC, and the MPC's solve at its rate — the processes layout's
    profile sets the cores its processes keep busy beside it."""
    c = lookup(results, "rtf_run.compute_p50_us")
    mpc = lookup(results, "latency_runs.composed.mpc")
    if not c:
        return None
    us = sum(c.get(n, 0.0) for n in ("driver", "estimator", "wbc"))
    return round(us * 1e-3 + (mpc["solve_cpu_p50_ms"] * mpc["rate_hz"] * 1e-3 if mpc else 0.0), 3)


def print_table(results: dict) -> None:
    ref = {
        "wbc_tick_us.humanoid.p50": f"computeAllTerms {lookup(results, 'wbc_tick_us.humanoid.ref_computeAllTerms.p50')} µs",
        "wbc_vs_tsid_ratio.talos": f"TSID p50 {lookup(results, 'tsid_tick_us.talos.p50')} µs, "
                                   f"ours {lookup(results, 'wbc_tick_us.talos.p50')} µs",
        "mpc_solve_ms.p99": f"p50 {lookup(results, 'mpc_solve_ms.p50')} ms, {lookup(results, 'mpc_solve_ms.knots')} knots; "
                            f"dense p50 {lookup(results, 'mpc_solve_ms.dense_reference_p50')} p99 "
                            f"{lookup(results, 'mpc_solve_ms.dense_reference_p99')} ms; Talos p99 "
                            f"{lookup(results, 'mpc_solve_ms.talos_p99')} ms; each problem's best of 3 passes: p99 "
                            f"{lookup(results, 'mpc_solve_ms.best_of_3_p99')} ms",
        "latency_us.composed.p99": f"p50 {lookup(results, 'latency_us.composed.p50')}, "
                                   f"max {lookup(results, 'latency_us.composed.max')} µs",
        "latency_us.processes.p99": f"p50 {lookup(results, 'latency_us.processes.p50')}, "
                                    f"max {lookup(results, 'latency_us.processes.max')} µs; the node processes "
                                    f"keep {lookup(results, 'cpu_cores.processes.total')} of "
                                    f"{lookup(results, 'cpu_cores.processes.machine')} cores busy "
                                    f"({lookup(results, 'cpu_cores.processes.by_process')}); the control in them "
                                    f"needs {control_cores(results)} (lockstep per-tick compute at 1 kHz)",
        "real_time_factor": "lockstep, composed, headless",
        "tick_budget_us.p50": f"real time, composed, walking; WBC p50 {lookup(results, 'tick_budget_us.wbc.p50')}, "
                              f"p99 {lookup(results, 'tick_budget_us.wbc.p99')} µs",
        "tick_budget_us.driver.p50": f"of which the simulated plant (MuJoCo step, actuators, F/T) "
                                     f"{lookup(results, 'tick_budget_us.driver.plant_p50')} µs",
    }
    print(f"\n{'figure':30s} {'measured':>10s}  {'target':>12s}  {'met':>4s}  reference (same run)")
    for key, v in results["targets"].items():
        met = {True: "yes", False: "NO", None: "n/a"}[v["met"]]
        print(f"{key:30s} {v['value']!s:>10s}  {v['target']:>12s}  {met:>4s}  {ref.get(key, '')}")
    print(f"\nmachine: {results['machine']['cpu']} ({results['machine']['cores']} cores), "
          f"38x38 matmul p50 {results['ref_matmul38_us']['p50']} µs")
    ros = results.get("ros_costs_us", {})
    if "publish_other_process" in ros:
        print("rclpy per JointState (p50 µs): publish to another process "
              f"{ros['publish_other_process']['object']['p50']} (bytes {ros['publish_other_process']['bytes']['p50']}), "
              f"same process {ros['publish_same_process']['object']['p50']}, no subscriber "
              f"{ros['publish_no_subscriber']['object']['p50']}, take + dispatch "
              f"{ros['take_and_dispatch_same_process']['p50']}")
    if results.get("mpc_methods"):
        print("\nMPC solve vs horizon (recorded walking problems; x dense = p50 ratio to the dense reference):")
        mpc_solve.print_rows(results["mpc_methods"])


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="short runs (a smoke test of the bench, not figures)")
    ap.add_argument("--json", type=Path, default=Path(__file__).with_name("results.json"))
    ap.add_argument("--skip", nargs="*", default=[], choices=SECTIONS)
    a = ap.parse_args()
    ticks = 300 if a.quick else 3000
    latency_s, rtf_s = (3.0, 1.5) if a.quick else (60.0, 10.0)
    results = {"machine": machine(), "quick": a.quick}
    gc.collect()
    gc.disable()
    try:
        results["ref_matmul38_us"] = wbc_tick.machine_reference()
        if "wbc" not in a.skip:
            results.update(section_wbc(ticks))
        if "tsid" not in a.skip:
            results.update(section_tsid(ticks))
        if "mpc" not in a.skip:
            results.update(section_mpc(4 if a.quick else 1))
    finally:
        gc.enable()
    if "latency" not in a.skip:
        results.update(section_latency(latency_s))
    if "rtf" not in a.skip:
        results.update(section_rtf(rtf_s))
    if "ros" not in a.skip:
        results.update(section_ros(300 if a.quick else 2000))
    ours, theirs = lookup(results, "wbc_tick_us.talos.p50"), lookup(results, "tsid_tick_us.talos.p50")
    results["wbc_vs_tsid_ratio"] = {"talos": round(ours / theirs, 3) if ours and theirs else None}
    results["targets"] = verdicts(results)
    print_table(results)
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written: {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
