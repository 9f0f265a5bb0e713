"""The driver's safety layer (ROS-free): every command passes through it.

* a command with a NaN/inf or an out-of-range value (position/velocity/effort limits from
  the URDF, gains within their interface bounds) is rejected and counted;
* the command watchdog trips when no valid command arrived for ``command_timeout_s``;
* fall detection trips when the base's tilt from vertical exceeds ``max_tilt_rad`` (the IMU
  orientation carried to the base frame, see :func:`base_tilt_rad`);
* a tripped supervisor latches **damping mode** — kp = 0, kd = ``damping_kd``, tau = 0 —
  from the very tick it trips, until :meth:`reset`. Each transition is recorded as a
  :class:`SafetyEvent` with the time it took effect."""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np


def base_tilt_rad(imu_quat_xyzw, base_R_imu: np.ndarray) -> float:
    """Angle [rad] between the base's z axis and world up, from the IMU's orientation in
    world (quaternion x, y, z, w) and the IMU's mounting rotation in the base frame."""
    x, y, z, w = (float(c) for c in imu_quat_xyzw)
    n = math.sqrt(x * x + y * y + z * z + w * w)
    if not n > 0.0:
        return math.pi  # no orientation: treat as fallen
    x, y, z, w = x / n, y / n, z / n, w / n
    # third row of world_R_imu, then (world_R_imu · imu_R_base)[2, 2]
    row_z = np.array([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)])
    cos_tilt = float(row_z @ np.asarray(base_R_imu)[2, :])
    return math.acos(max(-1.0, min(1.0, cos_tilt)))


class Mode(enum.Enum):
    NORMAL = "normal"
    DAMPING = "damping"


@dataclass
class SafetyEvent:
    t: float  # [s] time the action took effect
    reason: str  # "command_timeout" | "fall_detected" | "estop" | "reset"
    action: str  # "damping" | "normal"
    joint: str = ""


@dataclass
class SafetyParams:
    command_timeout_s: float = 0.02  # [s] watchdog, [0.002, 1]
    damping_kd: float = 5.0  # [N·m·s/rad] damping-mode gain, (0, 100]
    max_tilt_rad: float = 0.8  # [rad] fall detection threshold on base tilt, [0.1, 1.57]


@dataclass
class CommandArrays:
    """One command for all joints in the hardware's joint order."""

    position: np.ndarray  # [rad]
    velocity: np.ndarray  # [rad/s]
    effort: np.ndarray  # [N·m]
    kp: np.ndarray  # [N·m/rad]
    kd: np.ndarray  # [N·m·s/rad]


@dataclass
class SafetySupervisor:
    joint_names: list
    position_limits: tuple  # (lower (nj,), upper (nj,)) [rad]
    velocity_limit: np.ndarray  # [rad/s]
    effort_limit: np.ndarray  # [N·m]
    gain_limits: tuple  # (kp_max (nj,), kd_max (nj,))
    params: SafetyParams = field(default_factory=SafetyParams)

    def __post_init__(self):
        self.mode = Mode.NORMAL
        self.events: list = []
        self.rejected = 0
        self.last_rejection = ""
        self.last_valid_time: float | None = None  # watchdog armed by the first valid command
        n = len(self.joint_names)
        self._damping = CommandArrays(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),
                                      np.full(n, self.params.damping_kd))

    def validate(self, cmd: CommandArrays) -> str:
        """'' if acceptable, else a reason naming the first offending joint."""
        lo, hi = self.position_limits
        kp_max, kd_max = self.gain_limits
        checks = (("position", cmd.position, lo, hi), ("velocity", cmd.velocity, -self.velocity_limit, self.velocity_limit),
                  ("effort", cmd.effort, -self.effort_limit, self.effort_limit), ("kp", cmd.kp, 0.0 * kp_max, kp_max),
                  ("kd", cmd.kd, 0.0 * kd_max, kd_max))
        for name, arr, a, b in checks:
            bad = ~np.isfinite(arr)
            if bad.any():
                return f"{name} of joint '{self.joint_names[int(np.argmax(bad))]}' is not finite"
            # Small tolerance: positions slightly beyond a limit are clamped, not rejected.
            tol = 1e-3 if name != "position" else 0.05
            out = (arr < a - tol) | (arr > b + tol)
            if out.any():
                i = int(np.argmax(out))
                return f"{name} of joint '{self.joint_names[i]}' = {arr[i]:.4g} outside [{np.broadcast_to(a, arr.shape)[i]:.4g}, {np.broadcast_to(b, arr.shape)[i]:.4g}]"
        return ""

    def accept(self, cmd: CommandArrays, t: float) -> bool:
        """Validate an incoming command; valid ones feed the watchdog."""
        reason = self.validate(cmd)
        if reason:
            self.rejected += 1
            self.last_rejection = reason
            return False
        self.last_valid_time = t
        return True

    def trip(self, t: float, reason: str, joint: str = "") -> None:
        if self.mode is not Mode.DAMPING:
            self.mode = Mode.DAMPING
            self.events.append(SafetyEvent(t, reason, "damping", joint))

    def reset(self, t: float) -> None:
        if self.mode is not Mode.NORMAL:
            self.mode = Mode.NORMAL
            self.last_valid_time = None
            self.events.append(SafetyEvent(t, "reset", "normal"))

    def check(self, t: float, tilt_rad: float) -> Mode:
        """Run the watchdog and fall detection at time t [s]; returns the mode in force."""
        if self.last_valid_time is not None and t - self.last_valid_time > self.params.command_timeout_s:
            self.trip(t, "command_timeout")
        if tilt_rad > self.params.max_tilt_rad:
            self.trip(t, "fall_detected")
        return self.mode

    def output(self, cmd: CommandArrays | None) -> CommandArrays:
        """The command that reaches the hardware: damping when tripped or when no valid
        command exists yet, else ``cmd`` clamped to the limits."""
        if self.mode is Mode.DAMPING or cmd is None:
            return self._damping
        lo, hi = self.position_limits
        return CommandArrays(np.clip(cmd.position, lo, hi), np.clip(cmd.velocity, -self.velocity_limit, self.velocity_limit),
                             np.clip(cmd.effort, -self.effort_limit, self.effort_limit), cmd.kp, cmd.kd)
