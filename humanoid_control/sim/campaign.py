"""Robustness campaigns: many randomized full-stack lockstep runs and their success rate.

Trial ``INDEX`` of seed ``SEED`` draws, from ``config/campaign.yaml`` (ranges with units),
everything a robot meets beyond the nominal case: the simulated robot's errors against the
controller's model (link masses and centres of mass, each motor's torque constant, joint
friction), the floor's friction, sensor noise, gyro bias and delay, actuation delay, and
its scenario — a push while standing, a walk, a push while walking, or blind terrain — with
its push (time, direction, size), velocity command and ground. A trial *is* a
``humanoid-control sim`` run: :func:`draw_trial` turns it into ``sim`` arguments, and
``sim --randomize SEED:INDEX [--scenario S]`` replays it with the same arguments, so the
replay's lockstep outcome is the campaign's (and the video, plots and recording flags can
be added to it).

The draws come from ``numpy.random.default_rng([SEED, INDEX])`` in a fixed order, the same
whatever the scenario, the worker or the machine. :func:`run_campaign` runs trials on a
local process pool (each worker in its own ROS domain, loopback discovery) or as Ray tasks
(:mod:`humanoid_control.sim.campaign_ray`), and :func:`summarize` reads the outcomes as a
success rate with its Wilson 95 % interval, per scenario and by failure mode."""
from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from humanoid_control.errors import ConfigError, HumanoidControlError, ParameterRangeError, UnknownNameError

SCENARIOS = ("stand-push", "walk", "walk-push", "terrain")
MIXED = "mixed"
SCENARIO_CHOICES = SCENARIOS + (MIXED,)
PUSH_S = 0.1  # [s] how long a push lasts
JUDGE_AFTER_PUSH_S = 3.0  # [s] a push's outcome is read this long after it ends

#: name -> (unit, hard lower bound, hard upper bound): the ranges config/campaign.yaml may give
LIMITS = {
    "link_mass_scale": ("-", 0.5, 1.5),
    "link_com_offset_m": ("m", -0.05, 0.05),
    "floor_friction": ("-", 0.05, 3.0),
    "imu_gyro_noise_std": ("rad/s", 0.0, 1.0),
    "imu_gyro_bias": ("rad/s", -0.1, 0.1),
    "imu_accel_noise_std": ("m/s²", 0.0, 5.0),
    "imu_orientation_noise_std": ("rad", 0.0, 0.1),
    "joint_position_noise_std": ("rad", 0.0, 0.01),
    "joint_velocity_noise_std": ("rad/s", 0.0, 1.0),
    "sensor_delay_s": ("s", 0.0, 0.02),
    "torque_constant_scale": ("-", 0.5, 1.5),
    "joint_friction": ("N·m", 0.0, 10.0),
    "actuation_delay_s": ("s", 0.0, 0.02),
    "push_delta_v_mps": ("m/s", 0.0, 1.5),
    "stand_push_time_s": ("s", 0.5, 20.0),
    "walk_push_time_s": ("s", 1.0, 20.0),
    "walk_vx_mps": ("m/s", -1.0, 1.0),
    "walk_vy_mps": ("m/s", -0.5, 0.5),
    "walk_wz_radps": ("rad/s", -1.0, 1.0),
    "walk_duration_s": ("s", 3.0, 60.0),
    "push_walk_vx_mps": ("m/s", -1.0, 1.0),
    "terrain_vx_mps": ("m/s", 0.05, 1.0),
    "terrain_start_m": ("m", 0.3, 10.0),
    "terrain_slope_deg": ("deg", 0.0, 30.0),
    "terrain_step_up_m": ("m", 0.0, 0.3),
    "terrain_step_down_m": ("m", 0.0, 0.3),
    "terrain_rough_m": ("m", 0.0, 0.05),
}
#: success thresholds: name -> (unit, lower, upper)
THRESHOLDS = {
    "walk_max_tracking_error": ("-", 0.01, 10.0),
    "terrain_max_tracking_error": ("-", 0.01, 10.0),
}


class CampaignError(HumanoidControlError):
    """A campaign cannot run (its configuration, a flag, a missing optional package)."""


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    unit: str

    def draw(self, rng: np.random.Generator, size=None):
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True)
class CampaignConfig:
    ranges: dict  # name -> Range (every name of LIMITS)
    thresholds: dict  # name -> float (every name of THRESHOLDS)
    path: str = ""

    @classmethod
    def load(cls, path: Path) -> "CampaignConfig":
        """``campaign:`` of a YAML file: each range as ``NAME: {low: A, high: B, unit: U}``,
        each threshold as ``NAME: VALUE``; every name of :data:`LIMITS` and
        :data:`THRESHOLDS` must be there, with the unit the code expects."""
        from humanoid_control.paths import read_yaml_mapping

        data = read_yaml_mapping(Path(path), "campaign file does not exist")
        src = str(path)
        section = data.get("campaign")
        if not isinstance(section, dict):
            raise ConfigError("no 'campaign:' mapping", src)
        known = set(LIMITS) | set(THRESHOLDS)
        for name in section:
            if name not in known:
                raise UnknownNameError("campaign entry", name, sorted(known), src)
        ranges, thresholds = {}, {}
        for name, (unit, lo, hi) in LIMITS.items():
            entry = section.get(name)
            if not isinstance(entry, dict) or set(entry) != {"low", "high", "unit"}:
                raise ConfigError(f"'{name}' must be {{low: A, high: B, unit: {unit}}}, got {entry!r}", src)
            if str(entry["unit"]) != unit:
                raise ConfigError(f"'{name}' is in {unit}, the file says {entry['unit']!r}", src)
            for key in ("low", "high"):
                v = entry[key]
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ConfigError(f"'{name}.{key}' must be a number [{unit}], got {v!r}", src)
                if not lo <= v <= hi:
                    raise ParameterRangeError(f"{name}.{key}", v, lo, hi, unit, src)
            if entry["low"] > entry["high"]:
                raise ConfigError(f"'{name}': low {entry['low']} is above high {entry['high']}", src)
            ranges[name] = Range(float(entry["low"]), float(entry["high"]), unit)
        for name, (unit, lo, hi) in THRESHOLDS.items():
            v = section.get(name)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(f"'{name}' must be a number [{unit}], got {v!r}", src)
            if not lo <= v <= hi:
                raise ParameterRangeError(name, v, lo, hi, unit, src)
            thresholds[name] = float(v)
        return cls(ranges, thresholds, src)


def default_config_path(config_dir: Path | None = None) -> Path:
    from humanoid_control.paths import share_dir

    return Path(config_dir or share_dir() / "config") / "campaign.yaml"


@dataclass(frozen=True)
class RobotFacts:
    """What the draws need to know of a robot: its name (--robot), mass, the links that carry
    mass and the actuated joints, in the URDF's order."""

    robot: str
    mass: float  # [kg]
    links: tuple
    joints: tuple

    @classmethod
    def of(cls, robot: str) -> "RobotFacts":
        import xml.etree.ElementTree as ET

        from humanoid_control.robot.model import RobotModel

        model = RobotModel.load(robot)
        links = []
        for link in ET.fromstring(model.urdf_text).iter("link"):
            mass = link.find("inertial/mass")
            if mass is not None and float(mass.get("value", 0.0)) > 0.0:
                links.append(link.get("name"))
        return cls(robot, float(model.mass), tuple(links), tuple(model.joint_names))


@dataclass
class Trial:
    """One drawn trial: its identity, what was drawn (``params``, JSON-able) and the
    ``sim`` arguments that run it."""

    seed: int
    index: int
    scenario: str
    params: dict
    sim_args: list = field(default_factory=list)

    def replay_command(self, robot: str, config_dir: Path | None = None, requested: str = MIXED,
                       params: tuple = ()) -> str:
        import shlex

        cmd = f"humanoid-control sim --robot {robot} --randomize {self.seed}:{self.index}"
        if requested != MIXED:
            cmd += f" --scenario {requested}"
        if config_dir is not None:
            cmd += f" --config-dir {config_dir}"
        for text in params:
            cmd += f" --param {shlex.quote(text)}"
        return cmd


def parse_randomize(text: str) -> tuple:
    """``SEED:INDEX`` (``sim --randomize``) -> (seed, index), both whole numbers ≥ 0."""
    seed, sep, index = str(text).partition(":")
    try:
        s, i = int(seed), int(index)
    except ValueError:
        s = i = -1
    if not sep or s < 0 or i < 0 or s >= 2 ** 32:
        raise ConfigError("expected SEED:INDEX, two whole numbers ≥ 0 (e.g. 7:12)", f"--randomize {text}")
    return s, i


def yaml_value(value) -> str:
    """``value`` (number, string or list of them) as YAML flow text that reads back as the
    same value: floats in plain decimals (YAML 1.1 reads ``6e-06`` as a string)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, bool) or isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    text = f"{float(value):.12f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _param(node_name: str, value) -> list:
    return ["--param", f"{node_name}={yaml_value(value)}"]


def draw_trial(seed: int, index: int, scenario: str, facts: RobotFacts, cfg: CampaignConfig) -> Trial:
    """Trial ``index`` of ``seed`` for ``scenario`` (one of :data:`SCENARIO_CHOICES`; mixed:
    drawn). Every value is drawn in the same order whatever the scenario, so a trial's robot,
    floor and sensors are the same in every scenario."""
    if scenario not in SCENARIO_CHOICES:
        raise UnknownNameError("scenario", scenario, SCENARIO_CHOICES, "--scenario")
    rng = np.random.default_rng([int(seed), int(index)])
    R = cfg.ranges
    picked = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
    scenario = picked if scenario == MIXED else scenario
    mass = R["link_mass_scale"].draw(rng, len(facts.links))
    com = R["link_com_offset_m"].draw(rng, (len(facts.links), 3))
    kt = R["torque_constant_scale"].draw(rng, len(facts.joints))
    p = {
        "link_mass_scale": {n: round(float(v), 4) for n, v in zip(facts.links, mass)},
        "link_com_offset_m": {n: [round(float(x), 5) for x in v] for n, v in zip(facts.links, com)},
        "torque_constant_scale": {n: round(float(v), 4) for n, v in zip(facts.joints, kt)},
    }
    for name in ("floor_friction", "imu_gyro_noise_std", "imu_accel_noise_std", "imu_orientation_noise_std",
                 "joint_position_noise_std", "joint_velocity_noise_std", "sensor_delay_s", "joint_friction",
                 "actuation_delay_s"):
        p[name] = round(float(R[name].draw(rng)), 6)
    p["floor_friction"] = round(p["floor_friction"], 4)
    p["imu_gyro_bias"] = [round(float(x), 6) for x in R["imu_gyro_bias"].draw(rng, 3)]
    p["sim_seed"] = int(rng.integers(2 ** 31 - 1))
    # the scenario's draws (all of them, always, in this order)
    push_dir = float(rng.uniform(0.0, 360.0))  # [deg] towards which the push goes, 0 = forward
    push_dv = float(R["push_delta_v_mps"].draw(rng))
    stand_t = float(R["stand_push_time_s"].draw(rng))
    walk_t = float(R["walk_push_time_s"].draw(rng))
    walk_cmd = [float(R[n].draw(rng)) for n in ("walk_vx_mps", "walk_vy_mps", "walk_wz_radps")]
    walk_s = float(R["walk_duration_s"].draw(rng))
    push_vx = float(R["push_walk_vx_mps"].draw(rng))
    kind = ("slope", "step", "rough")[int(rng.integers(3))]
    terrain_vx = float(R["terrain_vx_mps"].draw(rng))
    start = float(R["terrain_start_m"].draw(rng))
    slope = float(R["terrain_slope_deg"].draw(rng)) * (1.0 if rng.random() < 0.5 else -1.0)
    step = float(R["terrain_step_up_m"].draw(rng)) if rng.random() < 0.5 else -float(R["terrain_step_down_m"].draw(rng))
    rough = float(R["terrain_rough_m"].draw(rng))
    rough_seed = int(rng.integers(1000))

    args = ["--robot", facts.robot, "--friction", str(p["floor_friction"])]
    if scenario in ("stand-push", "walk-push"):
        t_push = round(stand_t if scenario == "stand-push" else walk_t, 3)
        a = math.radians(push_dir)
        force = push_dv * facts.mass / PUSH_S  # [N]
        push = f"{t_push}:{force * math.cos(a):.1f},{force * math.sin(a):.1f},0:{PUSH_S}"
        p["push"] = {"t_s": t_push, "direction_deg": round(push_dir, 2), "delta_v_mps": round(push_dv, 4), "text": push}
        args += ["--push", push]
        duration = t_push + PUSH_S + JUDGE_AFTER_PUSH_S
        if scenario == "walk-push":
            p["command"] = [round(push_vx, 3), 0.0, 0.0]
    elif scenario == "walk":
        p["command"] = [round(x, 3) for x in walk_cmd]
        duration = walk_s
    else:
        text = {"slope": f"slope:{slope:.2f}@{start:.2f}", "step": f"step:{step:.3f}@{start:.2f}",
                "rough": f"rough:{max(rough, 0.001):.4f}:{rough_seed}"}[kind]
        p["terrain"] = text
        p["command"] = [round(terrain_vx, 3), 0.0, 0.0]
        args += ["--terrain", text]
        duration = 1.0 + (start + 1.5) / max(terrain_vx, 0.05)
    if "command" in p:
        args += ["--cmd-vel", "0:" + ",".join(f"{x}" for x in p["command"])]
    p["duration_s"] = round(duration, 3)
    args += ["--duration", f"{duration:.3f}"]
    args += _param("driver.seed", p["sim_seed"])
    for name in ("imu_gyro_noise_std", "imu_accel_noise_std", "imu_orientation_noise_std", "joint_position_noise_std",
                 "joint_velocity_noise_std", "sensor_delay_s", "joint_friction", "actuation_delay_s", "imu_gyro_bias"):
        args += _param(f"driver.{name}", p[name])
    args += _param("driver.link_mass_scale", [f"{n}:{v}" for n, v in p["link_mass_scale"].items()] or [""])
    args += _param("driver.link_com_offset", [f"{n}:{','.join(map(str, v))}" for n, v in
                                              p["link_com_offset_m"].items()] or [""])
    args += _param("driver.torque_constant_scale", [f"{n}:{v}" for n, v in p["torque_constant_scale"].items()] or [""])
    return Trial(int(seed), int(index), scenario, p, args)


def judge(trial: Trial, report: dict | None, error: str, cfg: CampaignConfig) -> dict:
    """The trial's entry of the campaign report: identity, drawn parameters, ``fell``,
    ``success``, its figures and, when it failed, ``failure`` (the mode, for counting)."""
    entry = {"index": trial.index, "seed": trial.seed, "scenario": trial.scenario, "params": trial.params}
    if report is None:
        entry.update(fell=None, success=False, figures={}, failure="error", error=error)
        return entry
    fell = bool(report["fell"])
    figures = {"velocity_tracking_error": report.get("velocity_tracking_error"),
               "base_height_min_m": report.get("base_height_min_m"), "max_tilt_rad": report.get("max_tilt_rad"),
               "steps_taken": report.get("steps_taken"), "foot_slip_max_m": report.get("foot_slip_max_m")}
    failure = None
    if fell:
        failure = "fell"
    elif error:
        failure = "error"
    elif trial.scenario in ("stand-push", "walk-push"):
        push = report["pushes"][0] if report.get("pushes") else {}
        figures["speed_error_end_mps"] = push.get("speed_error_end_mps")
        if trial.scenario == "stand-push":
            figures["recovered"] = push.get("recovered")
            failure = None if push.get("recovered") else "not recovered"
        else:
            figures["back_to_command"] = push.get("back_to_command")
            failure = None if push.get("back_to_command") else "not back to the command"
    else:
        limit = cfg.thresholds["walk_max_tracking_error" if trial.scenario == "walk" else "terrain_max_tracking_error"]
        err = report.get("velocity_tracking_error")
        if err is None or err > limit:
            failure = f"tracking error > {limit:g}"
    entry.update(fell=fell, success=failure is None, figures=figures)
    if failure is not None:
        entry["failure"] = failure
    if error:
        entry["error"] = error
    return entry


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple:
    """(low, high) of the Wilson score interval of a success rate (95 % by default)."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    d = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / d
    half = z * math.sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials)) / d
    return max(0.0, centre - half), min(1.0, centre + half)


def _rates(entries: list) -> dict:
    n = len(entries)
    ok = sum(1 for e in entries if e["success"])
    low, high = wilson_interval(ok, n)
    errors = [e["figures"].get("velocity_tracking_error") for e in entries]
    errors = [x for x in errors if x is not None]
    return {"trials": n, "successes": ok, "success_rate": round(ok / n, 4) if n else None,
            "ci95_low": round(low, 4), "ci95_high": round(high, 4), "falls": sum(1 for e in entries if e["fell"]),
            "mean_tracking_error": round(float(np.mean(errors)), 4) if errors else None}


def summarize(entries: list) -> dict:
    """The report's ``summary``: ``trials``, ``successes``, ``success_rate``, ``ci95_low``,
    ``ci95_high``, ``falls``, ``mean_tracking_error``, ``by_scenario`` (the same per
    scenario) and ``failure_modes`` ({mode: count})."""
    out = _rates(entries)
    out["by_scenario"] = {s: _rates([e for e in entries if e["scenario"] == s])
                          for s in SCENARIOS if any(e["scenario"] == s for e in entries)}
    modes = {}
    for e in entries:
        if not e["success"]:
            modes[e["failure"]] = modes.get(e["failure"], 0) + 1
    out["failure_modes"] = dict(sorted(modes.items(), key=lambda kv: -kv[1]))
    return out


# ---------------------------------------------------------------------------- running trials
_FACTS: dict = {}


def param_args(params) -> list:
    """``sim`` arguments of ``NODE.NAME=VALUE`` override texts: ['--param', text, …]."""
    return [a for text in params for a in ("--param", text)]


def run_trial(robot: str, seed: int, index: int, scenario: str, config_dir: str | None = None,
              params: tuple = ()) -> dict:
    """Draw and run one trial in this process (rclpy in the process's ROS domain) and judge
    it: the trial's report entry (see :func:`judge`). ``params``: ``NODE.NAME=VALUE`` texts
    (``sim --param``) applied on top of the trial's own."""
    from humanoid_control.cli import sim_spec_for_args
    from humanoid_control.sim.runner import run

    cfg = CampaignConfig.load(default_config_path(Path(config_dir) if config_dir else None))
    if robot not in _FACTS:
        _FACTS[robot] = RobotFacts.of(robot)
    trial = draw_trial(seed, index, scenario, _FACTS[robot], cfg)
    args = ["--quiet"] + (["--config-dir", str(config_dir)] if config_dir else []) + trial.sim_args + param_args(params)
    t0 = time.perf_counter()
    try:
        spec, model = sim_spec_for_args(args)
        result = run(spec, model)
        report, error = result.report, result.error
    except HumanoidControlError as exc:
        report, error = None, str(exc)
    except Exception as exc:  # one trial's crash is that trial's failure, not the campaign's end
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        report, error = None, f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})"
    entry = judge(trial, report, error, cfg)
    entry["wall_s"] = round(time.perf_counter() - t0, 2)
    return entry


def pool_worker_init(domains) -> None:
    """A pool worker's start: its ROS domain from the queue ``domains`` (one per worker), traffic on
    loopback unless the environment says otherwise."""
    os.environ["ROS_DOMAIN_ID"] = str(domains.get())
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")


class Progress:
    """A progress bar on stderr (a line per 10 % when stderr is not a terminal)."""

    def __init__(self, total: int, quiet: bool = False):
        self.total, self.quiet = total, quiet
        self.done = self.failed = 0
        self.t0 = time.perf_counter()
        self._tty = sys.stderr.isatty()
        self._shown = -1

    def add(self, entry: dict) -> None:
        self.done += 1
        self.failed += 0 if entry["success"] else 1
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        bar = "#" * int(width * self.done / self.total) + "." * (width - int(width * self.done / self.total))
        line = f"[{bar}] {self.done}/{self.total} trials, {self.failed} failed, {elapsed:.0f} s, eta {eta:.0f} s"
        if self._tty:
            print("\r" + line, end="\n" if self.done == self.total else "", file=sys.stderr, flush=True)
        elif self.done * 10 // self.total != self._shown or self.done == self.total:
            self._shown = self.done * 10 // self.total
            print(line, file=sys.stderr, flush=True)


def run_campaign(robot: str, trials: int, seed: int, scenario: str = MIXED, workers: int | None = None,
                 ray: str | None = None, config_dir: Path | None = None, domains=None, quiet: bool = False,
                 params: tuple = ()) -> dict:
    """Run ``trials`` trials (indices 0 … trials − 1 of ``seed``) and return the campaign
    report: ``campaign`` (what ran), ``trials`` (one entry each, by index), ``summary``
    (:func:`summarize`) and ``failures`` (each failed trial with the command that replays
    it). Local pool: ``workers`` processes (default: the machine's cores); ``ray``: 'local',
    'auto' or a cluster address. ``domains``: the ROS domain IDs the trials run in — worker k
    (Ray: trial i) in ``domains[k % len(domains)]``; an int is the first of consecutive ones
    (default: ROS_DOMAIN_ID). ``params``: ``NODE.NAME=VALUE`` overrides for every trial (the
    same trials with another tuning: an A/B comparison)."""
    if scenario not in SCENARIO_CHOICES:
        raise UnknownNameError("scenario", scenario, SCENARIO_CHOICES, "--scenario")
    if trials < 1:
        raise CampaignError(f"--trials {trials}: at least 1")
    cfg = CampaignConfig.load(default_config_path(config_dir))  # a bad file stops the campaign before any trial
    facts = RobotFacts.of(robot)  # so does a bad robot
    params = tuple(params)
    if params:  # and a bad --param
        from humanoid_control.cli import sim_spec_for_args

        sim_spec_for_args(draw_trial(seed, 0, scenario, facts, cfg).sim_args + param_args(params))
    workers = max(1, int(workers or os.cpu_count() or 1))
    if domains is None or isinstance(domains, int):
        base = int(os.environ.get("ROS_DOMAIN_ID", "0")) if domains is None else int(domains)
        domains = [base + k for k in range(workers)]
    domains = [int(d) for d in domains]
    bad = [d for d in domains if not 0 <= d <= 232]
    if bad or not domains:
        raise CampaignError(f"the workers' ROS domains {domains} must lie in [0, 232] (--domain-id + workers − 1)")
    cdir = str(config_dir) if config_dir else None
    progress = Progress(trials, quiet)
    t0 = time.perf_counter()
    entries = []
    if ray:
        from humanoid_control.sim.campaign_ray import run_on_ray
        entries = run_on_ray(ray, robot, seed, trials, scenario, cdir, workers, domains, progress.add, params)
    elif workers == 1:  # here, in this process's domain
        for i in range(trials):
            entries.append(run_trial(robot, seed, i, scenario, cdir, params))
            progress.add(entries[-1])
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        for k in range(workers):
            queue.put(domains[k % len(domains)])
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=pool_worker_init, initargs=(queue,)) as pool:
            futures = [pool.submit(run_trial, robot, seed, i, scenario, cdir, params) for i in range(trials)]
            for f in as_completed(futures):
                entries.append(f.result())
                progress.add(entries[-1])
    entries.sort(key=lambda e: e["index"])
    failures = [{"index": e["index"], "scenario": e["scenario"], "failure": e["failure"],
                 "replay": Trial(e["seed"], e["index"], e["scenario"], {}).replay_command(robot, config_dir, scenario,
                                                                                         params)}
                for e in entries if not e["success"]]
    return {"campaign": {"robot": robot, "seed": seed, "trials": trials, "scenario": scenario, "workers": workers,
                         "ray": ray, "config": cfg.path, "params": list(params),
                         "wall_s": round(time.perf_counter() - t0, 1)},
            "trials": entries, "summary": summarize(entries), "failures": failures}


def format_table(report: dict) -> str:
    """The summary table: one row per scenario and the total, then the failures."""
    s = report["summary"]
    rows = [("scenario", "trials", "success", "rate", "95 % CI", "falls", "mean err")]

    def row(name, r):
        rate = "-" if r["success_rate"] is None else f"{100 * r['success_rate']:.1f} %"
        err = "-" if r["mean_tracking_error"] is None else f"{r['mean_tracking_error']:.3f}"
        rows.append((name, str(r["trials"]), str(r["successes"]), rate,
                     f"{100 * r['ci95_low']:.1f}–{100 * r['ci95_high']:.1f} %", str(r["falls"]), err))

    for name, r in s["by_scenario"].items():
        row(name, r)
    row("all", s)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    if s["failure_modes"]:
        lines.append("failure modes: " + ", ".join(f"{m} {n}" for m, n in s["failure_modes"].items()))
    for f in report["failures"]:
        lines.append(f"  trial {f['index']} ({f['scenario']}): {f['failure']} — replay: {f['replay']}")
    return "\n".join(lines)


__all__ = ["CampaignConfig", "CampaignError", "MIXED", "RobotFacts", "SCENARIOS", "SCENARIO_CHOICES", "Trial",
           "draw_trial", "format_table", "judge", "parse_randomize", "run_campaign", "run_trial", "summarize",
           "wilson_interval"]
