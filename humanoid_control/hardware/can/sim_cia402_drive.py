"""Simulated CiA 402 servo drives on python-can's virtual bus, with injectable faults.

A :class:`SimulatedCia402Drive` is a ``canopen`` :class:`~canopen.LocalNode` holding the
generic drive dictionary: the host configures it over SDO and NMT like a real drive (those
services run in canopen's own receive thread), and it carries the CiA 402 state machine
(controlword in, statusword out, fault and fault reset), the cyclic synchronous torque and
position modes, a temperature and an error code (0x603F). Physics is the plant's: it reads
:meth:`SimulatedCia402Drive.applied_terms` (what the drive applies, motor side) and writes back
the measured position, velocity and torque with :meth:`SimulatedCia402Drive.set_state`.

A :class:`SimulatedCia402Bus` hosts the drives of one bus. The cyclic frames (RPDOs and
SYNC in, TPDOs out) are served synchronously by the plant — :meth:`serve` applies what
arrived at the SYNC, the plant steps the physics, :meth:`reply_owed` sends each drive's
TPDOs with its new state — deterministic, for lockstep simulation. Faults, as for the MIT
motors: ``reply_loss_rate``, ``corrupt_rate``, ``bus_off`` per bus; ``silent``,
``temperature_c``, ``error_code`` per drive."""
from __future__ import annotations

import can
import canopen
from canopen.profiles.p402 import State402

from humanoid_control.hardware.can import cia402
from humanoid_control.hardware.can.cia402_config import DriveConfig
from humanoid_control.hardware.can.sim_bus import SimulatedBus

_STATUS = {  # statusword of each state (bit 4 'voltage enabled', bit 9 'remote' set where powered)
    "NOT READY TO SWITCH ON": 0x0000,
    "SWITCH ON DISABLED": 0x0240,
    "READY TO SWITCH ON": 0x0231,
    "SWITCHED ON": 0x0233,
    "OPERATION ENABLED": 0x0237,
    "QUICK STOP ACTIVE": 0x0217,
    "FAULT": 0x0208,
}
_INT32 = (-(2 ** 31), 2 ** 31 - 1)
_INT16 = (-32768, 32767)


def _clamp(value: int, bounds: tuple) -> int:
    return min(max(int(value), bounds[0]), bounds[1])


class SimulatedCia402Drive:
    def __init__(self, cfg: DriveConfig, temperature_c: float = 30.0):
        self.cfg = cfg
        self.node = canopen.LocalNode(cfg.node_id, cia402.generic_drive_dictionary(cfg.node_id, cfg.rated_torque_mnm))
        self.node.add_write_callback(self._on_sdo_write)
        self.node.add_read_callback(self._on_sdo_read)
        self.state = "SWITCH ON DISABLED"
        self.controlword = 0
        self.mode = 0
        self.max_torque_permille = 1000
        self.kp = self.kd = 0.0  # [N·m/rad], [N·m·s/rad] motor side: the csp position loop
        self.target_torque = 0  # [‰]
        self.target_counts = 0
        self.torque_offset = 0  # [‰]
        self.position = 0.0  # [rad] motor side
        self.velocity = 0.0  # [rad/s]
        self.torque = 0.0  # [N·m]
        self.temperature_c = temperature_c
        self.error_code = 0  # fault: 0x603F; a drive with an error goes to FAULT
        self.silent = False  # fault: never sends its TPDOs
        self.commands_received = 0
        self.last_heard_s = 0.0  # [s] plant clock of the last RPDO
        self._pdo_loaded = False
        self._rx = None  # the latest RPDO payload, applied at the next SYNC
        self._rx_map = None  # (struct, object indices) of RPDO1 as the host mapped it
        self._tx_maps = []  # [(COB-ID, struct, object indices)] of the enabled TPDOs

    # ------------------------------------------------------------------ SDO side
    def _on_sdo_write(self, index, subindex, od, data, **_):
        value = od.decode_raw(data)
        if index == cia402.CONTROLWORD:
            self.apply_controlword(value)
        elif index == cia402.MODES_OF_OPERATION:
            self.mode = value
        elif index == cia402.MAX_TORQUE:
            self.max_torque_permille = value
        elif index == cia402.POSITION_LOOP_KP:
            self.kp = value
        elif index == cia402.POSITION_LOOP_KD:
            self.kd = value

    def _on_sdo_read(self, index, subindex, od, **_):
        return {cia402.STATUSWORD: self.statusword, cia402.ERROR_CODE: self.error_code,
                cia402.MODES_OF_OPERATION_DISPLAY: self.mode, cia402.POSITION_ACTUAL: self.position_counts(),
                }.get(index)

    # ------------------------------------------------------------------ state machine
    @property
    def statusword(self) -> int:
        return _STATUS[self.state]

    @property
    def enabled(self) -> bool:
        return self.state == "OPERATION ENABLED" and not self.error_code

    def apply_controlword(self, cw: int) -> None:
        """One controlword, as CiA 402's device control commands decode it."""
        edge = bool(cw & cia402.FAULT_RESET_BIT) and not self.controlword & cia402.FAULT_RESET_BIT
        self.controlword = cw
        s = self.state
        if s == "FAULT":
            if edge and not self.error_code:
                self.state = "SWITCH ON DISABLED"
            return
        if not cw & 0x02:  # disable voltage
            self.state = "SWITCH ON DISABLED"
        elif not cw & 0x04:  # quick stop
            self.state = "QUICK STOP ACTIVE" if s == "OPERATION ENABLED" else "SWITCH ON DISABLED"
        elif cw & 0x8F == State402.CW_SHUTDOWN:
            if s in ("SWITCH ON DISABLED", "SWITCHED ON", "OPERATION ENABLED"):
                self.state = "READY TO SWITCH ON"
        elif cw & 0x8F == State402.CW_SWITCH_ON:
            if s in ("READY TO SWITCH ON", "OPERATION ENABLED"):
                self.state = "SWITCHED ON"
        elif cw & 0x8F == State402.CW_OPERATION_ENABLED:
            if s in ("READY TO SWITCH ON", "SWITCHED ON", "QUICK STOP ACTIVE"):
                self.state = "OPERATION ENABLED"

    def check_fault(self) -> None:
        if self.error_code and self.state != "FAULT":
            self.state = "FAULT"

    # ------------------------------------------------------------------ cyclic
    def load_pdo_mapping(self) -> None:
        """What the host mapped over SDO takes effect when the drive goes OPERATIONAL."""
        self.node.rpdo.read()
        self.node.tpdo.read()
        rpdo = self.node.rpdo[1]
        self._rx_map = cia402.map_struct(rpdo) if rpdo.enabled else None
        self._tx_maps = [(m.cob_id, *cia402.map_struct(m)) for m in self.node.tpdo.map.values()
                         if m.enabled and m.cob_id]
        self._pdo_loaded = True

    def take_rpdo(self, data: bytes) -> None:
        self._rx = bytes(data)
        self.commands_received += 1

    def on_sync(self) -> bool:
        """Apply the RPDO that came before this SYNC; True when the drive answers with TPDOs."""
        if self.node.nmt.state != "OPERATIONAL":
            self._pdo_loaded = False
            return False
        if not self._pdo_loaded:
            self.load_pdo_mapping()
        if self._rx is not None and self._rx_map is not None and len(self._rx) >= self._rx_map[0].size:
            st, indices = self._rx_map
            values = dict(zip(indices, st.unpack_from(self._rx)))
            self._rx = None
            if cia402.CONTROLWORD in values:
                self.apply_controlword(values[cia402.CONTROLWORD])
            self.target_torque = values.get(cia402.TARGET_TORQUE, self.target_torque)
            self.target_counts = values.get(cia402.TARGET_POSITION, self.target_counts)
            self.torque_offset = values.get(cia402.TORQUE_OFFSET, self.torque_offset)
        self.check_fault()
        return not self.silent

    def applied_terms(self) -> tuple:
        """What the drive applies now, motor side, as the terms of τ = kp(p* − p) + kd(v* − v) + τ_ff:
        (p* [rad], v* [rad/s], kp, kd, τ_ff [N·m]); zeros unless OPERATION ENABLED. In cst the
        target torque; in csp the drive's own position loop plus the torque offset; both
        clamped by the drive to its max torque (0x6072)."""
        if not self.enabled:
            return 0.0, 0.0, 0.0, 0.0, 0.0
        limit = self.max_torque_permille * self.cfg.rated_torque / 1000.0
        if self.mode == cia402.MODES["cst"]:
            tau = self.target_torque * self.cfg.rated_torque / 1000.0
            return 0.0, 0.0, 0.0, 0.0, min(max(tau, -limit), limit)
        if self.mode == cia402.MODES["csp"]:
            target = cia402.counts_to_rad(self.target_counts, self.cfg.counts_per_rev)
            offset = self.torque_offset * self.cfg.rated_torque / 1000.0
            return target, 0.0, self.kp, self.kd, min(max(offset, -limit), limit)
        return 0.0, 0.0, 0.0, 0.0, 0.0

    def comm_timeout(self) -> None:
        """No RPDO for too long: the drive disables itself (SWITCH ON DISABLED, no torque)."""
        self.state = "SWITCH ON DISABLED"

    def set_state(self, position: float, velocity: float, torque: float) -> None:
        self.position, self.velocity, self.torque = position, velocity, torque

    def position_counts(self) -> int:
        return _clamp(round(cia402.rad_to_counts(self.position, self.cfg.counts_per_rev)), _INT32)

    def tpdo_frames(self) -> list:
        """[(COB-ID, payload)] of the enabled TPDOs with the drive's present state."""
        rated = self.cfg.rated_torque
        torque = self.torque if self.enabled else 0.0
        values = {
            cia402.STATUSWORD: self.statusword,
            cia402.TORQUE_ACTUAL: _clamp(round(1000.0 * torque / rated), _INT16),
            cia402.POSITION_ACTUAL: self.position_counts(),
            cia402.VELOCITY_ACTUAL: _clamp(round(cia402.rad_to_counts(self.velocity, self.cfg.counts_per_rev)), _INT32),
            cia402.ERROR_CODE: self.error_code,
            cia402.DRIVE_TEMPERATURE: _clamp(round(10.0 * self.temperature_c), _INT16),
            cia402.MODES_OF_OPERATION_DISPLAY: self.mode,
        }
        return [(cob, st.pack(*(values.get(i, 0) for i in indices))) for cob, st, indices in self._tx_maps]


class SimulatedCia402Bus(SimulatedBus):
    """The drives of one bus: SDO/NMT through a canopen network (its own receive thread),
    the cyclic frames through a second handle on the same channel, served synchronously."""

    def __init__(self, channel: str, drives: list, seed: int = 0):
        # the cyclic handle (SimulatedBus.bus) is unfiltered: python-can filters virtual buses
        # in software, which would end serve()'s non-blocking reads at the first frame that
        # does not match; serve() skips what is not cyclic
        super().__init__(channel, seed)
        self.drives = {d.cfg.node_id: d for d in drives}
        self.network = canopen.Network()
        self.network.NOTIFIER_CYCLE = cia402.NOTIFIER_CYCLE_S
        self.network.bus = can.Bus(interface="virtual", channel=cia402.service_channel("virtual", channel),
                                   receive_own_messages=False,
                                   can_filters=[{"can_id": 0x600, "can_mask": 0x780},  # SDO requests
                                                {"can_id": 0x000, "can_mask": 0x7FF}])  # NMT
        for d in drives:
            self.network.add_node(d.node)
        self.network.connect()

    def serve(self) -> int:
        """Take the RPDOs and SYNCs waiting on the bus into the drives; TPDOs are owed until
        :meth:`reply_owed`. Returns how many cyclic frames were read."""
        n = 0
        while (msg := self.bus.recv(timeout=0.0)) is not None:
            if self.bus_off:
                continue
            cob = msg.arbitration_id
            if cob != cia402.SYNC_COB_ID and cob - cia402.RPDO1_BASE not in self.drives:
                continue
            n += 1
            self.frames_in += 1
            if cob == cia402.SYNC_COB_ID:
                self._owed += [d for d in self.drives.values() if d.on_sync()]
            else:
                self.drives[cob - cia402.RPDO1_BASE].take_rpdo(msg.data)
        return n

    def reply_owed(self) -> None:
        owed, self._owed = self._owed, []
        for d in owed:
            for cob_id, data in d.tpdo_frames():
                self._deliver(cob_id, lambda data=data: data)

    def _garble(self, data: bytes) -> bytes:
        return data[: int(self.rng.integers(0, len(data)))]  # cut short: the receiver can tell

    def shutdown(self) -> None:
        cia402.close_networks([self.network])
        super().shutdown()

