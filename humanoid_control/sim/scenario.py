"""Scripted disturbances of a simulated run, parsed from the CLI's text forms."""
from __future__ import annotations

import math
from dataclasses import dataclass

from humanoid_control.errors import ConfigError, UnknownNameError


@dataclass(frozen=True)
class Push:
    """A force applied at the base: from ``t`` [s] for ``duration`` [s], ``force`` [N] in world."""

    t: float
    force: tuple
    duration: float

    @property
    def impulse(self) -> float:
        """|F|·duration [N·s]."""
        return (self.force[0] ** 2 + self.force[1] ** 2 + self.force[2] ** 2) ** 0.5 * self.duration

    def text(self) -> str:
        return f"{self.t:g}:{self.force[0]:g},{self.force[1]:g},{self.force[2]:g}:{self.duration:g}"


def parse_push(text: str) -> Push:
    """Parse ``T:FX,FY,FZ:DUR`` (seconds, newtons, seconds), e.g. ``2:110,0,0:0.1``."""
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        t = float(parts[0])
        force = tuple(float(f) for f in parts[1].split(","))
        dur = float(parts[2])
        if len(force) != 3:
            raise ValueError
    except ValueError:
        raise ConfigError(f"push '{text}' is not T:FX,FY,FZ:DUR (e.g. 2:110,0,0:0.1)", "--push") from None
    if t < 0 or not 0 < dur <= 5.0:
        raise ConfigError(f"push '{text}': need T >= 0 [s] and 0 < DUR <= 5 [s]", "--push")
    if max(abs(f) for f in force) > 1e4:
        raise ConfigError(f"push '{text}': force components must be within ±10000 N", "--push")
    return Push(t, force, dur)


#: Fault kinds of ``--fault T:KIND[:ARG]``: what ARG is ('' = none), and whether it needs
#: a CAN backend (the MuJoCo backend has no motors to break).
FAULT_KINDS = {
    "command-timeout": ("duration [s]", False),  # the driver hears no command for DURATION
    "nan-command": ("", False),  # the next command carries a NaN
    "out-of-range-command": ("", False),  # the next command asks for 10× a joint's torque limit
    "estop": ("", False),
    "estop-reset": ("", False),
    "motor-error": ("joint", True),  # the motor reports an error code (firmware torque-off)
    "over-temperature": ("joint", True),  # the motor's temperature jumps past the limit
    "silent-motor": ("joint", True),  # the motor stops answering
    "frame-loss": ("rate [0, 1]", True),  # replies lost at random, every bus
    "corrupt-frames": ("rate [0, 1]", True),  # replies garbled at random, every bus
    "bus-off": ("", True),  # every bus goes down: sends fail
}


@dataclass(frozen=True)
class Fault:
    """A fault injected at ``t`` [s]: ``kind`` (a key of FAULT_KINDS) and its argument."""

    t: float
    kind: str
    arg: str = ""

    def text(self) -> str:
        return f"{self.t:g}:{self.kind}" + (f":{self.arg}" if self.arg else "")

    @property
    def needs_can(self) -> bool:
        return FAULT_KINDS[self.kind][1]

    def value(self) -> float:
        return float(self.arg)


def parse_fault(text: str) -> Fault:
    """Parse ``T:KIND[:ARG]``, e.g. ``2:command-timeout:0.1``, ``3:motor-error:left_knee``."""
    parts = text.split(":")
    kinds = ", ".join(FAULT_KINDS)
    if len(parts) not in (2, 3):
        raise ConfigError(f"fault '{text}' is not T:KIND[:ARG]; kinds: {kinds}", "--fault")
    try:
        t = float(parts[0])
    except ValueError:
        raise ConfigError(f"fault '{text}': time '{parts[0]}' is not a number [s]", "--fault") from None
    if not t >= 0:
        raise ConfigError(f"fault '{text}': need T >= 0 [s]", "--fault")
    kind = parts[1]
    if kind not in FAULT_KINDS:
        raise ConfigError(f"fault '{text}': unknown kind '{kind}'; valid kinds: {kinds}", "--fault")
    what, _ = FAULT_KINDS[kind]
    arg = parts[2] if len(parts) == 3 else ""
    if bool(what) != bool(arg):
        need = f"needs an argument ({what})" if what else "takes no argument"
        raise ConfigError(f"fault '{text}': '{kind}' {need}", "--fault")
    if what.startswith("duration"):
        try:
            ok = 0 < float(arg) <= 60
        except ValueError:
            ok = False
        if not ok:
            raise ConfigError(f"fault '{text}': duration must be in (0, 60] s", "--fault")
    if what.startswith("rate"):
        try:
            ok = 0 <= float(arg) <= 1
        except ValueError:
            ok = False
        if not ok:
            raise ConfigError(f"fault '{text}': rate must be in [0, 1]", "--fault")
    return Fault(t, kind, arg)


def check_faults(faults, backend: str, joint_names) -> None:
    """Faults that cannot run here: a motor or bus fault on the MuJoCo backend (no motors to
    break), a joint fault naming no joint of the robot."""
    for f in faults:
        if f.needs_can and backend == "mujoco":
            raise ConfigError(f"'{f.kind}' needs a CAN backend (--backend mit-can or cia402); the MuJoCo backend has no "
                              f"motors to break", f"--fault {f.text()}")
        if FAULT_KINDS[f.kind][0] == "joint" and f.arg not in joint_names:
            raise UnknownNameError("joint", f.arg, list(joint_names), f"--fault {f.text()}")


class FaultInjector:
    """Carries out scripted faults (ROS-free): :meth:`step` at each control tick applies the
    faults that are due to the safety supervisor, the backend and the simulated motors;
    :meth:`filter_command` is the command path's share (muted or spoiled commands)."""

    def __init__(self, faults, safety, hardware, over_temperature_c: float):
        """``hardware``: the driver's Hardware (its ``hw`` and, for CAN, its ``plant``);
        ``over_temperature_c`` [°C]: what an over-temperature fault sets a motor to."""
        self.faults = sorted(faults, key=lambda f: f.t)
        self.safety, self.hardware, self.over_temperature_c = safety, hardware, over_temperature_c
        self._next = 0
        self.mute_until = -1.0  # [s] command-timeout: commands are not heard until then
        self.spoil_next = ""  # nan-command / out-of-range-command: spoil the next command
        self.commands_muted = 0

    def step(self, t: float) -> None:
        """Apply every fault due at time ``t`` [s]."""
        while self._next < len(self.faults) and self.faults[self._next].t <= t:
            f = self.faults[self._next]
            self._next += 1
            plant = self.hardware.plant
            if f.kind == "command-timeout":
                self.mute_until = t + f.value()
            elif f.kind in ("nan-command", "out-of-range-command"):
                self.spoil_next = f.kind
            elif f.kind == "estop":
                self.safety.press_estop(t)
            elif f.kind == "estop-reset":
                self.safety.reset(t)
            elif f.kind == "motor-error":
                plant.motor(f.arg).error_code = 1
            elif f.kind == "over-temperature":
                plant.motor(f.arg).temperature_c = self.over_temperature_c
            elif f.kind == "silent-motor":
                plant.motor(f.arg).silent = True
            elif f.kind in ("frame-loss", "corrupt-frames"):
                for b in plant.buses.values():
                    setattr(b, "reply_loss_rate" if f.kind == "frame-loss" else "corrupt_rate", f.value())
            elif f.kind == "bus-off":
                for b in plant.buses.values():
                    b.bus_off = True
                for b in self.hardware.hw.buses.values():
                    b.shutdown()  # the interface is down: every send fails

    def filter_command(self, cmd, t: float):
        """The command as the fault script lets it reach the driver at time ``t`` [s]: None
        while commands are muted, else ``cmd`` (spoiled in place once, if a fault asks)."""
        if t < self.mute_until:
            self.commands_muted += 1
            return None
        if self.spoil_next:
            cmd.effort[0] = math.nan if self.spoil_next == "nan-command" else 10.0 * self.safety.effort_limit[0]
            self.spoil_next = ""
        return cmd
