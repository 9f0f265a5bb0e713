"""Which motor drives which joint: the hardware YAML of a CAN robot, validated.

A hardware YAML (``config/hardware/<robot>_mit_can.yaml``) names the buses and, per joint,
the motor's CAN ID, bus, model (a row of ``config/hardware/motor_models.yaml``, ranges
overridable per motor), direction, gear ratio and zero offset::

    joint position [rad] = zero_offset + direction · motor position / gear_ratio
    joint torque   [N·m] = direction · motor torque · gear_ratio
    motor kp = joint kp / gear_ratio²,  motor kd = joint kd / gear_ratio²

Errors name the file, the joint and the key, and list the valid choices."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from humanoid_control.errors import ConfigError, UnknownNameError
from humanoid_control.hardware.can.mit_protocol import REPLY_LAYOUTS, MitRanges
from humanoid_control.paths import read_yaml_mapping, resolve_resource, share_dir

BUS_KEYS = ("interface", "channel", "bitrate")
MAX_BUS_LOAD = 0.9  # [-] share of a bus's bit time the cyclic frames may take


def frame_bits(n_bytes: int) -> int:
    """Worst-case length [bit] of a classic CAN data frame with an 11-bit ID and ``n_bytes``
    of data, bit stuffing included, plus the 3-bit interframe space."""
    return 8 * n_bytes + 47 + (34 + 8 * n_bytes - 1) // 4
MOTOR_KEYS = ("bus", "id", "model", "direction", "gear_ratio", "zero_offset", "ranges", "reply_layout")
RANGE_KEYS = ("p_max", "v_max", "t_max", "kp_max", "kd_max")


@dataclass(frozen=True)
class BusConfig:
    name: str
    interface: str  # python-can interface: socketcan, pcan, slcan, virtual, …
    channel: str  # can0, PCAN_USBBUS1, …
    bitrate: int = 1_000_000  # [bit/s]


@dataclass(frozen=True)
class MotorConfig:
    joint: str
    bus: str
    motor_id: int  # CAN ID the commands go to, 1..0x7FF
    model: str
    ranges: MitRanges
    reply_layout: str
    direction: int = 1  # +1 / −1
    gear_ratio: float = 1.0  # [-] motor turns per joint turn (external gearing), > 0
    zero_offset: float = 0.0  # [rad] joint position when the motor reads 0

    def joint_limits(self) -> dict:
        """What the motor can represent, joint side: position interval [rad], |velocity| [rad/s],
        |torque| [N·m], kp [N·m/rad], kd [N·m·s/rad] maxima."""
        r, g = self.ranges, self.gear_ratio
        a, b = self.zero_offset - r.p_max / g, self.zero_offset + r.p_max / g
        return {"position": (a, b), "velocity": r.v_max / g, "effort": r.t_max * g,
                "kp": r.kp_max * g * g, "kd": r.kd_max * g * g}


class Transmission:
    """Joint side ↔ motor side for motors in a fixed order (the formulas at the top of this
    module), on whole arrays or, with ``i``, on one motor. Used by the backend (commands out,
    states in) and by the simulated motors (the other way round)."""

    def __init__(self, motors: list):
        self.direction = np.array([m.direction for m in motors], float)  # [-]
        self.ratio = np.array([m.gear_ratio for m in motors], float)  # [-]
        self.offset = np.array([m.zero_offset for m in motors], float)  # [rad]

    def _at(self, i):
        return self.direction[i], self.ratio[i], self.offset[i]

    def to_motor(self, position, velocity, torque, i=slice(None)) -> tuple:
        """Joint position [rad], velocity [rad/s], torque [N·m] -> motor side."""
        d, g, o = self._at(i)
        return d * g * (position - o), d * g * velocity, d * torque / g

    def to_joint(self, position, velocity, torque, i=slice(None)) -> tuple:
        """Motor position [rad], velocity [rad/s], torque [N·m] -> joint side."""
        d, g, o = self._at(i)
        return o + d * position / g, d * velocity / g, d * torque * g

    def gains_to_motor(self, kp, kd, i=slice(None)) -> tuple:
        g2 = self.ratio[i] ** 2
        return kp / g2, kd / g2

    def gains_to_joint(self, kp, kd, i=slice(None)) -> tuple:
        g2 = self.ratio[i] ** 2
        return kp * g2, kd * g2


@dataclass(frozen=True)
class MitCanConfig:
    source: str
    buses: dict  # name -> BusConfig
    motors: dict  # joint -> MotorConfig
    reply_timeout_s: float = 0.0005  # [s] wait for a tick's replies, [0, 0.01]
    max_missed_replies: int = 10  # consecutive missing replies from one motor before it is lost, [1, 1000]
    extra: dict = field(default_factory=dict)

    def devices(self) -> list:
        return list(self.motors.values())

    def bus_load(self, bus: str, rate_hz: float) -> float:
        """Share [-] of ``bus``'s bit time one command + one reply per motor take at ``rate_hz``
        (worst-case bit stuffing, classic CAN, 11-bit IDs)."""
        bitrate = self.buses[bus].bitrate
        bits = sum(frame_bits(8) + frame_bits(8 if m.reply_layout != "id6" else 6)
                   for m in self.motors.values() if m.bus == bus)
        return bits * rate_hz / bitrate

    def check_bus_load(self, rate_hz: float, limit: float = MAX_BUS_LOAD) -> None:
        check_bus_load(self, rate_hz, "motors", limit)

    def with_virtual_buses(self, prefix: str) -> "MitCanConfig":
        """The same robot on python-can virtual buses named ``<prefix>/<bus>`` (simulation)."""
        buses = {n: BusConfig(n, "virtual", f"{prefix}/{n}", b.bitrate) for n, b in self.buses.items()}
        return MitCanConfig(self.source, buses, self.motors, self.reply_timeout_s, self.max_missed_replies, self.extra)


def check_bus_load(config, rate_hz: float, devices: str, limit: float = MAX_BUS_LOAD) -> None:
    """ConfigError naming the first bus of ``config`` (with ``buses``, ``bus_load(bus, rate)``
    and ``source``) whose cyclic frames at ``rate_hz`` take more than ``limit`` of it."""
    for name, bus in config.buses.items():
        load = config.bus_load(name, rate_hz)
        if load > limit:
            n = sum(1 for d in config.devices() if d.bus == name)
            raise ConfigError(f"bus '{name}': {n} {devices} at {rate_hz:g} Hz need {100 * load:.0f} % of its "
                              f"{bus.bitrate} bit/s (limit {100 * limit:.0f} %); spread the {devices} over more "
                              f"buses or lower rate_hz", config.source)


def load_motor_models(path: Path | None = None) -> dict:
    """``config/hardware/motor_models.yaml`` as {model: (MitRanges, reply_layout)}."""
    path = path or share_dir() / "config" / "hardware" / "motor_models.yaml"
    data = _read_yaml(path)
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise ConfigError("expected a non-empty 'models:' mapping", str(path))
    return {name: _ranges_and_layout(row, f"{path}: model '{name}'") for name, row in models.items()}


def _ranges_and_layout(row, source: str, base: MitRanges | None = None, layout: str | None = None):
    if not isinstance(row, dict):
        raise ConfigError(f"expected a mapping, got {row!r}", source)
    unknown = set(row) - set(RANGE_KEYS) - {"reply_layout"}
    if unknown:
        raise UnknownNameError("range key", sorted(unknown)[0], RANGE_KEYS + ("reply_layout",), source)
    values = {k: row.get(k, getattr(base, k) if base else None) for k in RANGE_KEYS}
    missing = [k for k, v in values.items() if v is None]
    if missing:
        raise ConfigError(f"missing range keys {missing}", source)
    layout = row.get("reply_layout", layout or "id6")
    if layout not in REPLY_LAYOUTS:
        raise UnknownNameError("reply layout", layout, REPLY_LAYOUTS, source)
    return MitRanges(**{k: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                        for k, v in values.items()}).validate(source), layout


def _read_yaml(path: Path) -> dict:
    return read_yaml_mapping(path)


def load_mit_can_config(path, joint_names, models: dict | None = None) -> MitCanConfig:
    """Read and validate a MIT-CAN hardware YAML for a robot whose joints are ``joint_names``:
    every joint needs a motor, every motor a known joint, bus and model, and no two motors
    on one bus share an ID."""
    path = resolve_resource(str(path)) if not isinstance(path, Path) else path
    src = str(path)
    data = _read_yaml(path)
    models = models if models is not None else load_motor_models()
    buses = parse_buses(data, src)
    motors_raw = data.get("motors")
    if not isinstance(motors_raw, dict) or not motors_raw:
        raise ConfigError("expected a non-empty 'motors:' mapping (joint: {bus, id, model, …})", src)
    joints = list(joint_names)
    motors = {}
    seen = {}
    for joint, m in motors_raw.items():
        where = f"{src}: motor of joint '{joint}'"
        if joint not in joints:
            raise UnknownNameError("joint", joint, joints, src)
        if not isinstance(m, dict):
            raise ConfigError(f"expected a mapping, got {m!r}", where)
        unknown = set(m) - set(MOTOR_KEYS)
        if unknown:
            raise UnknownNameError("motor key", sorted(unknown)[0], MOTOR_KEYS, where)
        for key in ("bus", "id", "model"):
            if key not in m:
                raise ConfigError(f"missing '{key}'", where)
        if m["bus"] not in buses:
            raise UnknownNameError("bus", m["bus"], list(buses), where)
        if m["model"] not in models:
            raise UnknownNameError("motor model", m["model"], sorted(models), where)
        mid = m["id"]
        if isinstance(mid, bool) or not isinstance(mid, int) or not 1 <= mid <= 0x7FF:
            raise ConfigError(f"'id' must be an integer CAN ID in [1, 2047], got {mid!r}", where)
        key = (m["bus"], mid)
        if key in seen:
            raise ConfigError(f"CAN ID {mid} on bus '{m['bus']}' is also the motor of joint '{seen[key]}'", where)
        seen[key] = joint
        base, layout = models[m["model"]]
        ranges, layout = _ranges_and_layout({**(m.get("ranges") or {}), **({"reply_layout": m["reply_layout"]}
                                                                            if "reply_layout" in m else {})},
                                            where, base, layout)
        direction, ratio, offset = parse_transmission(m, where)
        motors[joint] = MotorConfig(joint, m["bus"], mid, m["model"], ranges, layout, direction, ratio, offset)
    missing = [j for j in joints if j not in motors]
    if missing:
        raise ConfigError(f"joints without a motor: {missing}", src)
    timeout, lost = parse_reply_timing(data, src)
    return MitCanConfig(src, buses, motors, timeout, lost)


def parse_buses(data: dict, src: str) -> dict:
    """The ``buses:`` mapping of a hardware YAML as {name: BusConfig}."""
    buses_raw = data.get("buses")
    if not isinstance(buses_raw, dict) or not buses_raw:
        raise ConfigError("expected a non-empty 'buses:' mapping (name: {interface, channel})", src)
    buses = {}
    for name, b in buses_raw.items():
        where = f"{src}: bus '{name}'"
        if not isinstance(b, dict) or "channel" not in b:
            raise ConfigError("expected {interface, channel[, bitrate]}", where)
        unknown = set(b) - set(BUS_KEYS)
        if unknown:
            raise UnknownNameError("bus key", sorted(unknown)[0], BUS_KEYS, where)
        buses[name] = BusConfig(name, str(b.get("interface", "socketcan")), str(b["channel"]),
                                int(b.get("bitrate", 1_000_000)))
    return buses


def parse_transmission(m: dict, where: str) -> tuple:
    """``direction`` (±1), ``gear_ratio`` (0, 1000] and ``zero_offset`` [rad] of one actuator entry."""
    direction = m.get("direction", 1)
    if direction not in (1, -1) or isinstance(direction, bool):
        raise ConfigError(f"'direction' must be 1 or -1, got {direction!r}", where)
    ratio = m.get("gear_ratio", 1.0)
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not (0 < ratio <= 1000):
        raise ConfigError(f"'gear_ratio' must be in (0, 1000], got {ratio!r}", where)
    offset = m.get("zero_offset", 0.0)
    if isinstance(offset, bool) or not isinstance(offset, (int, float)) or not math.isfinite(offset):
        raise ConfigError(f"'zero_offset' must be a finite number [rad], got {offset!r}", where)
    return int(direction), float(ratio), float(offset)


def parse_reply_timing(data: dict, src: str, default_timeout_s: float = 0.0005) -> tuple:
    """``reply_timeout_s`` [s] in [0, 0.01] and ``max_missed_replies`` in [1, 1000]."""
    timeout = data.get("reply_timeout_s", default_timeout_s)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 <= timeout <= 0.01:
        raise ConfigError(f"'reply_timeout_s' must be in [0, 0.01] s, got {timeout!r}", src)
    lost = data.get("max_missed_replies", 10)
    if isinstance(lost, bool) or not isinstance(lost, int) or not 1 <= lost <= 1000:
        raise ConfigError(f"'max_missed_replies' must be an integer in [1, 1000], got {lost!r}", src)
    return float(timeout), lost
