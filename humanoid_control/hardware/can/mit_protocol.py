"""The "MIT mode" CAN protocol of hobby-grade and research actuators (T-Motor/CubeMars AK
series, Damiao DM-J, MyActuator in MIT mode, the Mini Cheetah driver): pure functions, no I/O.

Every value travels as an unsigned integer spread linearly over the model's range
``[lo, hi]``: ``u = round((x − lo) / (hi − lo) · (2^bits − 1))``. One LSB of position is
``(hi − lo) / 65535``.

Command frame, 8 bytes, sent to the motor's ID (all values motor-side)::

    byte  0        1        2        3          4        5        6          7
          p[15:8]  p[7:0]   v[11:4]  v[3:0]kp[11:8] kp[7:0] kd[11:4] kd[3:0]t[11:8] t[7:0]
          p 16 bits, v 12 bits, kp 12 bits, kd 12 bits, t (feed-forward torque) 12 bits

Reply frame (the motor answers each command with its state)::

    "id6"     6 bytes: id, p[15:8], p[7:0], v[11:4], v[3:0]t[11:8], t[7:0]
    "ak8"     8 bytes: the same + temperature [°C] (byte 6, + 40 offset removed: raw − 40)
              + error code (byte 7, 0 = none)            (CubeMars/T-Motor AK "servo+MIT" firmware)
    "damiao8" 8 bytes: byte 0 = error[7:4] id[3:0]; bytes 1–5 as "id6";
              byte 6 = MOS temperature [°C], byte 7 = rotor temperature [°C]

Special frames (8 bytes, to the motor's ID): ``FF×7 FC`` enter motor mode, ``FF×7 FD`` exit
motor mode (torque off), ``FF×7 FE`` set the current position as zero.

Conventions that differ by firmware (reply layout, temperature offset, ranges) are data —
:class:`MitRanges` and the ``reply_layout`` string — never hard-coded in the backend.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from humanoid_control.errors import ConfigError, HumanoidControlError

ENTER_MOTOR_MODE = bytes([0xFF] * 7 + [0xFC])
EXIT_MOTOR_MODE = bytes([0xFF] * 7 + [0xFD])
SET_ZERO = bytes([0xFF] * 7 + [0xFE])
SPECIAL_FRAMES = {ENTER_MOTOR_MODE: "enter", EXIT_MOTOR_MODE: "exit", SET_ZERO: "zero"}
REPLY_LAYOUTS = ("id6", "ak8", "damiao8")
AK8_TEMPERATURE_OFFSET_C = 40  # [°C] the "ak8" byte 6 carries temperature + 40


class CanFrameError(HumanoidControlError):
    """A frame that cannot be decoded: wrong length, wrong ID, or a reserved pattern.
    ``data`` holds the raw bytes."""

    def __init__(self, message: str, data: bytes = b""):
        self.data = bytes(data)
        super().__init__(f"{message} (frame {self.data.hex(' ') or 'empty'})")


@dataclass(frozen=True)
class MitRanges:
    """The value ranges a motor's firmware maps onto its integers (motor side, symmetric
    position/velocity/torque, gains from 0)."""

    p_max: float  # [rad] position range ±p_max
    v_max: float  # [rad/s]
    t_max: float  # [N·m]
    kp_max: float = 500.0  # [N·m/rad]
    kd_max: float = 5.0  # [N·m·s/rad]

    def validate(self, source: str = "motor ranges") -> "MitRanges":
        for name in ("p_max", "v_max", "t_max", "kp_max", "kd_max"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ConfigError(f"'{name}' must be a positive number, got {v!r}", source)
        return self

    def lsb(self) -> dict:
        """One integer step of each field [its unit]."""
        return {"p": 2 * self.p_max / 65535, "v": 2 * self.v_max / 4095, "t": 2 * self.t_max / 4095,
                "kp": self.kp_max / 4095, "kd": self.kd_max / 4095}


@dataclass(frozen=True)
class MitCommand:
    position: float  # [rad] motor side
    velocity: float  # [rad/s]
    kp: float  # [N·m/rad]
    kd: float  # [N·m·s/rad]
    torque: float  # [N·m] feed-forward


@dataclass(frozen=True)
class MitReply:
    motor_id: int
    position: float  # [rad] motor side
    velocity: float  # [rad/s]
    torque: float  # [N·m]
    temperature: float = math.nan  # [°C] (the hotter of MOS/rotor for "damiao8"); NaN when not sent
    error_code: int = 0  # firmware error code, 0 = none


def float_to_uint(x: float, lo: float, hi: float, bits: int) -> int:
    """``x`` clamped to ``[lo, hi]`` as a ``bits``-bit unsigned integer (NaN → ValueError)."""
    if x != x:
        raise ValueError("NaN cannot be encoded")
    top = (1 << bits) - 1
    x = min(max(x, lo), hi)
    return int(round((x - lo) * top / (hi - lo)))


def uint_to_float(u: int, lo: float, hi: float, bits: int) -> float:
    return lo + u * (hi - lo) / ((1 << bits) - 1)


def pack_command(cmd: MitCommand, r: MitRanges) -> bytes:
    """The 8-byte command frame; values beyond the ranges saturate (check with
    :func:`saturated` first to count them)."""
    p = float_to_uint(cmd.position, -r.p_max, r.p_max, 16)
    v = float_to_uint(cmd.velocity, -r.v_max, r.v_max, 12)
    kp = float_to_uint(cmd.kp, 0.0, r.kp_max, 12)
    kd = float_to_uint(cmd.kd, 0.0, r.kd_max, 12)
    t = float_to_uint(cmd.torque, -r.t_max, r.t_max, 12)
    if p == 0xFFFF and v == 0xFFF and kp == 0xFFF and kd == 0xFFF and 0xFFC <= t <= 0xFFE:
        t = 0xFFB  # all fields at their top would spell a special frame: one torque LSB less
    return bytes((p >> 8, p & 0xFF, v >> 4, ((v & 0xF) << 4) | (kp >> 8), kp & 0xFF, kd >> 4,
                  ((kd & 0xF) << 4) | (t >> 8), t & 0xFF))


def unpack_command(data: bytes, r: MitRanges) -> MitCommand:
    """Decode a command frame (the motor's side of :func:`pack_command`)."""
    if len(data) != 8:
        raise CanFrameError(f"MIT command must be 8 bytes, got {len(data)}", data)
    if bytes(data) in SPECIAL_FRAMES:
        raise CanFrameError(f"'{SPECIAL_FRAMES[bytes(data)]}' special frame, not a command", data)
    d = data
    p = (d[0] << 8) | d[1]
    v = (d[2] << 4) | (d[3] >> 4)
    kp = ((d[3] & 0xF) << 8) | d[4]
    kd = (d[5] << 4) | (d[6] >> 4)
    t = ((d[6] & 0xF) << 8) | d[7]
    return MitCommand(uint_to_float(p, -r.p_max, r.p_max, 16), uint_to_float(v, -r.v_max, r.v_max, 12),
                      uint_to_float(kp, 0.0, r.kp_max, 12), uint_to_float(kd, 0.0, r.kd_max, 12),
                      uint_to_float(t, -r.t_max, r.t_max, 12))


def saturated(cmd: MitCommand, r: MitRanges) -> str:
    """'' when every field lies inside the ranges, else the first field that does not."""
    for name, x, lo, hi in (("position", cmd.position, -r.p_max, r.p_max), ("velocity", cmd.velocity, -r.v_max, r.v_max),
                            ("kp", cmd.kp, 0.0, r.kp_max), ("kd", cmd.kd, 0.0, r.kd_max),
                            ("torque", cmd.torque, -r.t_max, r.t_max)):
        if not lo <= x <= hi:
            return name
    return ""


def reply_length(layout: str) -> int:
    if layout not in REPLY_LAYOUTS:
        raise ConfigError(f"unknown MIT reply layout '{layout}'; valid: {', '.join(REPLY_LAYOUTS)}")
    return 6 if layout == "id6" else 8


def pack_reply(rep: MitReply, r: MitRanges, layout: str = "id6") -> bytes:
    """A motor's reply frame (what the simulated motors send)."""
    n = reply_length(layout)
    p = float_to_uint(rep.position, -r.p_max, r.p_max, 16)
    v = float_to_uint(rep.velocity, -r.v_max, r.v_max, 12)
    t = float_to_uint(rep.torque, -r.t_max, r.t_max, 12)
    first = rep.motor_id & 0xFF
    if layout == "damiao8":
        first = ((rep.error_code & 0xF) << 4) | (rep.motor_id & 0xF)
    out = [first, p >> 8, p & 0xFF, v >> 4, ((v & 0xF) << 4) | (t >> 8), t & 0xFF]
    if n == 8:
        temp = 0 if rep.temperature != rep.temperature else int(round(rep.temperature))
        if layout == "ak8":
            out += [min(max(temp + AK8_TEMPERATURE_OFFSET_C, 0), 255), rep.error_code & 0xFF]
        else:
            out += [min(max(temp, 0), 255)] * 2
    return bytes(out)


def unpack_reply(data: bytes, r: MitRanges, layout: str = "id6", motor_id: int | None = None) -> MitReply:
    """Decode a reply frame; :class:`CanFrameError` when its length or ID does not fit."""
    n = reply_length(layout)
    if len(data) != n:
        raise CanFrameError(f"MIT reply ({layout}) must be {n} bytes, got {len(data)}", data)
    d = data
    if layout == "damiao8":
        rid, err = d[0] & 0xF, d[0] >> 4
    else:
        rid, err = d[0], 0
    if motor_id is not None and rid != (motor_id & (0xF if layout == "damiao8" else 0xFF)):
        raise CanFrameError(f"reply carries motor ID {rid}, expected {motor_id}", data)
    p = (d[1] << 8) | d[2]
    v = (d[3] << 4) | (d[4] >> 4)
    t = ((d[4] & 0xF) << 8) | d[5]
    temp = math.nan
    if layout == "ak8":
        temp, err = float(d[6] - AK8_TEMPERATURE_OFFSET_C), d[7]
    elif layout == "damiao8":
        temp = float(max(d[6], d[7]))
    return MitReply(rid, uint_to_float(p, -r.p_max, r.p_max, 16), uint_to_float(v, -r.v_max, r.v_max, 12),
                    uint_to_float(t, -r.t_max, r.t_max, 12), temp, err)
