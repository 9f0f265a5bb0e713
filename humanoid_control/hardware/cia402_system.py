"""CiA 402 servo drives backend (plugin ``humanoid_control/Cia402System``), through the
``canopen`` package.

Lifecycle, as a CANopen master brings drives up:

* configure: per bus a canopen network (SDO, NMT, EMCY; its own receive thread) and a
  second handle on the same interface for the cyclic frames. Per drive: NMT pre-operational,
  the rated torque (0x6076) checked against the hardware YAML, max torque (0x6072), mode of
  operation (0x6060: 10 = cyclic synchronous torque, 8 = cyclic synchronous position), the
  drive's position-loop gains in csp (generic drive objects), and the PDO mapping over SDO
  (one RPDO, two TPDOs, all synchronous; every other PDO disabled);
* activate: NMT start, then cycles of RPDO + SYNC + TPDOs walking each drive's state machine
  to OPERATION ENABLED (fault reset on the way); the first TPDOs are the state the commands
  start from (command = state);
* deactivate / error / shutdown: controlword 'disable voltage' (no torque), NMT pre-operational.

Each ``write`` sends one RPDO per drive and one SYNC per bus; the next ``read`` decodes the
TPDOs (statusword, torque, position; velocity, error code, temperature). In cst the joint
PD law ``τ = τ_ff + kp (q* − q) + kd (q̇* − q̇)`` closes here, on the latest state; in csp
the drive's own loop tracks the position target and ``τ_ff`` goes as torque offset (the
command's kp/kd are the drive's tuning, not per tick). A drive that leaves OPERATION ENABLED
(fault, quick stop) reports its 0x603F error code (0xFF00 when it gives none) on the
``error_code`` state interface and stays down: re-enabling takes a deactivate/activate.

Health and bus bookkeeping come from :class:`~humanoid_control.hardware.can.can_system.CanSystem`."""
from __future__ import annotations

import math
import time

import canopen
import numpy as np
from canopen.objectdictionary import import_od
from canopen.sdo.exceptions import SdoError

from humanoid_control.hardware.can import cia402
from humanoid_control.hardware.can.can_system import CanSystem, bus_open_kwargs
from humanoid_control.hardware.can.cia402_config import Cia402Config
from humanoid_control.hardware.can.motor_config import Transmission
from humanoid_control.hardware.system_interface import CallbackReturn, ReturnType
from humanoid_control.robot.ros2_control_tag import HardwareInfo

UNSPECIFIED_FAULT = 0xFF00  # error_code reported for a faulted drive whose 0x603F reads 0
#: [s] wait for an SDO answer while configuring (canopen's default is 0.3 s), and retries
SDO_RESPONSE_TIMEOUT_S = 1.0
SDO_MAX_RETRIES = 2
_I16 = (-32768, 32767)
_I32 = (-(2 ** 31), 2 ** 31 - 1)


class Cia402System(CanSystem):
    PLUGIN = "humanoid_control/Cia402System"

    #: [s] how long activation may take to bring every drive to OPERATION ENABLED.
    ACTIVATE_TIMEOUT_S = 1.0

    def __init__(self, config: Cia402Config, sensors=None, pump=None):
        super().__init__(config, sensors, pump)
        self.networks = {}  # bus -> canopen.Network (SDO, NMT)
        self.nodes = []  # per joint: canopen.RemoteNode

    # ------------------------------------------------------------------ lifecycle
    def on_init(self, info: HardwareInfo) -> CallbackReturn:
        super().on_init(info)
        missing = [j for j in self.joint_names if j not in self.config.drives]
        if missing:
            self.last_error = f"{self.config.source}: joints without a drive: {missing}"
            return CallbackReturn.ERROR
        self.drives = [self.config.drives[j] for j in self.joint_names]
        self._init_health()
        self.transmission = Transmission(self.drives)
        self._by_bus = {b: [i for i, d in enumerate(self.drives) if d.bus == b] for b in self.config.buses}
        n = len(self.joint_names)
        self.statusword = np.zeros(n, np.int64)
        self.controlword = np.zeros(n, np.int64)
        self._tpdo_seen = np.zeros((n, 2), bool)
        self._cob = {}  # (bus, TPDO COB-ID) -> (joint index, 0/1)
        for i, d in enumerate(self.drives):
            self._cob[d.bus, cia402.TPDO1_BASE + d.node_id] = (i, 0)
            self._cob[d.bus, cia402.TPDO2_BASE + d.node_id] = (i, 1)
        self._rated = np.array([d.rated_torque for d in self.drives])  # [N·m] motor side
        self._permille_max = np.array([d.max_torque_permille for d in self.drives])
        self._rx_map = [None] * n  # per drive: (RPDO COB-ID, struct, object indices)
        self._tx_map = [None] * n  # per drive: [(struct, object indices)] of TPDO1, TPDO2
        return CallbackReturn.SUCCESS

    def on_configure(self, previous_state) -> CallbackReturn:
        def cyclic_filters(bus):
            return [{"can_id": cob, "can_mask": 0x7FF} for (b, cob) in self._cob if b == bus]

        result = self._open_buses(cyclic_filters)
        if result is not CallbackReturn.SUCCESS:
            return result
        joint = ""
        try:
            for name, b in self.config.buses.items():
                net = canopen.Network()
                net.NOTIFIER_CYCLE = cia402.NOTIFIER_CYCLE_S
                kwargs = bus_open_kwargs(b)
                net.connect(interface=b.interface, channel=cia402.service_channel(b.interface, b.channel),
                            can_filters=[{"can_id": 0x580, "can_mask": 0x780},  # SDO responses
                                         {"can_id": 0x080, "can_mask": 0x780},  # EMCY
                                         {"can_id": 0x700, "can_mask": 0x780}],  # heartbeat / boot-up
                            **kwargs)
                self.networks[name] = net
            self.nodes = []
            for i, d in enumerate(self.drives):
                joint = self.joint_names[i]
                dictionary = import_od(d.eds, d.node_id) if d.eds else cia402.generic_drive_dictionary(d.node_id)
                node = canopen.RemoteNode(d.node_id, dictionary)
                # configuration happens once, before the loop: a drive (or a simulated one on a
                # loaded machine) may take longer than canopen's 0.3 s to answer an SDO
                node.sdo.RESPONSE_TIMEOUT = SDO_RESPONSE_TIMEOUT_S
                node.sdo.MAX_RETRIES = SDO_MAX_RETRIES
                self.networks[d.bus].add_node(node)
                self.nodes.append(node)
                self._configure_drive(i, node)
                self._rx_map[i] = (node.rpdo[1].cob_id, *cia402.map_struct(node.rpdo[1]))
                self._tx_map[i] = [cia402.map_struct(node.tpdo[k]) for k in (1, 2)]
        except (SdoError, canopen.sdo.SdoCommunicationError, OSError, ValueError, KeyError) as exc:
            self.last_error = self.last_error or f"drive of joint '{joint}': configuration failed: " \
                                                 f"{type(exc).__name__}: {exc}"
            self._close()
            return CallbackReturn.FAILURE
        except _DriveMismatch as exc:
            self.last_error = str(exc)
            self._close()
            return CallbackReturn.FAILURE
        return CallbackReturn.SUCCESS

    def _configure_drive(self, i: int, node) -> None:
        d, joint = self.drives[i], self.joint_names[i]
        node.nmt.send_command(0x80)  # enter pre-operational
        rated = self._sdo_read(node, cia402.MOTOR_RATED_TORQUE)
        if rated != d.rated_torque_mnm:
            raise _DriveMismatch(f"drive of joint '{joint}' (node {d.node_id} on bus '{d.bus}'): motor rated torque "
                                 f"0x6076 reads {rated} mN·m, {self.config.source} says rated_torque "
                                 f"{d.rated_torque} N·m; fix the YAML or the drive")
        self._sdo_write(node, cia402.MAX_TORQUE, d.max_torque_permille)
        self._sdo_write(node, cia402.MODES_OF_OPERATION, cia402.MODES[self.config.mode])
        if self.config.mode == "csp" and cia402.POSITION_LOOP_KP in node.object_dictionary:
            g2 = d.gear_ratio ** 2
            self._sdo_write(node, cia402.POSITION_LOOP_KP, d.csp_kp / g2)
            self._sdo_write(node, cia402.POSITION_LOOP_KD, d.csp_kd / g2)
        layout = {("R", 1): cia402.RPDO1[self.config.mode], ("T", 1): cia402.TPDO1, ("T", 2): cia402.TPDO2}
        for kind, pdo, base in (("R", node.rpdo, cia402.RPDO1_BASE), ("T", node.tpdo, cia402.TPDO1_BASE)):
            for k, m in pdo.map.items():
                m.clear()
                m.cob_id = base + 0x100 * (k - 1) + d.node_id
                entries = layout.get((kind, k))
                m.enabled = entries is not None
                m.trans_type = 1  # synchronous, every SYNC
                for index, bits in entries or ():
                    m.add_variable(index, 0, bits)
                m.save()

    def _pump(self) -> None:
        if self.pump is not None:
            self.pump()

    @staticmethod
    def _sdo_read(node, index: int):
        return node.sdo[index].raw

    @staticmethod
    def _sdo_write(node, index: int, value) -> None:
        node.sdo[index].raw = value

    def on_activate(self, previous_state) -> CallbackReturn:
        for node in self.nodes:
            node.nmt.send_command(0x01)  # start: OPERATIONAL, PDOs run
        self._pump()
        self.statusword[:] = 0
        self.controlword[:] = 0
        deadline = time.monotonic() + self.ACTIVATE_TIMEOUT_S
        enabled = np.zeros(len(self.drives), bool)
        while True:
            for i in range(len(self.drives)):
                self.controlword[i] = cia402.controlword_towards_enabled(int(self.statusword[i]),
                                                                         int(self.controlword[i]))
            if not self._cycle(hold=True):
                return CallbackReturn.ERROR
            self._pump()
            self._collect(0.005)
            enabled = np.array([cia402.drive_state(int(s)) == "OPERATION ENABLED" for s in self.statusword])
            if (enabled & self.replied).all() or time.monotonic() > deadline:
                break
        if not (enabled & self.replied).all():
            stuck = [f"{self.joint_names[i]}: {cia402.drive_state(int(self.statusword[i])) if self.replied[i] else 'no TPDO'}"
                     f"{self._fault_text(i)}" for i in np.flatnonzero(~(enabled & self.replied))]
            self.last_error = f"drives not OPERATION ENABLED after {self.ACTIVATE_TIMEOUT_S} s: {stuck}"
            self._all_torque_off()
            return CallbackReturn.FAILURE
        self.requests[:] = 0
        return super().on_activate(previous_state)

    def _fault_text(self, i: int) -> str:
        code = int(self.joint_state["error_code"][i])
        return f" (error 0x{code:04X})" if code else ""

    # ------------------------------------------------------------------ cyclic
    def write(self, time_s: float, period: float) -> ReturnType:
        self.controlword[:] = cia402.CW_ENABLE_OPERATION  # stays enabled; a faulted drive is never reset here
        return ReturnType.OK if self._cycle(hold=False) else ReturnType.ERROR

    def read(self, time_s: float, period: float) -> ReturnType:
        self._collect(self.config.reply_timeout_s)
        self._account_replies()
        return ReturnType.OK

    def _targets(self, hold: bool) -> tuple:
        """Per drive, motor side: (torque [‰], position [count]) to send."""
        s, c = self.joint_state, self.joint_command
        if hold:  # activation: zero torque, position target where the drive is
            tau = np.zeros(len(self.drives))
            q_target = np.where(np.isfinite(s["position"]), s["position"], 0.0)
        elif self.config.mode == "cst":
            tau = c["effort"] + c["kp"] * (c["position"] - s["position"]) + c["kd"] * (c["velocity"] - s["velocity"])
            q_target = s["position"]
        else:
            tau, q_target = c["effort"].copy(), c["position"]
        bad = ~np.isfinite(tau) | ~np.isfinite(q_target)
        if bad.any():  # never send what cannot be encoded: zero torque, hold position
            self.saturations += bad
            tau = np.where(bad, 0.0, tau)
            q_target = np.where(bad, np.where(np.isfinite(s["position"]), s["position"], 0.0), q_target)
        p_m, _, t_m = self.transmission.to_motor(q_target, 0.0, tau)
        permille = np.rint(1000.0 * t_m / self._rated)
        over = np.abs(permille) > self._permille_max
        self.saturations += over & ~hold
        permille = np.clip(permille, -self._permille_max, self._permille_max)
        counts = np.array([cia402.rad_to_counts(p, d.counts_per_rev) for p, d in zip(p_m, self.drives)])
        return permille.astype(np.int64), np.clip(np.rint(counts), *_I32).astype(np.int64)

    def _cycle(self, hold: bool, best_effort: bool = False) -> bool:
        """One RPDO per drive with its controlword and targets, then one SYNC per bus. A
        failed send ends the cycle (False), or with ``best_effort`` only that bus's share."""
        permille, counts = self._targets(hold)
        self.replied[:] = False
        self._tpdo_seen[:] = False
        permille = np.clip(permille, *_I16).tolist()
        counts, cw = counts.tolist(), self.controlword.tolist()
        for bus, idx in self._by_bus.items():
            for i in idx:
                cob, st, indices = self._rx_map[i]
                values = {cia402.CONTROLWORD: cw[i], cia402.TARGET_TORQUE: permille[i],
                          cia402.TORQUE_OFFSET: permille[i], cia402.TARGET_POSITION: counts[i]}
                if not self._send(bus, cob, st.pack(*(values.get(x, 0) for x in indices)), keep_error=best_effort):
                    if not best_effort:
                        return False
                    break
                self.requests[i] += 1
            else:
                if not self._send(bus, cia402.SYNC_COB_ID, b"", keep_error=best_effort) and not best_effort:
                    return False
        return True

    def _decode(self, bus: str, msg) -> None:
        data = bytes(msg.data)
        key = self._cob.get((bus, msg.arbitration_id))
        if key is None:  # not a TPDO of ours (SDO, NMT, EMCY seen on an unfiltered handle)
            return
        i, k = key
        st, indices = self._tx_map[i][k]
        if len(data) < st.size:
            self.corrupt_frames[bus] += 1
            return
        d, s = self.drives[i], self.joint_state
        values = dict(zip(indices, st.unpack_from(data)))
        if k == 0:
            self.statusword[i] = values[cia402.STATUSWORD]
            p_m = cia402.counts_to_rad(values[cia402.POSITION_ACTUAL], d.counts_per_rev)
            t_m = values[cia402.TORQUE_ACTUAL] * d.rated_torque / 1000.0
            s["position"][i], _, s["effort"][i] = self.transmission.to_joint(p_m, 0.0, t_m, i)
        else:
            v_m = cia402.counts_to_rad(values[cia402.VELOCITY_ACTUAL], d.counts_per_rev)
            s["velocity"][i] = self.transmission.to_joint(0.0, v_m, 0.0, i)[1]
            temp = values.get(cia402.DRIVE_TEMPERATURE)  # [0.1 °C], when the drive maps one
            s["temperature"][i] = temp / 10.0 if temp is not None else math.nan
            code = values[cia402.ERROR_CODE]
            faulted = cia402.drive_state(int(self.statusword[i])) in ("FAULT", "FAULT REACTION ACTIVE")
            s["error_code"][i] = code if code else (UNSPECIFIED_FAULT if faulted else 0)
        self._tpdo_seen[i, k] = True
        self.replied[i] = self._tpdo_seen[i].all()

    def _all_torque_off(self) -> None:
        """Disable voltage on every drive (no torque), then NMT pre-operational; best effort,
        ``last_error`` keeps the original cause."""
        if not self.buses or not self.nodes:
            return
        err = self.last_error
        self.controlword[:] = cia402.controlword_disable()
        self._cycle(hold=True, best_effort=True)
        self._pump()
        for node in self.nodes:
            try:
                node.nmt.send_command(0x80)
            except Exception:  # noqa: BLE001 - the bus may be gone; nothing more to do for it
                pass
        self._pump()
        self.last_error = err

    def _close(self) -> None:
        cia402.close_networks(self.networks.values())
        self.networks = {}
        super()._close()


class _DriveMismatch(Exception):
    """A drive's configuration disagrees with the hardware YAML (becomes ``last_error``)."""
