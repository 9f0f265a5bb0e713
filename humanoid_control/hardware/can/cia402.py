"""CiA 402 (CANopen drives and motion control) facts used by the CiA 402 backend and the
simulated drive: object indices, the drive state machine as statusword/controlword bits,
the cyclic PDO layout of each mode, and a generic drive's object dictionary.

The state machine's tables (statusword masks, controlword of each transition) are the
``canopen`` package's :class:`canopen.profiles.p402.State402`; this module only adds the
step the host takes each cycle to walk a drive towards OPERATION ENABLED.

Units on the bus (motor side, before the transmission):

    position  [count]          INTEGER32, ``counts_per_rev`` per motor turn
    velocity  [count/s]        INTEGER32
    torque    [‰ rated torque] INTEGER16, rated torque 0x6076 in mN·m
"""
from __future__ import annotations

import math
import struct

from canopen import objectdictionary as od
from canopen.profiles.p402 import State402

# ---------------------------------------------------------------- objects (index, data type)
CONTROLWORD = 0x6040
STATUSWORD = 0x6041
MODES_OF_OPERATION = 0x6060
MODES_OF_OPERATION_DISPLAY = 0x6061
POSITION_ACTUAL = 0x6064
VELOCITY_ACTUAL = 0x606C
TARGET_TORQUE = 0x6071
MAX_TORQUE = 0x6072
TORQUE_ACTUAL = 0x6077
MOTOR_RATED_TORQUE = 0x6076
TARGET_POSITION = 0x607A
TORQUE_OFFSET = 0x60B2
ERROR_CODE = 0x603F
ERROR_REGISTER = 0x1001
HEARTBEAT_TIME = 0x1017
#: Manufacturer-specific objects of the generic drive (a real drive's EDS names its own):
DRIVE_TEMPERATURE = 0x2022  # INTEGER16 [0.1 °C]
POSITION_LOOP_KP = 0x2010  # REAL32 [N·m/rad] motor side, the drive's own CSP position loop
POSITION_LOOP_KD = 0x2011  # REAL32 [N·m·s/rad]

MODES = {"cst": 10, "csp": 8}  # cyclic synchronous torque / position (CiA 402 mode numbers)
SYNC_COB_ID = 0x080
RPDO1_BASE, TPDO1_BASE, TPDO2_BASE = 0x200, 0x180, 0x280  # + node ID

#: The cyclic PDOs of each mode: (object, bits) in frame order. One RPDO per drive keeps
#: 2 drives per 1 Mbit/s bus at 1 kHz (see Cia402Config.bus_load).
RPDO1 = {
    "cst": ((CONTROLWORD, 16), (TARGET_TORQUE, 16)),
    "csp": ((CONTROLWORD, 16), (TARGET_POSITION, 32), (TORQUE_OFFSET, 16)),
}
TPDO1 = ((STATUSWORD, 16), (TORQUE_ACTUAL, 16), (POSITION_ACTUAL, 32))
TPDO2 = ((VELOCITY_ACTUAL, 32), (ERROR_CODE, 16), (DRIVE_TEMPERATURE, 16))

# ---------------------------------------------------------------- state machine
FAULT_RESET_BIT = 0x0080
CW_ENABLE_OPERATION = State402.CW_OPERATION_ENABLED
STATUS_FAULT_BIT = 0x0008


def drive_state(statusword: int) -> str:
    """The CiA 402 state a statusword shows ('OPERATION ENABLED', 'FAULT', …, 'UNKNOWN')."""
    for state, (mask, bits) in State402.SW_MASK.items():
        if statusword & mask == bits:
            return state
    return "UNKNOWN"


def controlword_towards_enabled(statusword: int, previous_controlword: int) -> int:
    """The controlword that takes a drive one transition closer to OPERATION ENABLED.

    From FAULT the fault-reset bit must see a rising edge, so the host alternates between
    a controlword without it and one with it (a drive resets on 0 → 1)."""
    state = drive_state(statusword)
    if state == "OPERATION ENABLED":
        return State402.CW_OPERATION_ENABLED
    if state in ("FAULT", "FAULT REACTION ACTIVE"):
        return 0 if previous_controlword & FAULT_RESET_BIT else State402.CW_SWITCH_ON_DISABLED
    nxt = State402.next_state_indirect(state) if state != "QUICK STOP ACTIVE" else "SWITCH ON DISABLED"
    return State402.TRANSITIONTABLE.get((state, nxt), State402.CW_DISABLE_VOLTAGE)


def controlword_disable() -> int:
    """Disable voltage: the drive goes to SWITCH ON DISABLED, no torque."""
    return State402.CW_DISABLE_VOLTAGE


def service_channel(interface: str, channel: str) -> str:
    """The channel SDO/NMT/EMCY use: the bus itself, except on python-can virtual buses,
    where they get a side channel so that the cyclic frames do not wake canopen's receive
    threads 2 000 times a tick's worth (a simulation artefact; real buses filter in hardware)."""
    return f"{channel}#services" if interface == "virtual" else channel


NOTIFIER_CYCLE_S = 0.05  # [s] canopen's receive threads wake this often when idle: how long closing waits


def close_networks(networks) -> None:
    """Disconnect canopen networks, stopping all their receive threads at once (each
    ``disconnect`` alone waits for its own thread's receive timeout)."""
    networks = list(networks)
    for net in networks:
        if net.notifier is not None:
            net.notifier.stop(timeout=0.0)
    for net in networks:
        if net.notifier is not None:
            for thread in getattr(net.notifier, "_readers", []):
                if hasattr(thread, "join"):
                    thread.join(2 * NOTIFIER_CYCLE_S)
            net.notifier = None
        try:
            net.disconnect()
        except Exception:  # noqa: BLE001 - closing a broken interface must not hide the cause
            pass



def map_struct(pdo_map) -> tuple:
    """(struct.Struct, [object index, …]) of a canopen PDO map whose entries are whole
    objects: packing and unpacking the cyclic frames without canopen's per-variable path."""
    fmt, indices = "<", []
    for var in pdo_map:
        if var.length != len(var.od):
            raise ValueError(f"{pdo_map.name}: object 0x{var.index:04X} is mapped with {var.length} of its "
                             f"{len(var.od)} bits; only whole objects are supported")
        fmt += var.od.STRUCT_TYPES[var.od.data_type].format.lstrip("<")
        indices.append(var.index)
    return struct.Struct(fmt), indices


# ---------------------------------------------------------------- units
def counts_to_rad(counts, counts_per_rev: int):
    return counts * (2.0 * math.pi / counts_per_rev)


def rad_to_counts(rad, counts_per_rev: int):
    return rad * (counts_per_rev / (2.0 * math.pi))


# ---------------------------------------------------------------- object dictionary
def _var(name, index, subindex, data_type, access="rw", default=0):
    v = od.ODVariable(name, index, subindex)
    v.data_type, v.access_type, v.default = data_type, access, default
    return v


def _pdo_records(d: od.ObjectDictionary, com_base: int, map_base: int, cob_base: int, kind: str) -> None:
    for n in range(4):
        com = od.ODRecord(f"{kind}PDO{n + 1} communication", com_base + n)
        com.add_member(_var("Highest sub-index", com_base + n, 0, od.UNSIGNED8, "const", 6))
        cob = (cob_base + 0x100 * n) | 0x80000000  # disabled until the host configures it
        com.add_member(_var("COB-ID", com_base + n, 1, od.UNSIGNED32, "rw", cob))
        com.add_member(_var("Transmission type", com_base + n, 2, od.UNSIGNED8, "rw", 255))
        com.add_member(_var("Inhibit time", com_base + n, 3, od.UNSIGNED16, "rw", 0))
        com.add_member(_var("Event timer", com_base + n, 5, od.UNSIGNED16, "rw", 0))
        com.add_member(_var("SYNC start value", com_base + n, 6, od.UNSIGNED8, "rw", 0))
        d.add_object(com)
        mp = od.ODRecord(f"{kind}PDO{n + 1} mapping", map_base + n)
        mp.add_member(_var("Number of mapped objects", map_base + n, 0, od.UNSIGNED8, "rw", 0))
        for s in range(1, 9):
            mp.add_member(_var(f"Mapped object {s}", map_base + n, s, od.UNSIGNED32, "rw", 0))
        d.add_object(mp)


def generic_drive_dictionary(node_id: int, rated_torque_mnm: int = 1000) -> od.ObjectDictionary:
    """The object dictionary of a generic CiA 402 servo drive (our simulated drive's; the
    host uses it too unless a hardware config names the drive's own EDS file)."""
    d = od.ObjectDictionary()
    d.node_id = node_id
    for name, index, dt, access, default in (
        ("Device type", 0x1000, od.UNSIGNED32, "ro", 0x00020192),  # profile 402, servo drive
        ("Error register", ERROR_REGISTER, od.UNSIGNED8, "ro", 0),
        ("COB-ID SYNC", 0x1005, od.UNSIGNED32, "rw", SYNC_COB_ID),
        ("Producer heartbeat time", HEARTBEAT_TIME, od.UNSIGNED16, "rw", 0),
        ("Error code", ERROR_CODE, od.UNSIGNED16, "ro", 0),
        ("Controlword", CONTROLWORD, od.UNSIGNED16, "rw", 0),
        ("Statusword", STATUSWORD, od.UNSIGNED16, "ro", 0),
        ("Modes of operation", MODES_OF_OPERATION, od.INTEGER8, "rw", 0),
        ("Modes of operation display", MODES_OF_OPERATION_DISPLAY, od.INTEGER8, "ro", 0),
        ("Position actual value", POSITION_ACTUAL, od.INTEGER32, "ro", 0),
        ("Velocity actual value", VELOCITY_ACTUAL, od.INTEGER32, "ro", 0),
        ("Target torque", TARGET_TORQUE, od.INTEGER16, "rw", 0),
        ("Max torque", MAX_TORQUE, od.UNSIGNED16, "rw", 1000),
        ("Motor rated torque", MOTOR_RATED_TORQUE, od.UNSIGNED32, "rw", rated_torque_mnm),
        ("Torque actual value", TORQUE_ACTUAL, od.INTEGER16, "ro", 0),
        ("Target position", TARGET_POSITION, od.INTEGER32, "rw", 0),
        ("Torque offset", TORQUE_OFFSET, od.INTEGER16, "rw", 0),
        ("Drive temperature", DRIVE_TEMPERATURE, od.INTEGER16, "ro", 300),
        ("Position loop kp", POSITION_LOOP_KP, od.REAL32, "rw", 0.0),
        ("Position loop kd", POSITION_LOOP_KD, od.REAL32, "rw", 0.0),
    ):
        d.add_object(_var(name, index, 0, dt, access, default))
    _pdo_records(d, 0x1400, 0x1600, RPDO1_BASE + node_id, "R")
    _pdo_records(d, 0x1800, 0x1A00, TPDO1_BASE + node_id, "T")
    return d
