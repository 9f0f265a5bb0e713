"""What every CAN backend shares: its buses, frame bookkeeping and the health the driver's
safety layer and diagnostics read, whatever the protocol on the wire.

Health, per joint: ``temperature`` [°C] and ``error_code`` (extra state interfaces, NaN/0
when the device does not report them), replies missed (total and consecutive — a device is
*lost* after ``max_missed_replies`` in a row; its state holds the last reply), commands
saturated by the device's ranges; per bus: frames sent, corrupt frames, send errors."""
from __future__ import annotations

import time

import can
import numpy as np

from humanoid_control.hardware.system_interface import CallbackReturn, StateInterface, SystemInterface

HEALTH_STATES = ("temperature", "error_code")


def bus_open_kwargs(bus) -> dict:
    """python-can's open arguments for a BusConfig: the bitrate on a real interface; on a
    virtual channel, no echo of the handle's own frames."""
    return {"bitrate": bus.bitrate} if bus.interface != "virtual" else {"receive_own_messages": False}


class CanSystem(SystemInterface):
    """Base of the CAN backends. ``config`` has ``buses`` ({name: BusConfig}),
    ``reply_timeout_s`` and ``max_missed_replies``; subclasses set ``self._by_bus``
    ({bus: [joint index]}) in ``on_init`` after calling :meth:`_init_health`."""

    def __init__(self, config, sensors=None, pump=None):
        """``sensors(sensor_state)`` fills non-CAN sensors each read; ``pump()`` lets simulated
        devices answer while the backend waits outside the tick (configure, activate)."""
        super().__init__()
        self.config = config
        self.sensors = sensors
        self.pump = pump
        self.buses = {}  # name -> can.BusABC: the cyclic frames
        self.last_error = ""

    # ------------------------------------------------------------------ lifecycle
    def on_deactivate(self, previous_state) -> CallbackReturn:
        self._all_torque_off()
        return CallbackReturn.SUCCESS

    def on_cleanup(self, previous_state) -> CallbackReturn:
        self._close()
        return CallbackReturn.SUCCESS

    def on_shutdown(self, previous_state) -> CallbackReturn:
        self._all_torque_off()
        self._close()
        return CallbackReturn.SUCCESS

    def on_error(self, previous_state) -> CallbackReturn:
        """Best effort: torque off on every device still reachable, close the buses."""
        self._all_torque_off()
        self._close()
        return CallbackReturn.SUCCESS

    def _all_torque_off(self) -> None:  # pragma: no cover - abstract
        """Take the torque off every device that still takes frames (protocol-specific);
        ``last_error`` keeps the original cause."""
        raise NotImplementedError

    def _decode(self, bus: str, msg: can.Message) -> None:  # pragma: no cover - abstract
        """Take one received frame into the joint states (protocol-specific)."""
        raise NotImplementedError

    def _collect(self, timeout_s: float) -> None:
        """Decode frames until every device of every bus replied or ``timeout_s`` passed,
        then whatever is already waiting (late or duplicate replies) without waiting."""
        deadline = time.monotonic() + timeout_s
        for bus, idx in self._by_bus.items():
            b = self.buses.get(bus)
            if b is None:
                continue
            while not all(self.replied[i] for i in idx):
                msg = b.recv(timeout=max(deadline - time.monotonic(), 0.0))
                if msg is None:
                    break
                self._decode(bus, msg)
            while (msg := b.recv(timeout=0.0)) is not None:
                self._decode(bus, msg)

    def _init_health(self) -> None:
        n = len(self.joint_names)
        self.joint_state.setdefault("temperature", np.full(n, np.nan))
        self.joint_state.setdefault("error_code", np.zeros(n))
        self.replied = np.zeros(n, bool)
        self.requests = np.zeros(n, np.int64)
        self.missed_total = np.zeros(n, np.int64)
        self.missed_in_a_row = np.zeros(n, np.int64)
        self.saturations = np.zeros(n, np.int64)
        self.corrupt_frames = {b: 0 for b in self.config.buses}
        self.send_errors = {b: 0 for b in self.config.buses}
        self.frames_sent = {b: 0 for b in self.config.buses}

    def _open_buses(self, filters=None) -> CallbackReturn:
        """Open one python-can bus per configured bus (``filters(bus_name)`` gives its
        receive filters, applied on real interfaces only: python-can filters virtual buses
        in software, where a non-matching frame ends a non-blocking ``recv`` early — the
        backends skip frames they do not expect anyway); FAILURE naming the bus when one
        cannot be opened."""
        name = ""
        try:
            for name, b in self.config.buses.items():
                kwargs = bus_open_kwargs(b)
                if filters is not None and b.interface != "virtual":
                    kwargs["can_filters"] = filters(name)
                self.buses[name] = can.Bus(interface=b.interface, channel=b.channel, **kwargs)
        except (can.CanError, OSError, ValueError, ImportError) as exc:
            b = self.config.buses[name]
            self.last_error = f"cannot open CAN bus '{name}' ({b.interface}:{b.channel}): {exc}"
            self._close()
            return CallbackReturn.FAILURE
        return CallbackReturn.SUCCESS

    def _send(self, bus: str, arbitration_id: int, data, keep_error: bool = False) -> bool:
        """Send one frame; False (counted, and named in ``last_error`` unless ``keep_error``) when it fails."""
        try:
            self.buses[bus].send(can.Message(arbitration_id=arbitration_id, data=data, is_extended_id=False),
                                 timeout=0.001)
        except (can.CanError, OSError, KeyError) as exc:
            self.send_errors[bus] += 1
            if not keep_error:
                self.last_error = f"CAN bus '{bus}': send of frame 0x{arbitration_id:03X} failed: " \
                                  f"{exc or type(exc).__name__}"
            return False
        self.frames_sent[bus] += 1
        return True

    def _account_replies(self) -> None:
        """After a tick's replies are in: count who missed one."""
        missing = (self.requests > 0) & ~self.replied
        self.missed_total += missing
        self.missed_in_a_row[missing] += 1
        self.missed_in_a_row[self.replied] = 0
        if self.sensors is not None:
            self.sensors(self.sensor_state)

    def _close(self) -> None:
        for b in self.buses.values():
            try:
                b.shutdown()
            except (can.CanError, OSError):
                pass
        self.buses = {}

    # ------------------------------------------------------------------ health
    def lost_joints(self) -> list:
        """Joints whose device missed ``max_missed_replies`` replies in a row."""
        return [self.joint_names[i] for i in np.flatnonzero(self.missed_in_a_row >= self.config.max_missed_replies)]

    def reply_loss_rate(self) -> np.ndarray:
        """Per joint: share of commands that got no reply since activation [-]."""
        return self.missed_total / np.maximum(self.requests, 1)

    def health(self) -> dict:
        out = {}
        loss = self.reply_loss_rate()
        for i, j in enumerate(self.joint_names):
            out[f"motor.{j}.temperature_c"] = round(float(self.joint_state["temperature"][i]), 2)
            out[f"motor.{j}.error_code"] = int(self.joint_state["error_code"][i])
            out[f"motor.{j}.reply_loss_rate"] = round(float(loss[i]), 5)
            out[f"motor.{j}.commands_saturated"] = int(self.saturations[i])
        for b in self.config.buses:
            out[f"bus.{b}.frames_sent"] = self.frames_sent[b]
            out[f"bus.{b}.corrupt_frames"] = self.corrupt_frames[b]
            out[f"bus.{b}.send_errors"] = self.send_errors[b]
        return out

    def export_state_interfaces(self) -> list:
        out = super().export_state_interfaces()
        declared = {s.name for j in self.info.joints for s in j.state_interfaces}
        for name in HEALTH_STATES:
            if name not in declared:
                out += [StateInterface(f"{j}/{name}", self.joint_state[name], i) for i, j in enumerate(self.joint_names)]
        return out
