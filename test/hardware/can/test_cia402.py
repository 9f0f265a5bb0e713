"""CiA 402 facts and config, without a bus: the state machine walk, the fast PDO packing
against canopen's own encoding, and the hardware YAML's checks."""
from pathlib import Path

import canopen
import pytest

from humanoid_control.errors import ConfigError, UnknownNameError
from humanoid_control.hardware.can import cia402
from humanoid_control.hardware.can.cia402_config import DriveConfig, load_cia402_config
from humanoid_control.hardware.can.sim_cia402_drive import SimulatedCia402Drive
from humanoid_control.paths import share_dir

SHIPPED = share_dir() / "config" / "hardware" / "humanoid_cia402.yaml"


def _walk(drive, steps=8):
    """The host's per-cycle controlword against the drive's state machine; the states seen."""
    seen, cw = [], 0
    for _ in range(steps):
        cw = cia402.controlword_towards_enabled(drive.statusword, cw)
        drive.apply_controlword(cw)
        seen.append(drive.state)
        if drive.state == "OPERATION ENABLED":
            break
    return seen


def test_the_host_walks_a_drive_from_switch_on_disabled_to_operation_enabled_in_three_cycles():
    d = SimulatedCia402Drive(DriveConfig("j", "a", 1))
    assert _walk(d) == ["READY TO SWITCH ON", "SWITCHED ON", "OPERATION ENABLED"]
    assert cia402.drive_state(d.statusword) == "OPERATION ENABLED"


def test_a_fault_is_reset_on_a_rising_edge_only_once_its_cause_is_gone():
    d = SimulatedCia402Drive(DriveConfig("j", "a", 1))
    d.error_code = 0x2310
    d.check_fault()
    assert _walk(d) == ["FAULT"] * 8  # the cause persists: the reset edges do nothing
    d.error_code = 0
    seen = _walk(d)
    assert seen[-1] == "OPERATION ENABLED" and "SWITCH ON DISABLED" in seen


def test_quick_stop_and_disable_voltage_take_the_torque_away():
    d = SimulatedCia402Drive(DriveConfig("j", "a", 1, rated_torque=2.0))
    d.mode, d.max_torque_permille = cia402.MODES["cst"], 3000
    _walk(d)
    d.target_torque = 500
    assert d.applied_terms()[4] == pytest.approx(1.0)  # 500 ‰ of 2 N·m
    d.apply_controlword(0x0002)  # quick stop
    assert d.state == "QUICK STOP ACTIVE" and d.applied_terms() == (0.0,) * 5
    d.apply_controlword(cia402.controlword_disable())
    assert d.state == "SWITCH ON DISABLED"


def test_the_drive_clamps_torque_to_its_max_torque_object():
    d = SimulatedCia402Drive(DriveConfig("j", "a", 1, rated_torque=1.0))
    d.mode, d.max_torque_permille = cia402.MODES["cst"], 1500
    _walk(d)
    d.target_torque = 4000
    assert d.applied_terms()[4] == pytest.approx(1.5)


@pytest.mark.parametrize("mode", ["cst", "csp"])
def test_packing_with_map_struct_gives_the_bytes_canopen_encodes(mode):
    node = canopen.LocalNode(5, cia402.generic_drive_dictionary(5))
    m = node.rpdo[1]
    m.clear()
    for index, bits in cia402.RPDO1[mode]:
        m.add_variable(index, 0, bits)
    values = {cia402.CONTROLWORD: 0x000F, cia402.TARGET_TORQUE: -1234, cia402.TARGET_POSITION: -7_654_321,
              cia402.TORQUE_OFFSET: 321}
    for var in m:
        var.raw = values[var.index]
    st, indices = cia402.map_struct(m)
    assert st.pack(*(values[i] for i in indices)) == bytes(m.data)
    assert dict(zip(indices, st.unpack(bytes(m.data)))) == {i: values[i] for i in indices}


def test_the_shipped_humanoid_drives_can_deliver_every_joint_torque_of_the_urdf(humanoid):
    cfg = load_cia402_config(SHIPPED, humanoid.joint_names)
    for i, joint in enumerate(humanoid.joint_names):
        d = cfg.drives[joint]
        assert d.max_torque * d.gear_ratio >= humanoid.tau_max[i], joint
    cfg.check_bus_load(1000.0)  # 2 drives per bus fit a 1 kHz cycle


def _write(tmp_path, text) -> Path:
    p = tmp_path / "hw.yaml"
    p.write_text(text)
    return p


BASE = """mode: cst
buses:
  a: {interface: socketcan, channel: can0}
drive_defaults: {rated_torque: 0.64}
drives:
  j1: {bus: a, node_id: 1}
  j2: {bus: a, node_id: 2, gear_ratio: 50, direction: -1}
"""


def test_drive_defaults_apply_and_rows_override_them(tmp_path):
    cfg = load_cia402_config(_write(tmp_path, BASE), ["j1", "j2"])
    assert cfg.drives["j1"].rated_torque == 0.64 and cfg.drives["j2"].gear_ratio == 50.0
    assert cfg.drives["j2"].direction == -1 and cfg.drives["j2"].rated_torque_mnm == 640


@pytest.mark.parametrize("change,message", [
    (("node_id: 2,", "node_id: 1,"), "node ID 1 on bus 'a' is also the drive of joint 'j1'"),
    (("mode: cst", "mode: cyclic"), "valid CiA 402 modes: cst, csp"),
    (("node_id: 1}", "node_id: 128}"), "'node_id' must be an integer in [1, 127]"),
    (("node_id: 1}", "node_id: 1, rated_torq: 1}"), "unknown drive key 'rated_torq'"),
    (("{rated_torque: 0.64}", "{rated_torque: -1}"), "'rated_torque' must be a number"),
    (("node_id: 1}", "node_id: 1, eds: /nonexistent.eds}"), "EDS file '/nonexistent.eds' does not exist"),
])
def test_a_mistake_in_the_hardware_yaml_is_named_with_the_joint(tmp_path, change, message):
    with pytest.raises(ConfigError) as err:
        load_cia402_config(_write(tmp_path, BASE.replace(*change)), ["j1", "j2"])
    assert message in str(err.value) and str(tmp_path) in str(err.value)


def test_a_joint_without_a_drive_and_a_drive_without_a_joint_are_named(tmp_path):
    with pytest.raises(ConfigError, match=r"joints without a drive: \['j3'\]"):
        load_cia402_config(_write(tmp_path, BASE), ["j1", "j2", "j3"])
    with pytest.raises(UnknownNameError, match="unknown joint 'j2'"):
        load_cia402_config(_write(tmp_path, BASE), ["j1"])


def test_three_drives_on_one_bus_at_1khz_are_refused_naming_the_bus(tmp_path):
    text = BASE + "  j3: {bus: a, node_id: 3}\n"
    cfg = load_cia402_config(_write(tmp_path, text), ["j1", "j2", "j3"])
    with pytest.raises(ConfigError, match=r"bus 'a': 3 CiA 402 drives at 1000 Hz need 115 %"):
        cfg.check_bus_load(1000.0)
    cfg.check_bus_load(500.0)
