"""``humanoid-control``: the pip-only equivalent of the launch files, plus tools.

  humanoid-control sim [--robot humanoid|talos|PATH] [--duration S] [--mode lockstep|realtime]
                       [--layout composed|processes|split] [--push T:FX,FY,FZ:DUR ...] [--report FILE.json]
                       [--video FILE.mp4] [--plots DIR] [--viewer] [--record FILE.mcap] [--foxglove [PORT]]
  humanoid-control node driver|estimator|wbc|mpc [--robot R] [--use-sim-time] [--discovery RANGE]
  humanoid-control check-urdf ROBOT_OR_PATH

DDS discovery stays on loopback (ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST) unless the
environment says otherwise. Exit codes: 0 ok, 1 the robot fell / a node failed, 2 bad input."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from humanoid_control.errors import HumanoidControlError
from humanoid_control.params import BACKENDS
from humanoid_control.sim.scenario import FAULT_KINDS

NODE_MODULES = {"driver": "humanoid_control.nodes.driver_node", "estimator": "humanoid_control.nodes.estimator_node",
                "wbc": "humanoid_control.nodes.wbc_node", "mpc": "humanoid_control.nodes.mpc_node"}


VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".avi")


def _add_network_flags(p) -> None:
    from humanoid_control.network import DISCOVERY_RANGES

    p.add_argument("--discovery", choices=tuple(DISCOVERY_RANGES), metavar="RANGE",
                   help="DDS discovery range: " + ", ".join(DISCOVERY_RANGES) + " (default: the environment's "
                        "ROS_AUTOMATIC_DISCOVERY_RANGE, else localhost; subnet/system_default/off reach other "
                        "machines: README 'Several machines')")
    p.add_argument("--static-peers", default="", metavar="HOST[,HOST]",
                   help="hosts to reach by unicast (ROS_STATIC_PEERS), e.g. the computer running the MPC")
    p.add_argument("--domain-id", type=int, help="ROS_DOMAIN_ID for this run (default: environment or 0)")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="humanoid-control", description="Whole-body control stack for humanoid robots.")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sim", help="run the full stack on a simulated humanoid (MuJoCo)")
    s.add_argument("--robot", default="humanoid", help="humanoid, talos, or a robot YAML path (default: humanoid)")
    s.add_argument("--duration", type=float, default=10.0, help="simulated seconds (default: 10)")
    s.add_argument("--mode", choices=("lockstep", "realtime"), default="lockstep")
    s.add_argument("--layout", choices=("composed", "processes", "split"),
                   help="composed (default): the 1-kHz control loop (driver, estimator, WBC, safety) as plain calls "
                        "in this process, topics mirrored for outside listeners, the MPC in a worker process "
                        "(lockstep: one MPC period of planning latency); split: the same loop with the MPC *node* "
                        "in its own process over ROS topics; processes: one ROS process per node")
    s.add_argument("--push", action="append", default=[], metavar="T:FX,FY,FZ:DUR",
                   help="push at the base: time [s], force [N] (world), duration [s]; repeatable")
    s.add_argument("--cmd-vel", action="append", default=[], metavar="T:VX,VY,WZ",
                   help="from time T [s] command (vx, vy [m/s], wz [rad/s]) in the base heading frame; repeatable, "
                        "piecewise constant; starts the MPC node (walking)")
    s.add_argument("--friction", type=float, help="floor friction coefficient of the simulation (default: config)")
    s.add_argument("--backend", choices=BACKENDS, help="hardware backend the driver commands: mujoco (the simulation "
                   "directly), mit-can (simulated MIT-mode motors on virtual CAN buses, physics in MuJoCo) or cia402 "
                   "(simulated CiA 402 drives through canopen on virtual CAN buses, physics in MuJoCo); "
                   "default: the driver config, else the URDF's <ros2_control> hardware plugin")
    s.add_argument("--executor", choices=("events", "single"), default="events",
                   help="rclpy executor of the composed graph: events (EventsExecutor, default) or single "
                        "(SingleThreadedExecutor); a node in its own process always uses single")
    s.add_argument("--fault", action="append", default=[], metavar="T:KIND[:ARG]",
                   help="inject a fault at time T [s]; repeatable; kinds: " + ", ".join(FAULT_KINDS))
    s.add_argument("--report", type=Path, help="write the JSON report here")
    s.add_argument("--video", type=Path, metavar="FILE.mp4",
                   help="render the run offscreen into this video (MuJoCo, software GL, tracking camera, contact "
                        "forces drawn as arrows); 25 frames per simulated second")
    s.add_argument("--plots", type=Path, metavar="DIR",
                   help="write PNG plots here: base height, CoM over the footprints, velocity tracking, contact "
                        "forces against the friction cone, per-node timing")
    s.add_argument("--record", type=Path, metavar="FILE.mcap",
                   help="record every topic of the run (ROS 2 messages, CDR) into an MCAP file that Foxglove and "
                        "ros2 bag read; ground truth is on /ground_truth/*")
    s.add_argument("--foxglove", type=int, nargs="?", const=8765, metavar="PORT",
                   help="serve a Foxglove WebSocket live view of the run on PORT (default 8765; 0 picks a free "
                        "port): robot model, joint states, base pose, CoM, contact wrenches, footstep plan, timing")
    s.add_argument("--foxglove-host", default="127.0.0.1", metavar="HOST",
                   help="address the Foxglove server binds to (default 127.0.0.1: this machine only)")
    s.add_argument("--viewer", action="store_true",
                   help="follow the run in MuJoCo's interactive viewer (needs a display; without one the run "
                        "goes on headless and says so)")
    s.add_argument("--config-dir", type=Path, help="folder with driver.yaml, estimator.yaml, wbc.yaml (default: shipped)")
    s.add_argument("--mpc-elsewhere", action="store_true",
                   help="walk with an MPC node you started yourself (another machine: humanoid-control node mpc): "
                        "wait for its plans instead of starting one; give it the same --cmd-vel")
    _add_network_flags(s)
    s.add_argument("--quiet", action="store_true", help="no progress lines")
    c = sub.add_parser("check-urdf", help="load a robot (URDF + config) and print its joints, feet and limits")
    c.add_argument("robot")
    n = sub.add_parser("node", help="run one node of the stack with the shipped config (the pip-only `ros2 run`), "
                                    "e.g. the MPC on a second machine")
    n.add_argument("name", choices=tuple(NODE_MODULES))
    n.add_argument("--robot", default="humanoid", help="humanoid, talos, or a robot YAML path (default: humanoid)")
    n.add_argument("--config-dir", type=Path, help="folder with the node's YAML (default: shipped)")
    n.add_argument("--use-sim-time", action="store_true", help="follow /clock (a lockstep simulation)")
    n.add_argument("--cmd-vel", action="append", default=[], metavar="T:VX,VY,WZ",
                   help="mpc: scripted velocity commands, as for sim")
    _add_network_flags(n)
    return ap


def _fail(msg: str, code: int = 2) -> int:
    print(f"humanoid-control: error: {msg}", file=sys.stderr)
    return code


def _apply_network_flags(args) -> None:
    """Discovery range and static peers into this process's environment (nodes it starts
    inherit them); loopback unless the flags or the environment say otherwise."""
    from humanoid_control.network import apply_network

    if getattr(args, "domain_id", None) is not None:
        if not 0 <= args.domain_id <= 232:
            raise HumanoidControlError(f"--domain-id {args.domain_id} is outside [0, 232]")
        os.environ["ROS_DOMAIN_ID"] = str(args.domain_id)
    if getattr(args, "discovery", None) is not None or getattr(args, "static_peers", ""):
        current = os.environ.get("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST").lower()
        apply_network(args.discovery or current, args.static_peers)
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check-urdf":
            os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
            return check_urdf(args.robot)
        _apply_network_flags(args)
        if args.command == "node":
            return run_node_command(args)
        return run_sim(args)
    except HumanoidControlError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def _robot_arg(robot: str) -> str:
    """The --robot value as a node parameter: a shipped name as is, a path made absolute."""
    return robot if not Path(robot).suffix else str(Path(robot).resolve())


def _write_params_file(path: Path, name: str, values: dict) -> Path:
    """A ROS 2 parameter file ``{name: {ros__parameters: values}}`` (JSON is valid YAML)."""
    path.write_text(json.dumps({name: {"ros__parameters": values}}))
    return path


def run_node_command(args) -> int:
    """``humanoid-control node NAME``: one node in this process with the shipped config."""
    import importlib

    from humanoid_control.paths import share_dir

    config_dir = args.config_dir or share_dir() / "config"
    overrides = {"robot": _robot_arg(args.robot)}
    if args.name == "mpc":
        from humanoid_control.planning.command import parse_cmd_vel
        overrides["cmd_vel_script"] = [parse_cmd_vel(c).text() for c in args.cmd_vel] or [""]
    values = _node_params(config_dir, args.name, overrides)
    values["use_sim_time"] = bool(args.use_sim_time)
    with tempfile.TemporaryDirectory(prefix="humanoid_control_node_") as tmp:
        pfile = _write_params_file(Path(tmp) / f"{args.name}.yaml", args.name, values)
        module = importlib.import_module(NODE_MODULES[args.name])
        return int(module.main(["--ros-args", "--params-file", str(pfile)]) or 0)


def check_urdf(robot: str) -> int:
    from humanoid_control.robot.model import RobotModel

    m = RobotModel.load(robot)
    print(f"robot {m.config.name}: {m.config.urdf_path}")
    print(f"  mass {m.mass:.2f} kg, {m.nj} actuated joints, nq {m.nq}, nv {m.nv}")
    print("  feet: " + ", ".join(f"{s}={f.frame}" for s, f in m.config.feet.items()) + f"; imu: {m.config.imu_frame}")
    for i, n in enumerate(m.joint_names):
        print(f"  {n:28s} [{m.q_lower[i]:+.3f}, {m.q_upper[i]:+.3f}] rad  {m.v_max[i]:6.2f} rad/s  {m.tau_max[i]:7.1f} N·m")
    return 0


def _node_params(config_dir: Path, node: str, overrides: dict) -> dict:
    """Validated before any node starts (fail fast); the values as given, for parameter files."""
    from humanoid_control import params as P

    values = P.load_yaml(config_dir / f"{node}.yaml", node)
    values.update(overrides)
    P.node_params(config_dir, node, overrides)
    return values


def run_sim(args) -> int:
    from humanoid_control.paths import share_dir
    from humanoid_control.robot.model import RobotModel
    from humanoid_control.planning.command import parse_cmd_vel
    from humanoid_control.sim.scenario import check_faults, parse_fault, parse_push

    if not 0.0 < args.duration <= 3600.0:
        return _fail(f"--duration {args.duration} s is outside (0, 3600]")
    if args.video is not None and args.video.suffix.lower() not in VIDEO_SUFFIXES:
        return _fail(f"--video {args.video}: unknown container '{args.video.suffix}'; choose one of "
                     + ", ".join(VIDEO_SUFFIXES))
    if args.foxglove is not None and not 0 <= args.foxglove <= 65535:
        return _fail(f"--foxglove {args.foxglove}: the port is outside [0, 65535]")
    if args.record is not None and args.record.suffix.lower() != ".mcap":
        return _fail(f"--record {args.record}: the recording is an MCAP file; name it *.mcap")
    pushes = [parse_push(p) for p in args.push]
    robot = RobotModel.load(args.robot)  # validates the robot before anything starts
    from humanoid_control.nodes.common import apply_process_scheduling
    for warning in apply_process_scheduling():  # optional CPU pinning / SCHED_FIFO (environment)
        print(f"humanoid-control: warning: {warning}", file=sys.stderr)
    robot_arg = args.robot_arg = _robot_arg(args.robot)
    from humanoid_control.sim.run_extras import new_recording
    args.recording = new_recording(args, robot)
    config_dir = args.config_dir or share_dir() / "config"
    lockstep = args.mode == "lockstep"
    sim_time = lockstep
    commands = [parse_cmd_vel(c) for c in args.cmd_vel]
    walking = bool(commands) or args.mpc_elsewhere
    overrides = {
        "driver": {"robot": robot_arg, "mode": args.mode, "pushes": [p.text() for p in pushes] or [""]},
        "estimator": {"robot": robot_arg},
        "wbc": {"robot": robot_arg, "wait_for_plan": walking and lockstep},
        "mpc": {"robot": robot_arg, "cmd_vel_script": [c.text() for c in commands] or [""]},
    }
    if args.friction is not None:
        overrides["driver"]["friction"] = args.friction
    if args.backend is not None:
        overrides["driver"]["backend"] = args.backend
    faults = [parse_fault(f) for f in args.fault]
    if faults:
        overrides["driver"]["faults"] = [f.text() for f in faults]
    if args.layout is None:
        args.layout = "composed"
    nodes = [n for n in NODE_MODULES if n != "mpc" or walking]
    params = {n: _node_params(config_dir, n, overrides[n]) for n in nodes}
    from humanoid_control.hardware.backends import resolve_backend
    from humanoid_control.robot.ros2_control_tag import hardware_info_for
    info = hardware_info_for(robot.urdf_text, str(robot.config.urdf_path), robot.joint_names)
    backend = resolve_backend(params["driver"]["backend"], info)
    if faults:  # refuse them here, before any node starts, as the driver would
        check_faults(faults, backend, robot.joint_names)
    args.commands = [(c.t, c.velocity) for c in commands]
    if args.layout in ("composed", "split"):
        from humanoid_control.sim.loop_run import run_loop
        external = walking and (args.layout == "split" or args.mpc_elsewhere)
        result = run_loop(params, args, robot, pushes, external)
        report, wall, err = result.report, result.wall_s, result.error
    else:
        report, wall, err = _run_processes(params, sim_time, args, robot, pushes, config_dir)
    if report is None:
        return _fail(err, 1)
    report.update(mode=args.mode, layout=args.layout, backend=backend, executor=args.executor)
    from humanoid_control.sim.run_extras import write_artifacts
    artifact_err = write_artifacts(report, args, getattr(args, "extras", None), robot, params["driver"]["friction"])
    _print_summary(report, args)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
        print(f"report: {args.report}")
    if err or artifact_err:
        return _fail(err or artifact_err, 1)
    return 1 if report["fell"] else 0


def _progress(args, sim_s: float, wall_s: float, last: list) -> None:
    if args.quiet or wall_s - last[0] < 5.0:
        return
    last[0] = wall_s
    print(f"  sim {sim_s:7.2f} / {args.duration:.1f} s   wall {wall_s:6.1f} s   rtf {sim_s / max(wall_s, 1e-9):.2f}",
          flush=True)


def _ros_params(values: dict, sim_time: bool) -> list:
    from rclpy.parameter import Parameter

    out = [Parameter(k, value=v) for k, v in values.items()]
    out.append(Parameter("use_sim_time", value=sim_time))
    return out


def _spawn_node(name: str, values: dict, sim_time: bool, tmp: Path, logs: dict) -> subprocess.Popen:
    """Start one node as its own Python process with its parameters in a file under ``tmp``;
    its output goes to ``logs[name]`` (read back when it dies)."""
    pfile = _write_params_file(tmp / f"{name}.yaml", name, {**values, "use_sim_time": sim_time and name != "driver"})
    logs[name] = open(tmp / f"{name}.log", "w+")
    cmd = [sys.executable, "-m", NODE_MODULES[name], "--ros-args", "--params-file", str(pfile)]
    return subprocess.Popen(cmd, stdout=logs[name], stderr=subprocess.STDOUT, env=os.environ.copy())


def _dead_node(procs: dict, logs: dict) -> str:
    """'' while every node process runs, else what the first one that exited printed last."""
    for name, p in procs.items():
        if p.poll() is not None:
            logs[name].seek(0)
            tail = logs[name].read()[-2000:]
            return f"node '{name}' exited with code {p.returncode}:\n{tail}"
    return ""


def _stop_nodes(procs: dict, logs: dict) -> None:
    """SIGINT every node process still running (SIGKILL after 10 s), close the logs."""
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs.values():
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for f in logs.values():
        f.close()


#: [s] wall time an external node has to come up (imports, solver build) before the run starts.
EXTERNAL_STARTUP_TIMEOUT_S = 120.0


def _wait_for_external(node, procs: dict, logs: dict) -> str:
    """Block until the external MPC's plan publisher is discovered by ``node`` (the node
    creates it after building its solver), so the driver's first state finds it ready;
    '' when it is, else why not."""
    t_end = time.monotonic() + EXTERNAL_STARTUP_TIMEOUT_S
    while node.count_publishers("/centroidal_plan") < 1:
        err = _dead_node(procs, logs)
        if err:
            return err
        if time.monotonic() > t_end:
            return f"the MPC node did not come up within {EXTERNAL_STARTUP_TIMEOUT_S:.0f} s"
        time.sleep(0.05)
    time.sleep(0.2)  # let the MPC's subscriptions match too
    return ""


def _run_processes(params, sim_time, args, robot, pushes, config_dir):
    import rclpy

    from humanoid_control.nodes.common import make_executor
    from humanoid_control.nodes.monitor_node import MonitorNode
    from humanoid_control.sim.report import ReportBuilder

    tmp = Path(tempfile.mkdtemp(prefix="humanoid_control_"))
    ctx = rclpy.Context()
    rclpy.init(context=ctx, args=[])
    rb = ReportBuilder(robot.mass)
    rb.commands = list(args.commands)
    monitor = MonitorNode(rb, stamps_from_zero=sim_time, recording=args.recording, context=ctx)
    ex = make_executor(args.executor, ctx)
    ex.add_node(monitor)
    from humanoid_control.sim.run_extras import RunExtras
    extras = args.extras = RunExtras(args, robot)
    procs = {}
    logs = {}
    err = ""
    last = [0.0]
    end_ns = int(args.duration * 1e9)
    try:
        extras.open(ctx, ex, sim_time)  # before the nodes start: nothing lost to discovery, nothing to stop
        for name, values in params.items():
            procs[name] = _spawn_node(name, values, sim_time, tmp, logs)
        t0 = time.monotonic()
        while monitor.sim_ns < end_ns:
            ex.spin_once(timeout_sec=0.05)
            wall = time.monotonic() - t0
            err = _dead_node(procs, logs)
            if err:
                break
            if monitor.sim_ns == 0 and wall > 120.0:
                err = "no simulation progress within 120 s of start-up"
                break
            _progress(args, monitor.sim_ns * 1e-9, wall, last)
            extras.tick(wall, rb.nodes)
        wall = time.monotonic() - t0
        extras.end_views()
        # Let the nodes' last periodic diagnostics arrive (they publish every diagnostics_period_s of sim time).
        t_end = time.monotonic() + 0.3
        while time.monotonic() < t_end:
            ex.spin_once(timeout_sec=0.02)
        return rb.build(wall, pushes), wall, err
    finally:
        _stop_nodes(procs, logs)
        extras.close()
        monitor.destroy_node()
        rclpy.try_shutdown(context=ctx)


def _print_summary(r: dict, args) -> None:
    status = "FELL" if r["fell"] else "stood"
    print(f"{args.robot}: {status} for {r['sim_time_s']:.2f} s simulated in {r['wall_time_s']:.1f} s "
          f"(real-time factor {r['real_time_factor']:.2f}, {args.mode}, {args.layout})")
    print(f"  base height min {r['base_height_min_m']} m, max tilt {r['max_tilt_rad']} rad, "
          f"CoM drift {r['com_drift_xy_m']} m")
    print(f"  estimator: position RMSE {r['estimator_pos_rmse_m']} m, velocity RMSE {r['estimator_vel_rmse_mps']} m/s")
    for p in r["pushes"]:
        walking = any(abs(c) > 1e-6 for c in p["command"])
        if walking:
            verdict = (f"{'back to the command' if p['back_to_command'] else 'NOT back to the command'} "
                       f"(speed error {p['speed_error_end_mps']} m/s, {p['steps_in_window']} steps)")
        else:
            verdict = "recovered" if p["recovered"] else "NOT recovered"
        print(f"  push at {p['t_s']} s: {p['impulse_Ns']} N·s (Δv {p['delta_v_mps']} m/s) -> {verdict}")
    for seg in r.get("velocity_segments", []):
        c, m = seg["command"], seg["mean"]
        print(f"  walk {seg['t_start_s']}–{seg['t_end_s']} s: command ({c[0]:.2f}, {c[1]:.2f}, {c[2]:.2f}) -> mean "
              f"({m[0]:.2f}, {m[1]:.2f}, {m[2]:.2f}) m/s, m/s, rad/s, error {seg['error'] * 100:.0f} %")
    if r.get("mpc"):
        print(f"  walked {r['distance_m']} m in {r['steps_taken']} steps; MPC solve p50 {r['mpc']['solve_p50_ms']} ms, "
              f"p99 {r['mpc']['solve_p99_ms']} ms at {r['mpc']['rate_hz']} Hz")
    for name, n in sorted(r["nodes"].items()):
        print(f"  {name:9s} compute p50 {n['compute_p50_us']:.0f} µs, p99 {n['compute_p99_us']:.0f} µs, "
              f"overruns {n['overruns']}")


if __name__ == "__main__":
    sys.exit(main())
