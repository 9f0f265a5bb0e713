"""What one ``humanoid-control sim`` run is, built once from the command line and frozen:
the runners read it and carry their own state, nothing is written back onto the arguments."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from humanoid_control.errors import ConfigError, UnknownNameError

LAYOUTS = ("composed", "processes", "split")
MODES = ("lockstep", "realtime")
VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".avi")
MAX_DURATION_S = 3600.0


def robot_param(robot: str) -> str:
    """A --robot value as a node parameter: a shipped name as is, a path made absolute."""
    return robot if not Path(robot).suffix else str(Path(robot).resolve())


def node_param_values(config_dir: Path, node: str, overrides: dict) -> dict:
    """A node's parameter values (its YAML under ``config_dir`` with ``overrides``), validated
    here so that a bad value stops the run before any node starts; the values as given (for
    parameter files), the defaults left to the node."""
    from humanoid_control import params as P

    values = P.load_yaml(config_dir / f"{node}.yaml", node)
    values.update(overrides)
    P.node_params(config_dir, node, overrides)
    return values


PARAM_NODES = ("driver", "estimator", "wbc", "mpc")


def parse_param(text: str) -> tuple:
    """``NODE.NAME=VALUE`` (``--param``) -> (node, name, value); the value is read as YAML
    (``200``, ``0.5``, ``true``, ``"text"``, ``[a, b]``). The name and the value are checked
    here against the node's schema, so an error names the ``--param`` (not the node's file)."""
    import yaml

    from humanoid_control import params as P

    key, sep, raw = text.partition("=")
    node, dot, name = key.strip().partition(".")
    if not sep or not dot or not name:
        raise ConfigError("expected NODE.NAME=VALUE, e.g. mpc.rate_hz=200", f"--param {text}")
    if node not in PARAM_NODES:
        raise UnknownNameError("node", node, PARAM_NODES, f"--param {text}")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"the value is not YAML: {exc}", f"--param {text}") from None
    name = name.strip()
    P.validate({name: value}, P.SCHEMAS[node], f"--param {text}")
    return node, name, value


@dataclass(frozen=True)
class RunSpec:
    robot: str  # --robot as given (for messages)
    robot_arg: str  # the same as a node parameter
    duration_s: float  # [s] of simulated (plant) time
    mode: str  # one of MODES
    layout: str  # one of LAYOUTS
    executor: str  # rclpy executor of the run's own process
    params: dict  # node name -> parameter values (driver, estimator, wbc and, when walking, mpc)
    backend: str  # the hardware backend the driver runs
    pushes: tuple = ()  # scenario.Push
    commands: tuple = ()  # ((t [s], (vx, vy, wz)), ...) the scripted velocity commands
    mpc_elsewhere: bool = False  # walk with an MPC node the user started
    quiet: bool = False
    video: Path | None = None
    plots: Path | None = None
    record: Path | None = None
    foxglove: int | None = None
    foxglove_host: str = "127.0.0.1"
    viewer: bool = False
    config_dir: Path = field(default_factory=Path)
    ros_args: tuple = ()  # the process's ROS arguments (remappings, node name) for the run's context
    report_path: Path | None = None  # control_loop_node: where the report goes on exit

    @property
    def lockstep(self) -> bool:
        return self.mode == "lockstep"

    @property
    def walking(self) -> bool:
        return "mpc" in self.params

    @property
    def external_mpc(self) -> bool:
        """The MPC runs as a ROS node outside the loop (split, or started by the user)."""
        return self.walking and (self.layout == "split" or self.mpc_elsewhere)

    @property
    def terrain(self):
        """The run's ground (:class:`humanoid_control.sim.terrain.Terrain`), from the driver's
        ``terrain`` parameter."""
        from humanoid_control.sim.terrain import Terrain

        return Terrain.parse(self.params["driver"].get("terrain", "flat"))

    @property
    def wants_recording(self) -> bool:
        return bool(self.video or self.plots or self.viewer or self.foxglove is not None)

    @classmethod
    def for_control_loop_node(cls, values: dict, robot, ros_args=()) -> "RunSpec":
        """The spec of ``control_loop_node`` from its validated parameters (schema
        ``params.CONTROL_LOOP``): the composed loop until stopped (or ``duration_s``), walking on
        /cmd_vel with the MPC worker (``planner`` worker), with plans from /centroidal_plan
        (topic) or standing (none)."""
        import math

        from humanoid_control import params as P
        from humanoid_control.hardware.backends import resolve_backend
        from humanoid_control.paths import share_dir
        from humanoid_control.robot.ros2_control_tag import hardware_info_for

        robot_arg = robot_param(values["robot"])
        config_dir = Path(values["config_dir"]) if values["config_dir"] else share_dir() / "config"
        driver = P.load_yaml(Path(values["driver_params"]), "driver") if values["driver_params"] else {}
        # the driver file is applied last, as in the processes layout: its mode (a hardware file
        # says realtime) is the run's
        mode, planner = driver.get("mode", values["mode"]), values["planner"]
        lockstep, walking = mode == "lockstep", planner != "none"
        overrides = {
            "driver": {"mode": mode, **driver, "robot": robot_arg},
            "estimator": {"robot": robot_arg},
            "wbc": {"robot": robot_arg, "wait_for_plan": walking and lockstep},
            "mpc": {"robot": robot_arg, "cmd_vel_script": [""], **({"max_solve_time_s": 0.0} if lockstep else {})},
        }
        nodes = ("driver", "estimator", "wbc") + (("mpc",) if walking else ())
        params = {n: node_param_values(config_dir, n, overrides[n]) for n in nodes}
        info = hardware_info_for(robot.urdf_text, str(robot.config.urdf_path), robot.joint_names)
        backend = resolve_backend(params["driver"]["backend"], info)
        return cls(robot=values["robot"], robot_arg=robot_arg, duration_s=values["duration_s"] or math.inf, mode=mode,
                   layout="composed", executor="events", params=params, backend=backend,
                   mpc_elsewhere=planner == "topic", quiet=True, config_dir=config_dir, ros_args=tuple(ros_args),
                   report_path=Path(values["report"]) if values["report"] else None)

    @classmethod
    def from_args(cls, args, robot) -> "RunSpec":
        """The spec of ``humanoid-control sim`` arguments for a loaded ``robot``. Raises a
        HumanoidControlError naming the flag that is wrong."""
        from humanoid_control.hardware.backends import resolve_backend
        from humanoid_control.paths import share_dir
        from humanoid_control.planning.command import parse_cmd_vel
        from humanoid_control.robot.ros2_control_tag import hardware_info_for
        from humanoid_control.sim.scenario import check_faults, parse_fault, parse_push
        from humanoid_control.sim.terrain import Terrain

        if not 0.0 < args.duration <= MAX_DURATION_S:
            raise ConfigError(f"{args.duration} s is outside (0, {MAX_DURATION_S:.0f}]", "--duration")
        if args.video is not None and args.video.suffix.lower() not in VIDEO_SUFFIXES:
            raise ConfigError(f"unknown container '{args.video.suffix}'; choose one of " + ", ".join(VIDEO_SUFFIXES),
                              f"--video {args.video}")
        if args.foxglove is not None and not 0 <= args.foxglove <= 65535:
            raise ConfigError("the port is outside [0, 65535]", f"--foxglove {args.foxglove}")
        if args.record is not None and args.record.suffix.lower() != ".mcap":
            raise ConfigError("the recording is an MCAP file; name it *.mcap", f"--record {args.record}")
        pushes = tuple(parse_push(p) for p in args.push)
        commands = [parse_cmd_vel(c) for c in args.cmd_vel]
        faults = [parse_fault(f) for f in args.fault]
        robot_arg = robot_param(args.robot)
        config_dir = args.config_dir or share_dir() / "config"
        lockstep = args.mode == "lockstep"
        walking = bool(commands) or args.mpc_elsewhere or getattr(args, "planner", "off") == "on"
        overrides = {
            "driver": {"robot": robot_arg, "mode": args.mode, "pushes": [p.text() for p in pushes] or [""]},
            "estimator": {"robot": robot_arg},
            "wbc": {"robot": robot_arg, "wait_for_plan": walking and lockstep},
            "mpc": {"robot": robot_arg, "cmd_vel_script": [c.text() for c in commands] or [""]},
        }
        if lockstep:  # a wall-clock budget would make lockstep runs depend on the machine's load
            overrides["mpc"]["max_solve_time_s"] = 0.0
        for node, name, value in (parse_param(text) for text in getattr(args, "param", [])):
            overrides[node][name] = value
        if "rate_hz" in overrides["mpc"] and "plan_period_s" not in overrides["wbc"]:
            node_param_values(config_dir, "mpc", overrides["mpc"])  # its own error first
            overrides["wbc"]["plan_period_s"] = 1.0 / float(overrides["mpc"]["rate_hz"])  # the WBC expects plans then
        if args.friction is not None:
            overrides["driver"]["friction"] = args.friction
        terrain = Terrain.parse(getattr(args, "terrain", "flat") or "flat")
        overrides["driver"]["terrain"] = terrain.text()
        if getattr(args, "terrain_known", False) and "terrain_map" not in overrides["mpc"]:
            if terrain.kind == "rough":
                raise ConfigError(f"the planner cannot be given '{terrain.text()}' as a map (a rough height field); "
                                  "known terrains: flat, slope, step, stairs", "--terrain-known")
            overrides["mpc"]["terrain_map"] = terrain.text()
            overrides["estimator"].setdefault("terrain_map", terrain.text())
        if args.backend is not None:
            overrides["driver"]["backend"] = args.backend
        if faults:
            overrides["driver"]["faults"] = [f.text() for f in faults]
        nodes = ("driver", "estimator", "wbc") + (("mpc",) if walking else ())
        params = {n: node_param_values(config_dir, n, overrides[n]) for n in nodes}
        for n in set(PARAM_NODES) - set(nodes):  # a --param for a node this run does not start is still checked
            node_param_values(config_dir, n, overrides[n])
        info = hardware_info_for(robot.urdf_text, str(robot.config.urdf_path), robot.joint_names)
        backend = resolve_backend(params["driver"]["backend"], info)
        if faults:  # refused here, before anything starts, as the driver would
            check_faults(faults, backend, robot.joint_names)
        return cls(robot=args.robot, robot_arg=robot_arg, duration_s=float(args.duration), mode=args.mode,
                   layout=args.layout or "composed", executor=args.executor, params=params, backend=backend,
                   pushes=pushes, commands=tuple((c.t, c.velocity) for c in commands),
                   mpc_elsewhere=bool(args.mpc_elsewhere), quiet=bool(args.quiet), video=args.video, plots=args.plots,
                   record=args.record, foxglove=args.foxglove, foxglove_host=args.foxglove_host,
                   viewer=bool(args.viewer), config_dir=config_dir)
