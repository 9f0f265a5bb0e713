"""MIT-mode CAN motors backend (plugin ``humanoid_control/MitCanSystem``).

One python-can bus per configured bus; one command frame per motor per ``write`` and its
reply collected by the next ``read`` (up to ``reply_timeout_s``). Joint-side commands and
states convert to motor side through each motor's direction, gear ratio and zero offset
(:mod:`humanoid_control.hardware.can.motor_config`).

Health (temperature, error code, replies missed, lost motors, per-bus counters) is kept
by :class:`~humanoid_control.hardware.can.can_system.CanSystem`. A send error
(bus-off, interface down) makes ``write`` return ERROR, which takes the component through
``on_error`` (motors sent the exit-motor-mode frame where the bus still allows it)
to UNCONFIGURED, as ros2_control does; the motors' own CAN timeout then removes torque.

IMU and foot force sensors are not on these buses: ``sensors(sensor_state)`` fills them
(the simulation's plant, or a user's IMU driver); without it they stay NaN."""
from __future__ import annotations

import math
import time

import numpy as np

from humanoid_control.hardware.can.mit_protocol import (ENTER_MOTOR_MODE, EXIT_MOTOR_MODE, CanFrameError,
                                                          MitCommand, pack_command, saturated, unpack_reply)
from humanoid_control.hardware.can.can_system import CanSystem
from humanoid_control.hardware.can.motor_config import MitCanConfig, Transmission
from humanoid_control.hardware.system_interface import CallbackReturn, ReturnType
from humanoid_control.robot.ros2_control_tag import HardwareInfo


class MitCanSystem(CanSystem):
    PLUGIN = "humanoid_control/MitCanSystem"

    #: [s] how long activation waits for every motor's first reply.
    ACTIVATE_TIMEOUT_S = 0.5

    def __init__(self, config: MitCanConfig, sensors=None, pump=None):
        super().__init__(config, sensors, pump)

    # ------------------------------------------------------------------ lifecycle
    def on_init(self, info: HardwareInfo) -> CallbackReturn:
        super().on_init(info)
        missing = [j for j in self.joint_names if j not in self.config.motors]
        if missing:
            self.last_error = f"{self.config.source}: joints without a motor: {missing}"
            return CallbackReturn.ERROR
        self.motors = [self.config.motors[j] for j in self.joint_names]
        self._init_health()
        self.transmission = Transmission(self.motors)
        self._by_bus = {b: [i for i, m in enumerate(self.motors) if m.bus == b] for b in self.config.buses}
        return CallbackReturn.SUCCESS

    def on_configure(self, previous_state) -> CallbackReturn:
        return self._open_buses()

    def on_activate(self, previous_state) -> CallbackReturn:
        """Enter motor mode on every motor and wait for each one's first reply (the state the
        commands start from: command = state)."""
        self.replied[:] = False
        for bus, idx in self._by_bus.items():
            for i in idx:
                if not self._send(bus, self.motors[i].motor_id, ENTER_MOTOR_MODE):
                    return CallbackReturn.ERROR
        deadline = time.monotonic() + self.ACTIVATE_TIMEOUT_S
        while not self.replied.all() and time.monotonic() < deadline:
            if self.pump is not None:
                self.pump()
            self._collect(0.005)
        if not self.replied.all():
            silent = [self.joint_names[i] for i in np.flatnonzero(~self.replied)]
            self.last_error = f"no reply to enter-motor-mode from the motors of joints {silent}"
            self._all_torque_off()
            return CallbackReturn.FAILURE
        return super().on_activate(previous_state)

    # ------------------------------------------------------------------ cyclic
    def write(self, time_s: float, period: float) -> ReturnType:
        c = self.joint_command
        p_m, v_m, t_m = self.transmission.to_motor(c["position"], c["velocity"], c["effort"])
        kp_m, kd_m = self.transmission.gains_to_motor(c["kp"], c["kd"])
        self.replied[:] = False
        for bus, idx in self._by_bus.items():
            for i in idx:
                m = self.motors[i]
                cmd = MitCommand(float(p_m[i]), float(v_m[i]), float(kp_m[i]), float(kd_m[i]), float(t_m[i]))
                if not all(math.isfinite(x) for x in (cmd.position, cmd.velocity, cmd.kp, cmd.kd, cmd.torque)):
                    cmd = MitCommand(0.0, 0.0, 0.0, float(kd_m[i]) if math.isfinite(kd_m[i]) else 0.0, 0.0)
                    self.saturations[i] += 1
                elif saturated(cmd, m.ranges):
                    self.saturations[i] += 1
                if not self._send(bus, m.motor_id, pack_command(cmd, m.ranges)):
                    return ReturnType.ERROR
                self.requests[i] += 1
        return ReturnType.OK

    def read(self, time_s: float, period: float) -> ReturnType:
        """Collect this tick's replies (waiting up to ``reply_timeout_s`` for missing ones)."""
        self._collect(self.config.reply_timeout_s)
        self._account_replies()
        return ReturnType.OK

    # ------------------------------------------------------------------ plumbing
    def _decode(self, bus: str, msg) -> None:
        data = bytes(msg.data)
        if not data:
            self.corrupt_frames[bus] += 1
            return
        for i in self._by_bus[bus]:
            m = self.motors[i]
            key = data[0] & 0xF if m.reply_layout == "damiao8" else data[0]
            if key != (m.motor_id & 0xF if m.reply_layout == "damiao8" else m.motor_id):
                continue
            try:
                rep = unpack_reply(data, m.ranges, m.reply_layout, m.motor_id)
            except CanFrameError:
                break
            s = self.joint_state
            s["position"][i], s["velocity"][i], s["effort"][i] = self.transmission.to_joint(
                rep.position, rep.velocity, rep.torque, i)
            s["temperature"][i] = rep.temperature
            s["error_code"][i] = rep.error_code
            self.replied[i] = True
            return
        self.corrupt_frames[bus] += 1

    def _all_torque_off(self) -> None:
        """Exit motor mode (torque off) on every motor of every bus that still takes frames
        (the first failed send gives up on that bus; ``last_error`` keeps the original cause)."""
        for bus, idx in self._by_bus.items():
            if bus in self.buses:
                for i in idx:
                    if not self._send(bus, self.motors[i].motor_id, EXIT_MOTOR_MODE, keep_error=True):
                        break
        if self.pump is not None:
            self.pump()
