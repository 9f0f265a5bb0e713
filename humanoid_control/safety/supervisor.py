"""The driver's safety layer (ROS-free): every command passes through it, whatever the backend.

* a command with a NaN/inf or an out-of-range value (position/velocity/effort limits from
  the URDF, gains within their interface bounds) is rejected, counted, and trips damping
  (a controller that sends such a command cannot be trusted with the next one);
* the command watchdog: when no valid command arrived for ``command_timeout_s``, a
  controlled stop (IEC 60204-1 category 2: power kept) — the joints hold the posture they
  had at that tick with joint PD (stiffness from each joint's effort limit:
  ``kp = tau_max / hold_deflection_rad``, ``kd = kp · hold_damping_s``, within the
  interface's gain bounds) and the last valid command's torque as feed-forward — for
  ``hold_timeout_s``, then damping; a valid command during the hold resumes control
  (``command_resumed``). ``hold_timeout_s`` 0: damping at once;
* fall detection trips when the base's tilt from vertical exceeds ``max_tilt_rad`` (the IMU
  orientation carried to the base frame, see :func:`base_tilt_rad`) or the base comes
  closer to the feet than ``min_base_height_m`` (leg kinematics);
* the e-stop latches its stop category: ``damping`` or ``torque_off`` (kp = kd = tau = 0);
* motors: an error code or a temperature at ``motor_max_temperature_c`` turns that joint's
  torque off and trips damping for the rest of the robot; from
  ``motor_derate_temperature_c`` up the joint's torque limit shrinks linearly to zero; a
  motor that stopped answering (reply loss) trips damping; a hardware (bus) error trips
  torque-off;
* a tripped supervisor latches its mode — from the very tick it trips — until
  :meth:`reset`; after a reset (and at the first command) gains and torques ramp up over
  ``soft_start_s``. Each transition is recorded as a :class:`SafetyEvent` with the time it
  took effect and the joint it concerns."""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np

from humanoid_control.kernels import safety as kernels


def quat_xyzw_to_matrix(q_xyzw) -> np.ndarray:
    """Rotation matrix (3, 3) of a quaternion (x, y, z, w), normalised first."""
    x, y, z, w = (float(c) for c in q_xyzw)
    n = math.sqrt(x * x + y * y + z * z + w * w)
    if not n > 0.0:
        return np.full((3, 3), np.nan)  # no orientation
    x, y, z, w = x / n, y / n, z / n, w / n
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


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
    HOLD = "hold"  # controlled stop after a command time-out: posture held with joint PD
    DAMPING = "damping"
    TORQUE_OFF = "torque_off"


#: Why the supervisor changed mode (``SafetyEvent.reason``).
REASONS = ("invalid_command", "command_timeout", "command_resumed", "fall_detected", "estop", "motor_error",
           "over_temperature", "derating", "motor_lost", "hardware_error", "reset")
STOP_CATEGORIES = ("damping", "torque_off")


@dataclass
class SafetyEvent:
    t: float  # [s] time the action took effect
    reason: str  # one of REASONS
    action: str  # "hold" | "damping" | "torque_off" | "derate" | "normal"
    joint: str = ""


@dataclass
class SafetyParams:
    command_timeout_s: float = 0.02  # [s] watchdog, [0.002, 1]
    damping_kd: float = 5.0  # [N·m·s/rad] damping-mode gain, (0, 100]
    max_tilt_rad: float = 0.8  # [rad] fall detection threshold on base tilt, [0.1, 1.57]
    estop_action: str = "damping"  # stop category of the e-stop: damping | torque_off
    soft_start_s: float = 0.0  # [s] gain and torque ramp after enabling, [0, 10]
    motor_derate_temperature_c: float = 70.0  # [°C] torque limit starts shrinking, [20, 200]
    motor_max_temperature_c: float = 90.0  # [°C] joint torque off + damping, [20, 200]
    min_base_height_m: float = 0.0  # [m] fall detection: base above the lowest sole, 0 = off, [0, 2]
    hold_timeout_s: float = 0.0  # [s] controlled stop: posture held this long before damping, 0 = off, [0, 10]
    hold_deflection_rad: float = 0.1  # [rad] hold stiffness: a joint's effort limit at this deflection, [0.01, 5]
    hold_damping_s: float = 0.05  # [s] hold damping: kd = kp · this, [0, 1]


@dataclass
class CommandArrays:
    """One command for all joints in the hardware's joint order."""

    position: np.ndarray  # [rad]
    velocity: np.ndarray  # [rad/s]
    effort: np.ndarray  # [N·m]
    kp: np.ndarray  # [N·m/rad]
    kd: np.ndarray  # [N·m·s/rad]

    def assign(self, other: "CommandArrays") -> "CommandArrays":
        """Copy ``other``'s values into these arrays (in place); returns self."""
        self.position[:] = other.position
        self.velocity[:] = other.velocity
        self.effort[:] = other.effort
        self.kp[:] = other.kp
        self.kd[:] = other.kd
        return self


@dataclass
class SafetySupervisor:
    joint_names: list
    position_limits: tuple  # (lower (nj,), upper (nj,)) [rad]
    velocity_limit: np.ndarray  # [rad/s]
    effort_limit: np.ndarray  # [N·m]
    gain_limits: tuple  # (kp_max (nj,), kd_max (nj,))
    params: SafetyParams = field(default_factory=SafetyParams)

    def __post_init__(self):
        if self.params.estop_action not in STOP_CATEGORIES:
            from humanoid_control.errors import UnknownNameError
            raise UnknownNameError("stop category", self.params.estop_action, STOP_CATEGORIES, "estop_action")
        self.mode = Mode.NORMAL
        self.events: list = []
        self.rejected = 0
        self.last_rejection = ""
        self.last_valid_time: float | None = None  # watchdog armed by the first valid command
        self.estop_pressed = False
        self.hardware_message = ""
        n = len(self.joint_names)
        self.joint_off = np.zeros(n, bool)  # joints whose torque is off (motor fault)
        self.effort_scale = np.ones(n)  # [-] temperature derating of the torque limit
        self._derating = np.zeros(n, bool)
        self._enabled_at: float | None = None  # [s] start of the soft-start ramp
        self._damping = CommandArrays(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),
                                      np.full(n, self.params.damping_kd))
        self._off = CommandArrays(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))
        self._tau_max = np.zeros(n)  # [N·m] effort limit after derating, this tick
        self._on = np.ones(n)  # 1 per joint, 0 where a motor fault holds the torque off
        self._motors_changed = True  # _tau_max and _on to be recomputed (check_motors, or joint_off set)
        self.hold_since: float | None = None  # [s] start of the controlled stop in force
        #: the hold's command: the posture at its start, no velocity, the last valid torque, PD gains
        self._hold = CommandArrays(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))
        self.velocity_limit = np.ascontiguousarray(self.velocity_limit, dtype=float)
        self.effort_limit = np.ascontiguousarray(self.effort_limit, dtype=float)
        self.position_limits = tuple(np.ascontiguousarray(a, dtype=float) for a in self.position_limits)
        self.gain_limits = tuple(np.ascontiguousarray(a, dtype=float) for a in self.gain_limits)
        kp_hold = self.effort_limit / self.params.hold_deflection_rad
        self._hold.kp[:] = np.minimum(kp_hold, self.gain_limits[0])
        self._hold.kd[:] = np.minimum(kp_hold * self.params.hold_damping_s, self.gain_limits[1])
        kernels.warm_up()

    def validate(self, cmd: CommandArrays) -> str:
        """'' if acceptable, else a reason naming the first offending joint."""
        lo, hi = self.position_limits
        kp_max, kd_max = self.gain_limits
        if kernels.first_violation(cmd.position, cmd.velocity, cmd.effort, cmd.kp, cmd.kd, lo, hi, self.velocity_limit,
                                   self.effort_limit, kp_max, kd_max) < 0:
            return ""
        return self._reason(cmd)

    def _reason(self, cmd: CommandArrays) -> str:
        """The first offending joint of a command the check refused, in words."""
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
        """Validate an incoming command; valid ones feed the watchdog, invalid ones trip damping."""
        reason = self.validate(cmd)
        if reason:
            self.rejected += 1
            self.last_rejection = reason
            self.trip(t, "invalid_command", reason.split("'")[1] if "'" in reason else "")
            return False
        if self.last_valid_time is None and self.mode is Mode.NORMAL:
            self._enabled_at = t
        self.last_valid_time = t
        if self.mode is Mode.HOLD:  # the controller is back within the hold: it has the robot again
            self.mode, self.hold_since = Mode.NORMAL, None
            self.events.append(SafetyEvent(t, "command_resumed", "normal"))
        return True

    def trip(self, t: float, reason: str, joint: str = "", action: str = "damping") -> None:
        """Latch ``action`` (damping, or torque_off which outranks it) from time ``t`` [s]."""
        target = Mode(action)
        if self.mode is Mode.TORQUE_OFF or self.mode is target:
            return
        self.mode, self.hold_since = target, None
        self.events.append(SafetyEvent(t, reason, action, joint))

    def press_estop(self, t: float) -> None:
        self.estop_pressed = True
        self.trip(t, "estop", action=self.params.estop_action)

    def reset(self, t: float) -> bool:
        """Back to normal (releases the e-stop). Refused — False — while a motor fault holds
        a joint off or the robot has no command yet; the soft start begins with the next command."""
        if self.joint_off.any():
            self.last_rejection = (f"reset refused: motor fault on joints "
                                   f"{[j for j, off in zip(self.joint_names, self.joint_off) if off]}")
            return False
        self.estop_pressed = False
        if self.mode is not Mode.NORMAL:
            self.mode, self.hold_since = Mode.NORMAL, None
            self.last_valid_time = None
            self.events.append(SafetyEvent(t, "reset", "normal"))
        return True

    def check(self, t: float, tilt_rad: float, base_height_m: float = math.inf, joint_position=None,
              last_effort=None) -> Mode:
        """Run the watchdog and fall detection at time t [s]; returns the mode in force.
        ``joint_position`` [rad] (hardware order): the posture a controlled stop starting now
        holds, with ``last_effort`` [N·m] (the last valid command's) as feed-forward; without
        the posture a time-out damps at once."""
        p = self.params
        if self.last_valid_time is not None and t - self.last_valid_time > p.command_timeout_s:
            if self.mode is Mode.NORMAL and p.hold_timeout_s > 0.0 and joint_position is not None:
                self._begin_hold(t, joint_position, last_effort)
            elif self.mode is not Mode.HOLD or t - self.hold_since > p.hold_timeout_s:
                self.trip(t, "command_timeout")
        if tilt_rad > self.params.max_tilt_rad or base_height_m < self.params.min_base_height_m:
            self.trip(t, "fall_detected")
        return self.mode

    def _begin_hold(self, t: float, joint_position, last_effort) -> None:
        h = self._hold
        np.clip(joint_position, *self.position_limits, out=h.position)
        if last_effort is not None and np.all(np.isfinite(last_effort)):
            h.effort[:] = last_effort
        else:
            h.effort[:] = 0.0
        if not np.all(np.isfinite(h.position)):  # no posture to hold: damp
            self.trip(t, "command_timeout")
            return
        self.mode, self.hold_since = Mode.HOLD, t
        self.events.append(SafetyEvent(t, "command_timeout", "hold"))

    def check_motors(self, t: float, temperature_c: np.ndarray, error_code: np.ndarray, lost: list = ()) -> Mode:
        """Motor health at time t [s] (per joint, hardware order; NaN temperature = not reported)."""
        p = self.params
        for i in np.flatnonzero(error_code != 0):
            if not self.joint_off[i]:
                self.joint_off[i] = True
                self.trip(t, "motor_error", self.joint_names[i])
                self.events.append(SafetyEvent(t, "motor_error", "torque_off", self.joint_names[i]))
        temp = np.where(np.isfinite(temperature_c), temperature_c, -np.inf)
        for i in np.flatnonzero(temp >= p.motor_max_temperature_c):
            if not self.joint_off[i]:
                self.joint_off[i] = True
                self.trip(t, "over_temperature", self.joint_names[i])
                self.events.append(SafetyEvent(t, "over_temperature", "torque_off", self.joint_names[i]))
        span = max(p.motor_max_temperature_c - p.motor_derate_temperature_c, 1e-9)
        self.effort_scale = np.clip((p.motor_max_temperature_c - temp) / span, 0.0, 1.0)
        for i in np.flatnonzero((self.effort_scale < 1.0) & ~self._derating):
            self.events.append(SafetyEvent(t, "derating", "derate", self.joint_names[i]))
        self._derating = self.effort_scale < 1.0
        self._motors_changed = True
        for joint in lost:
            self.trip(t, "motor_lost", joint)
        return self.mode

    def hardware_error(self, t: float, what: str = "") -> None:
        """The backend failed (bus down, lifecycle error): torque off; ``what`` is kept in
        :attr:`hardware_message` for diagnostics."""
        self.hardware_message = what
        self.trip(t, "hardware_error", action="torque_off")

    def output(self, cmd: CommandArrays | None, t: float | None = None, out: CommandArrays | None = None) -> CommandArrays:
        """The command that reaches the hardware at time t [s]: the tripped mode's command, or
        damping when no valid command exists yet, else ``cmd`` — in a controlled stop the
        hold's command instead — clamped to the limits (torque limits derated by
        temperature), ramped during the soft start; joints held off by a motor fault get zeros. ``out``: arrays to write it into (the hardware's command
        interfaces; returned), else new arrays."""
        if out is None:
            n = len(self.joint_names)
            out = CommandArrays(np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n))
        if self.mode is Mode.TORQUE_OFF or self.mode is Mode.DAMPING or cmd is None:
            src = self._off if self.mode is Mode.TORQUE_OFF else self._damping
            out.assign(src)
            if src is self._damping and self.joint_off.any():
                out.kd[self.joint_off] = 0.0
            return out
        if self.mode is Mode.HOLD:
            cmd = self._hold
        lo, hi = self.position_limits
        if self._motors_changed:  # derating and torque-off change only with motor telemetry
            self._motors_changed = False
            if self._derating.any():
                np.multiply(self.effort_limit, self.effort_scale, out=self._tau_max)
            else:
                self._tau_max[:] = self.effort_limit
            np.subtract(1.0, self.joint_off, out=self._on)
        ramp = 1.0
        if self.params.soft_start_s > 0 and t is not None and self._enabled_at is not None:
            ramp = min(max((t - self._enabled_at) / self.params.soft_start_s, 0.0), 1.0)
        kernels.safe_command(cmd.position, cmd.velocity, cmd.effort, cmd.kp, cmd.kd, out.position, out.velocity,
                             out.effort, out.kp, out.kd, lo, hi, self.velocity_limit, self._tau_max, float(ramp),
                             self._on)
        return out
