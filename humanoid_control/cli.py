"""``humanoid-control``: the pip-only equivalent of the launch files, plus tools.

  humanoid-control sim [--robot humanoid|talos|PATH] [--duration S] [--mode lockstep|realtime]
                       [--layout composed|processes|split] [--push T:FX,FY,FZ:DUR ...] [--report FILE.json]
                       [--video FILE.mp4] [--plots DIR] [--viewer] [--record FILE.mcap] [--foxglove [PORT]]
                       [--planner on|off] [--terrain KIND] [--terrain-known]
  humanoid-control node driver|estimator|wbc|mpc|control_loop [--robot R] [--use-sim-time] [--discovery RANGE]
  humanoid-control sim --randomize SEED:INDEX [--scenario S] [--video ...]   (replay a campaign's trial)
  humanoid-control campaign [--trials N] [--seed S] [--robot R] [--scenario stand-push|walk|walk-push|terrain|mixed]
                            [--workers K] [--ray local|auto|ADDRESS] [--report FILE.json] [--out DIR]
  humanoid-control check-urdf ROBOT_OR_PATH

DDS discovery stays on loopback (ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST) unless the
environment says otherwise. Exit codes: 0 ok, 1 the robot fell / a node failed, 2 bad input."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from humanoid_control.errors import HumanoidControlError
from humanoid_control.params import BACKENDS
from humanoid_control.sim.campaign import MIXED, SCENARIO_CHOICES
from humanoid_control.sim.scenario import FAULT_KINDS

from humanoid_control.sim.node_processes import NODE_MODULES, write_params_file
from humanoid_control.sim.run_spec import node_param_values, robot_param


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
    s.add_argument("--terrain", metavar="KIND", default="flat",
                   help="the simulated ground (the controller is blind to it unless --terrain-known): flat (default), slope:DEG[@X] (a 4-m "
                        "ramp from X m ahead, default 1; negative: downhill), step:HEIGHT[@X] (up +, down -), "
                        "stairs:RISE:RUN:N[@X], rough:AMPLITUDE[:SEED] (a height field of ±AMPLITUDE m)")
    s.add_argument("--terrain-known", action="store_true",
                   help="give the planner the --terrain as its map (mpc.terrain_map, as perception or a surveyed rig "
                        "would): landings keep off its edges and sit at its heights; not for rough ground")
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
    s.add_argument("--param", action="append", default=[], metavar="NODE.NAME=VALUE",
                   help="override one node parameter (YAML value), e.g. mpc.rate_hz=200 or wbc.com_weight=50; "
                        "repeatable; validated like the config files")
    s.add_argument("--planner", choices=("on", "off"), default="on",
                   help="on (default): the gait planner and MPC run from the start, a zero command stands and a "
                        "shove the ankles cannot absorb is answered by steps; off: stand on the balance law alone "
                        "unless --cmd-vel asks to walk")
    s.add_argument("--mpc-elsewhere", action="store_true",
                   help="walk with an MPC node you started yourself (another machine: humanoid-control node mpc): "
                        "wait for its plans instead of starting one; give it the same --cmd-vel")
    _add_network_flags(s)
    s.add_argument("--quiet", action="store_true", help="no progress lines")
    s.add_argument("--randomize", metavar="SEED:INDEX",
                   help="replay trial INDEX of the campaign of seed SEED (humanoid-control campaign): its robot, floor, "
                        "sensor and actuator errors, push, command and terrain, with the same lockstep outcome; not "
                        "with --duration, --push, --cmd-vel, --terrain or --friction (the trial sets them)")
    s.add_argument("--scenario", choices=SCENARIO_CHOICES, default=MIXED,
                   help="with --randomize: the campaign's --scenario (default: mixed)")
    k = sub.add_parser("campaign", help="randomized full-stack lockstep trials (model, sensor and actuator errors, "
                                        "pushes, commands, terrain): success rate with its 95 %% interval")
    k.add_argument("--trials", type=int, default=20, help="how many trials (default: 20)")
    k.add_argument("--seed", type=int, default=0, help="the campaign's seed: trial i of seed s is always the same")
    k.add_argument("--robot", default="humanoid", help="humanoid, talos, or a robot YAML path (default: humanoid)")
    k.add_argument("--scenario", choices=SCENARIO_CHOICES, default=MIXED,
                   help="stand-push, walk, walk-push, terrain, or mixed (default: each trial draws one)")
    k.add_argument("--workers", type=int, help="local worker processes (default: the number of cores); worker k "
                                               "runs in ROS domain --domain-id + k")
    k.add_argument("--ray", metavar="local|auto|ADDRESS",
                   help="run the trials as Ray tasks: local (a Ray of this machine on 127.0.0.1), auto (the cluster "
                        "this machine belongs to) or a cluster address; needs pip install '.[ray]'")
    k.add_argument("--report", type=Path, metavar="FILE.json", help="write the JSON report here")
    k.add_argument("--out", type=Path, metavar="DIR", help="write campaign.json and failures.txt (the replay "
                                                           "commands) into this folder")
    k.add_argument("--config-dir", type=Path, help="folder with campaign.yaml and the nodes' YAML (default: shipped)")
    k.add_argument("--param", action="append", default=[], metavar="NODE.NAME=VALUE",
                   help="a parameter override for every trial (as sim --param): the same trials with another tuning")
    k.add_argument("--min-success", type=float, default=0.0, metavar="RATE",
                   help="exit 1 when the success rate is below this (0–1, default 0: only errors fail)")
    k.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_network_flags(k)
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
    raw = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(raw)
    try:
        if args.command == "check-urdf":
            os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
            return check_urdf(args.robot)
        _apply_network_flags(args)
        if args.command == "node":
            return run_node_command(args)
        if args.command == "campaign":
            return run_campaign_command(args)
        if args.randomize:
            trial = randomized_trial(args, raw[1:])
            args = _parser().parse_args(["sim"] + trial.sim_args + raw[1:])
            args.trial = trial
        elif any(a == "--scenario" or a.startswith("--scenario=") for a in raw[1:]):
            raise HumanoidControlError("--scenario goes with --randomize SEED:INDEX (the campaign's scenario)")
        return run_sim(args)
    except HumanoidControlError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def run_node_command(args) -> int:
    """``humanoid-control node NAME``: one node in this process with the shipped config."""
    import importlib

    from humanoid_control.paths import share_dir

    config_dir = args.config_dir or share_dir() / "config"
    overrides = {"robot": robot_param(args.robot)}
    if args.name == "control_loop":  # the loop reads its parts' YAML files from there
        overrides["config_dir"] = str(Path(config_dir).resolve())
    if args.name == "mpc":
        from humanoid_control.planning.command import parse_cmd_vel
        overrides["cmd_vel_script"] = [parse_cmd_vel(c).text() for c in args.cmd_vel] or [""]
    values = node_param_values(config_dir, args.name, overrides)
    values["use_sim_time"] = bool(args.use_sim_time)
    with tempfile.TemporaryDirectory(prefix="humanoid_control_node_") as tmp:
        pfile = write_params_file(Path(tmp) / f"{args.name}.yaml", args.name, values)
        module = importlib.import_module(NODE_MODULES[args.name])
        return int(module.main(["--ros-args", "--params-file", str(pfile)]) or 0)


def check_urdf(robot: str) -> int:
    from humanoid_control.robot.model import RobotModel

    m = RobotModel.load(robot)
    print(f"robot {m.config.name}: {m.config.urdf_path}")
    print(f"  mass {m.mass:.2f} kg, {m.nj} actuated joints, nq {m.nq}, nv {m.nv}")
    for side, f in m.config.feet.items():
        print(f"  {side} sole: {f.describe()}")
    print(f"  imu: {m.config.imu_frame}")
    if m.config.srdf_joints_ignored:
        print(f"  posture: the SRDF's joints {', '.join(m.config.srdf_joints_ignored)} are not in the URDF (ignored)")
    for i, n in enumerate(m.joint_names):
        print(f"  {n:28s} [{m.q_lower[i]:+.3f}, {m.q_upper[i]:+.3f}] rad  {m.v_max[i]:6.2f} rad/s  {m.tau_max[i]:7.1f} N·m")
    return 0


#: flags a --randomize trial sets itself
TRIAL_FLAGS = ("--duration", "--push", "--cmd-vel", "--terrain", "--friction")


def randomized_trial(args, given):
    """Trial ``--randomize SEED:INDEX`` (its --scenario, --robot and --config-dir as given; its
    ``sim_args`` run it); refused with the flags the trial sets itself."""
    from humanoid_control.sim.campaign import CampaignConfig, RobotFacts, default_config_path, draw_trial, parse_randomize

    clash = sorted({f for f in TRIAL_FLAGS for g in given if g == f or g.startswith(f + "=")})
    if clash:
        raise HumanoidControlError(f"--randomize sets {', '.join(clash)} itself; leave {'it' if len(clash) == 1 else 'them'} out")
    seed, index = parse_randomize(args.randomize)
    cfg = CampaignConfig.load(default_config_path(args.config_dir))
    return draw_trial(seed, index, args.scenario, RobotFacts.of(args.robot), cfg)


def sim_spec_for_args(argv: list) -> tuple:
    """(RunSpec, RobotModel) of ``humanoid-control sim`` arguments (without the ``sim``)."""
    from humanoid_control.robot.model import RobotModel
    from humanoid_control.sim.run_spec import RunSpec

    args = _parser().parse_args(["sim"] + list(argv))
    robot = RobotModel.load(args.robot)
    return RunSpec.from_args(args, robot), robot


def run_campaign_command(args) -> int:
    """``humanoid-control campaign``: run the trials, print the table, write the report."""
    from humanoid_control.sim.campaign import format_table, run_campaign

    if not 0.0 <= args.min_success <= 1.0:
        raise HumanoidControlError(f"--min-success {args.min_success} is outside [0, 1]")
    report = run_campaign(args.robot, args.trials, args.seed, args.scenario, args.workers, args.ray, args.config_dir,
                          args.domain_id, args.quiet, tuple(args.param))
    print(format_table(report))
    s = report["summary"]
    print(f"{args.robot}: {s['successes']}/{s['trials']} trials succeeded ({100 * s['success_rate']:.1f} %, "
          f"95 % CI {100 * s['ci95_low']:.1f}–{100 * s['ci95_high']:.1f} %) in {report['campaign']['wall_s']} s")
    paths = []
    if args.report:
        paths.append(args.report)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        paths.append(args.out / "campaign.json")
        (args.out / "failures.txt").write_text("".join(f["replay"] + "\n" for f in report["failures"]))
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"report: {path}")
    return 0 if s["success_rate"] >= args.min_success else 1


def run_sim(args) -> int:
    """Parse the run into its spec, run it (:mod:`humanoid_control.sim.runner`), print and
    write the report."""
    from humanoid_control.nodes.common import apply_process_scheduling
    from humanoid_control.robot.model import RobotModel
    from humanoid_control.sim.run_spec import RunSpec
    from humanoid_control.sim.runner import run

    robot = RobotModel.load(args.robot)  # validates the robot before anything starts
    spec = RunSpec.from_args(args, robot)
    for warning in apply_process_scheduling():  # optional CPU pinning / SCHED_FIFO (environment)
        print(f"humanoid-control: warning: {warning}", file=sys.stderr)
    stop = None
    if spec.layout != "processes":  # Ctrl-C ends the loop between ticks, report written (processes: at once)
        from humanoid_control.sim.stop_request import StopRequest
        stop = StopRequest().install()
    try:
        result = run(spec, robot, stop)
    finally:
        if stop is not None:
            stop.restore()
    report = result.report
    if report is None:
        return _fail(result.error, 1)
    trial = getattr(args, "trial", None)  # --randomize: the campaign trial this run is
    if trial is not None:
        report["randomize"] = {"seed": trial.seed, "index": trial.index, "scenario": trial.scenario}
        print(f"randomized: trial {trial.index} of seed {trial.seed} ({trial.scenario})")
    _print_summary(report, spec)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
        print(f"report: {args.report}")
    if result.error:
        return _fail(result.error, 1)
    return 1 if report["fell"] else 0


def _print_summary(r: dict, spec) -> None:
    status = "FELL" if r["fell"] else "stood"
    print(f"{spec.robot}: {status} for {r['sim_time_s']:.2f} s simulated in {r['wall_time_s']:.1f} s "
          f"(real-time factor {r['real_time_factor']:.2f}, {spec.mode}, {spec.layout})")
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
              f"({m[0]:.2f}, {m[1]:.2f}, {m[2]:.2f}) m/s, m/s, rad/s, error {seg['error'] * 100:.0f} %"
              + ("" if seg.get("com_drift_mps") is None else f", CoM drift {seg['com_drift_mps']:.3f} m/s"))
    if r.get("mpc"):
        print(f"  walked {r['distance_m']} m in {r['steps_taken']} steps; MPC solve p50 {r['mpc']['solve_p50_ms']} ms, "
              f"p99 {r['mpc']['solve_p99_ms']} ms at {r['mpc']['rate_hz']} Hz")
    for name, n in sorted(r["nodes"].items()):
        print(f"  {name:9s} compute p50 {n['compute_p50_us']:.0f} µs, p99 {n['compute_p99_us']:.0f} µs, "
              f"overruns {n['overruns']}")


if __name__ == "__main__":
    sys.exit(main())
