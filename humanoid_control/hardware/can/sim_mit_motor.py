"""Simulated MIT-mode motors on python-can's virtual bus, with injectable faults.

A :class:`SimulatedMitMotor` is the firmware's side of :mod:`mit_protocol`: it decodes
command frames (quantised exactly as a real motor would), answers each with a reply frame of
its state, obeys the enter/exit/zero frames, and carries a temperature and an error code.
Physics is someone else's: the plant reads :meth:`SimulatedMitMotor.applied_command` (the
MIT law's terms, motor side; zero torque unless enabled and error-free) and writes back the
motor's measured position, velocity and torque with :meth:`SimulatedMitMotor.set_state`.

A :class:`SimulatedMitBus` hosts the motors of one bus and serves their frames
synchronously — :meth:`SimulatedMitBus.serve` takes the commands in, the plant steps the
physics, :meth:`SimulatedMitBus.reply_owed` answers with the new state — deterministic, for
lockstep simulation (a real motor answers at once with the state it has: one tick older).
Faults (per bus or per motor): ``reply_loss_rate`` (replies dropped at random),
``corrupt_rate`` (replies garbled), ``silent`` (a motor that never answers), ``bus_off``
(nothing gets through), ``temperature_c`` and ``error_code``."""
from __future__ import annotations

import math

from humanoid_control.hardware.can.mit_protocol import (SPECIAL_FRAMES, CanFrameError, MitCommand, MitRanges,
                                                          MitReply, pack_reply, unpack_command)
from humanoid_control.hardware.can.sim_bus import SimulatedBus

#: CAN ID the motors answer on (the host's ID; the reply's first byte names the motor).
HOST_ID = 0x000


class SimulatedMitMotor:
    def __init__(self, motor_id: int, ranges: MitRanges, reply_layout: str = "id6", temperature_c: float = 30.0):
        self.motor_id, self.ranges, self.reply_layout = motor_id, ranges, reply_layout
        self.enabled = False
        self.command = MitCommand(0.0, 0.0, 0.0, 0.0, 0.0)
        self.position = 0.0  # [rad] motor side, relative to the motor's zero
        self.velocity = 0.0  # [rad/s]
        self.torque = 0.0  # [N·m]
        self.zero = 0.0  # [rad] plant position that reads as 0 (moved by the set-zero frame)
        self.temperature_c = temperature_c
        self.error_code = 0
        self.silent = False  # fault: never answers
        self.commands_received = 0
        self.last_heard_s = 0.0  # [s] when the last command arrived (the plant's clock)

    def applied_command(self) -> MitCommand:
        """What the motor drives now (motor side, position relative to the plant's zero):
        zeros when disabled or in error — the firmware's torque-off."""
        if not self.enabled or self.error_code:
            return MitCommand(0.0, 0.0, 0.0, 0.0, 0.0)
        c = self.command
        return MitCommand(c.position + self.zero, c.velocity, c.kp, c.kd, c.torque)

    def applied_terms(self) -> tuple:
        """:meth:`applied_command` as (p*, v*, kp, kd, τ_ff), the plant's common form."""
        c = self.applied_command()
        return c.position, c.velocity, c.kp, c.kd, c.torque

    def comm_timeout(self) -> None:
        """The firmware's CAN timeout: torque off."""
        self.enabled = False

    def set_state(self, plant_position: float, velocity: float, torque: float) -> None:
        self.position, self.velocity, self.torque = plant_position - self.zero, velocity, torque

    def handle(self, data: bytes) -> bool:
        """Process one frame addressed to this motor; True when the firmware answers it
        (the reply, :meth:`reply`, carries the state after the tick's physics)."""
        special = SPECIAL_FRAMES.get(bytes(data))
        if special == "enter":
            self.enabled = True
            self.command = MitCommand(self.position, 0.0, 0.0, 0.0, 0.0)
        elif special == "exit":
            self.enabled = False
        elif special == "zero":
            self.zero += self.position
            self.position = 0.0
        else:
            try:
                self.command = unpack_command(data, self.ranges)
            except CanFrameError:
                return False  # firmware ignores what it cannot parse
            self.commands_received += 1
        return not self.silent

    def reply(self) -> bytes:
        """The reply frame for the motor's present state."""
        t = self.torque if (self.enabled and not self.error_code) else 0.0
        return pack_reply(MitReply(self.motor_id, self.position, self.velocity, t, self.temperature_c,
                                   self.error_code), self.ranges, self.reply_layout)


class SimulatedMitBus(SimulatedBus):
    """The motors of one bus, listening on a python-can virtual channel."""

    def __init__(self, channel: str, motors: list, seed: int = 0):
        super().__init__(channel, seed)
        self.motors = {m.motor_id: m for m in motors}

    def serve(self) -> int:
        """Take every frame waiting on the bus into the motors (replies are owed until
        :meth:`reply_owed`); returns how many frames were read."""
        n = 0
        while True:
            msg = self.bus.recv(timeout=0.0)
            if msg is None:
                return n
            n += 1
            if self.bus_off:
                continue
            self.frames_in += 1
            motor = self.motors.get(msg.arbitration_id)
            if motor is not None and motor.handle(bytes(msg.data)):
                self._owed.append(motor)

    def reply_owed(self) -> None:
        """Send the replies owed since the last call, each with its motor's present state,
        through the fault injection (loss, corruption, bus-off)."""
        owed, self._owed = self._owed, []
        for motor in owed:
            self._deliver(HOST_ID, motor.reply)

    def _garble(self, data: bytes) -> bytes:
        """A corrupted frame of the kinds a receiver can notice (CAN's CRC already drops
        frames with flipped bits on the wire): cut short, or naming a motor that is not there."""
        if self.rng.random() < 0.5:
            return bytes(data[: int(self.rng.integers(0, len(data)))])
        unused = next(i for i in range(0xF, 0, -1) if i not in self.motors)
        return bytes([unused]) + bytes(data[1:])



def motor_temperature_step(temperature_c: float, torque: float, t_max: float, dt: float,
                           ambient_c: float = 30.0, rise_c: float = 60.0, tau_s: float = 120.0) -> float:
    """First-order winding temperature [°C]: settles at ambient + rise·(τ/τ_max)² with time
    constant ``tau_s`` — a motor held at its peak torque heats up by ``rise_c`` in minutes."""
    target = ambient_c + rise_c * (torque / t_max) ** 2
    return temperature_c + (target - temperature_c) * (1.0 - math.exp(-dt / tau_s))
