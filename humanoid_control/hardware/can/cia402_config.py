"""Which CiA 402 drive moves which joint: the hardware YAML of a CANopen robot, validated.

A hardware YAML (``config/hardware/<robot>_cia402.yaml``) names the buses, the cyclic mode
(``cst``: the host closes the joint PD loop and sends torque; ``csp``: the drive's own
position loop, the host sends position + torque feed-forward) and, per joint, the drive's
node ID, bus, transmission (direction, gear ratio, zero offset as for MIT motors) and its
units: encoder ``counts_per_rev`` and ``rated_torque`` [N·m] (object 0x6076, checked
against the drive at configure). ``drive_defaults`` holds what most drives share.

Errors name the file, the joint and the key, and list the valid choices."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from humanoid_control.errors import ConfigError, UnknownNameError
from humanoid_control.hardware.can import cia402
from humanoid_control.hardware.can.motor_config import (MAX_BUS_LOAD, BusConfig, _read_yaml, check_bus_load,
                                                         frame_bits, parse_buses, parse_reply_timing,
                                                         parse_transmission)
from humanoid_control.paths import resolve_resource

DRIVE_KEYS = ("bus", "node_id", "direction", "gear_ratio", "zero_offset", "counts_per_rev", "rated_torque",
              "max_torque_permille", "csp_kp", "csp_kd", "eds")
TOP_KEYS = ("mode", "reply_timeout_s", "max_missed_replies", "buses", "drive_defaults", "drives")


@dataclass(frozen=True)
class DriveConfig:
    joint: str
    bus: str
    node_id: int  # CANopen node ID, 1..127
    direction: int = 1  # +1 / −1
    gear_ratio: float = 1.0  # [-] motor turns per joint turn, > 0
    zero_offset: float = 0.0  # [rad] joint position at encoder count 0
    counts_per_rev: int = 131072  # [count] per motor turn
    rated_torque: float = 1.0  # [N·m] motor side, object 0x6076 (in mN·m on the bus)
    max_torque_permille: int = 3000  # [‰ rated torque] object 0x6072: the drive clamps torque here
    csp_kp: float = 0.0  # [N·m/rad] joint side: the drive's position loop in csp mode
    csp_kd: float = 0.0  # [N·m·s/rad] joint side
    eds: str = ""  # the drive's EDS file; empty = the generic drive dictionary

    @property
    def rated_torque_mnm(self) -> int:
        return int(round(self.rated_torque * 1000.0))

    @property
    def max_torque(self) -> float:
        """[N·m] motor side."""
        return self.max_torque_permille * self.rated_torque / 1000.0


@dataclass(frozen=True)
class Cia402Config:
    source: str
    mode: str  # one of cia402.MODES
    buses: dict  # name -> BusConfig
    drives: dict  # joint -> DriveConfig
    reply_timeout_s: float = 0.0005  # [s] a tick waits this long for its TPDOs, [0, 0.01]
    max_missed_replies: int = 10  # consecutive ticks without TPDOs before a drive is lost

    def rpdo_bytes(self) -> int:
        return sum(bits for _, bits in cia402.RPDO1[self.mode]) // 8

    def bus_load(self, bus: str, rate_hz: float) -> float:
        """Share [-] of ``bus``'s bit time per cycle at ``rate_hz``: one SYNC, and per drive one
        RPDO and two TPDOs (worst-case bit stuffing, 11-bit IDs)."""
        n = sum(1 for d in self.drives.values() if d.bus == bus)
        bits = frame_bits(0) + n * (frame_bits(self.rpdo_bytes()) + 2 * frame_bits(8))
        return bits * rate_hz / self.buses[bus].bitrate

    def devices(self) -> list:
        return list(self.drives.values())

    def check_bus_load(self, rate_hz: float, limit: float = MAX_BUS_LOAD) -> None:
        check_bus_load(self, rate_hz, "CiA 402 drives", limit)

    def with_virtual_buses(self, prefix: str) -> "Cia402Config":
        buses = {n: BusConfig(n, "virtual", f"{prefix}/{n}", b.bitrate) for n, b in self.buses.items()}
        return Cia402Config(self.source, self.mode, buses, self.drives, self.reply_timeout_s, self.max_missed_replies)


def _number(value, where: str, key: str, lower: float, upper: float, integer: bool = False):
    ok = not isinstance(value, bool) and isinstance(value, int if integer else (int, float)) and lower <= value <= upper
    if not ok:
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"'{key}' must be {kind} in [{lower}, {upper}], got {value!r}", where)
    return value if integer else float(value)


def load_cia402_config(path, joint_names) -> Cia402Config:
    """Read and validate a CiA 402 hardware YAML for a robot whose joints are ``joint_names``:
    every joint needs a drive, node IDs are unique per bus, units and limits in range."""
    path = resolve_resource(str(path)) if not isinstance(path, Path) else path
    src = str(path)
    data = _read_yaml(path)
    unknown = set(data) - set(TOP_KEYS)
    if unknown:
        raise UnknownNameError("key", sorted(unknown)[0], TOP_KEYS, src)
    mode = data.get("mode", "cst")
    if mode not in cia402.MODES:
        raise UnknownNameError("CiA 402 mode", str(mode), list(cia402.MODES), src)
    buses = parse_buses(data, src)
    defaults = data.get("drive_defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError("'drive_defaults' must be a mapping", src)
    drives_raw = data.get("drives")
    if not isinstance(drives_raw, dict) or not drives_raw:
        raise ConfigError("expected a non-empty 'drives:' mapping (joint: {bus, node_id, …})", src)
    joints = list(joint_names)
    drives, seen = {}, {}
    for joint, row in drives_raw.items():
        where = f"{src}: drive of joint '{joint}'"
        if joint not in joints:
            raise UnknownNameError("joint", joint, joints, src)
        if not isinstance(row, dict):
            raise ConfigError(f"expected a mapping, got {row!r}", where)
        m = {**defaults, **row}
        unknown = set(m) - set(DRIVE_KEYS)
        if unknown:
            raise UnknownNameError("drive key", sorted(unknown)[0], DRIVE_KEYS, where)
        for key in ("bus", "node_id"):
            if key not in m:
                raise ConfigError(f"missing '{key}'", where)
        if m["bus"] not in buses:
            raise UnknownNameError("bus", m["bus"], list(buses), where)
        node_id = _number(m["node_id"], where, "node_id", 1, 127, integer=True)
        if (m["bus"], node_id) in seen:
            raise ConfigError(f"node ID {node_id} on bus '{m['bus']}' is also the drive of joint "
                              f"'{seen[m['bus'], node_id]}'", where)
        seen[m["bus"], node_id] = joint
        direction, ratio, offset = parse_transmission(m, where)
        eds = str(m.get("eds", ""))
        if eds and not resolve_resource(eds).is_file():
            raise ConfigError(f"EDS file '{eds}' does not exist", where)
        drives[joint] = DriveConfig(
            joint, m["bus"], node_id, direction, ratio, offset,
            counts_per_rev=_number(m.get("counts_per_rev", 131072), where, "counts_per_rev", 16, 2 ** 24, True),
            rated_torque=_number(m.get("rated_torque", 1.0), where, "rated_torque", 0.001, 1000.0),
            max_torque_permille=_number(m.get("max_torque_permille", 3000), where, "max_torque_permille", 1, 32767,
                                        True),
            csp_kp=_number(m.get("csp_kp", 0.0), where, "csp_kp", 0.0, 1e5),
            csp_kd=_number(m.get("csp_kd", 0.0), where, "csp_kd", 0.0, 1e4),
            eds=str(resolve_resource(eds)) if eds else "")
    missing = [j for j in joints if j not in drives]
    if missing:
        raise ConfigError(f"joints without a drive: {missing}", src)
    timeout, lost = parse_reply_timing(data, src)
    return Cia402Config(src, mode, buses, drives, timeout, lost)
