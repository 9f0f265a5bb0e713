"""The CiA 402 backend against simulated drives (canopen LocalNodes) on virtual buses,
physics in MuJoCo: SDO configuration and PDO mapping, the state machine at activation,
units and transmission, both cyclic modes, and faults."""
import can
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humanoid_control.errors import LifecycleError
from humanoid_control.hardware.can import cia402
from humanoid_control.hardware.can.cia402_config import load_cia402_config
from humanoid_control.hardware.can.mujoco_can_plant import MujocoCia402Plant
from humanoid_control.hardware.cia402_system import Cia402System
from humanoid_control.hardware.system_interface import CallbackReturn, LifecycleState, ReturnType
from can_rig import DT, CanRig
from humanoid_control.paths import share_dir

SHIPPED = share_dir() / "config" / "hardware" / "humanoid_cia402.yaml"


def Rig(robot, path=SHIPPED):
    return CanRig(robot, load_cia402_config, path, MujocoCia402Plant, Cia402System)


@pytest.fixture
def rig(humanoid):
    r = Rig(humanoid)
    yield r
    r.close()


def test_configure_maps_the_pdos_over_sdo_and_activation_enables_every_drive_with_command_equal_state(rig):
    rig.hw.init(rig.info)
    assert np.all(np.isnan(rig.hw.joint_state["position"]))
    assert rig.hw.configure() is CallbackReturn.SUCCESS
    drive = rig.plant.motor("left_knee").node  # what the host wrote into the drive's dictionary
    assert drive.sdo[0x6060].raw == 10 and drive.sdo[0x6072].raw == 3000
    assert drive.sdo[0x1A00][1].raw == (0x6041 << 16) | 16 and drive.sdo[0x1A00][0].raw == 3
    assert drive.sdo[0x1401][1].raw & 0x80000000  # RPDO2 disabled
    assert rig.hw.activate() is CallbackReturn.SUCCESS, rig.hw.last_error
    assert all(d.state == "OPERATION ENABLED" and d.node.nmt.state == "OPERATIONAL" for d in rig.plant.motors)
    lsb = max(2 * np.pi / d.counts_per_rev / d.gear_ratio for d in rig.cfg.drives.values())
    assert np.allclose(rig.hw.joint_state["position"], rig.sim.joint_state["position"], atol=lsb)
    assert np.array_equal(rig.hw.joint_command["position"], rig.hw.joint_state["position"])


def test_a_joint_torque_reaches_the_drive_through_direction_gear_ratio_and_rated_torque(rig):
    rig.start()
    j = "right_elbow"  # direction −1, ratio 51, rated 0.32 N·m
    i = rig.hw.joint_names.index(j)
    c = rig.hw.joint_command
    c["kp"][:], c["kd"][:], c["effort"][:] = 0.0, 0.0, 0.0
    c["effort"][i] = 8.16  # [N·m] joint → −0.16 N·m at the motor = −500 ‰
    rig.hw.write_checked(0.0, DT)
    rig.plant.advance(0.0, DT)
    assert rig.plant.motor(j).target_torque == -500


def test_the_robot_held_in_cst_keeps_its_posture_and_every_tpdo_arrives(rig):
    rig.start()
    assert all(r is ReturnType.OK for r in rig.hold(300))
    assert np.abs(rig.hw.joint_state["position"] - rig.q0).max() < 0.05
    assert rig.hw.missed_total.sum() == 0 and sum(rig.hw.corrupt_frames.values()) == 0
    assert np.allclose(rig.hw.joint_state["velocity"], rig.sim.joint_state["velocity"], atol=1e-3)
    assert np.all(np.isfinite(rig.hw.sensor_state["imu"])) and np.all(rig.hw.joint_state["temperature"] >= 29)


def test_the_robot_held_in_csp_keeps_its_posture_with_the_drives_own_position_loop(humanoid, tmp_path):
    path = tmp_path / "csp.yaml"
    path.write_text(SHIPPED.read_text().replace("mode: cst", "mode: csp"))
    r = Rig(humanoid, path)
    try:
        r.start()
        assert r.plant.motor("left_knee").mode == 8 and r.plant.motor("left_knee").kp > 0
        assert all(x is ReturnType.OK for x in r.hold(300))
        assert np.abs(r.hw.joint_state["position"] - r.q0).max() < 0.05
    finally:
        r.close()


def test_a_drive_whose_rated_torque_disagrees_with_the_yaml_fails_configure_naming_the_joint(rig):
    rig.plant.motor("left_knee").node.sdo[0x6076].raw = 700
    rig.hw.init(rig.info)
    assert rig.hw.configure() is CallbackReturn.FAILURE
    assert "left_knee" in rig.hw.last_error and "0x6076 reads 700 mN·m" in rig.hw.last_error


def test_activation_resets_a_cleared_fault_and_fails_naming_a_drive_whose_fault_persists(rig):
    d = rig.plant.motor("left_ankle_roll")
    d.state = "FAULT"  # cause already gone: the reset edge clears it
    rig.start()
    assert d.state == "OPERATION ENABLED"
    rig.hw.deactivate()
    d.error_code = 0x4310
    d.check_fault()
    assert rig.hw.activate() is CallbackReturn.FAILURE
    assert "left_ankle_roll: FAULT (error 0x4310)" in rig.hw.last_error


def test_a_drive_fault_in_operation_is_reported_with_its_error_code_and_that_drive_stops_pushing(rig):
    rig.start()
    rig.plant.motor("left_knee").error_code = 0x2310
    rig.hold(2)
    i = rig.hw.joint_names.index("left_knee")
    assert rig.hw.joint_state["error_code"][i] == 0x2310
    assert cia402.drive_state(int(rig.hw.statusword[i])) == "FAULT"
    assert rig.plant.motor("left_knee").applied_terms() == (0.0,) * 5
    assert rig.hw.joint_state["error_code"].sum() == 0x2310  # the others are fine


def test_write_before_activate_is_refused_and_sends_nothing(rig):
    rig.hw.init(rig.info)
    rig.hw.configure()
    assert rig.hw.write_checked(0.0, DT) is ReturnType.ERROR
    rig.plant.advance(0.0, DT)
    assert rig.hw.rejected_writes == 1 and all(d.commands_received == 0 for d in rig.plant.motors)
    with pytest.raises(LifecycleError, match="only in ACTIVE"):
        rig.hw.set_joint_commands({"effort": np.zeros(len(rig.hw.joint_names))})


def test_a_silent_drive_is_lost_after_max_missed_replies_and_frame_loss_is_measured(rig):
    rig.start()
    rig.plant.motor("left_knee").silent = True
    rig.hold(rig.cfg.max_missed_replies)
    assert rig.hw.lost_joints() == ["left_knee"]
    for b in rig.plant.buses.values():
        b.reply_loss_rate = 0.1
    rig.hold(500)
    loss = np.delete(rig.hw.reply_loss_rate(), rig.hw.joint_names.index("left_knee"))
    assert 0.07 < loss.mean() < 0.25  # a drive misses the tick when either of its two TPDOs is lost


def test_a_bus_that_goes_down_makes_write_fail_and_every_other_drive_is_disabled(rig):
    rig.start()
    rig.hw.buses["left_thigh"].shutdown()
    (result,) = rig.hold(1)
    assert result is ReturnType.ERROR and rig.hw.state is LifecycleState.UNCONFIGURED
    assert "CAN bus 'left_thigh'" in rig.hw.last_error
    rig.plant.pump()
    assert rig.plant.motor("torso_yaw").state == "SWITCH ON DISABLED"


@settings(max_examples=200, deadline=None)
@given(q=st.floats(-2.5, 2.5), tau=st.floats(-150.0, 150.0))
def test_joint_position_and_torque_survive_the_trip_through_counts_and_permille_within_one_lsb(humanoid, q, tau):
    """Host → bus units → drive and back, for the knee (ratio 101, 17-bit encoder, 0.64 N·m rated)."""
    from humanoid_control.hardware.can.motor_config import Transmission
    d = load_cia402_config(SHIPPED, humanoid.joint_names).drives["left_knee"]
    tr = Transmission([d])
    p_m, _, t_m = tr.to_motor(q, 0.0, tau, 0)
    counts = round(cia402.rad_to_counts(p_m, d.counts_per_rev))
    permille = round(1000.0 * t_m / d.rated_torque)
    q_back, _, tau_back = tr.to_joint(cia402.counts_to_rad(counts, d.counts_per_rev), 0.0,
                                      permille * d.rated_torque / 1000.0, 0)
    assert abs(q_back - q) <= np.pi / d.counts_per_rev / d.gear_ratio + 1e-12  # half a count, joint side
    assert abs(tau_back - tau) <= 0.5 * d.rated_torque / 1000.0 * d.gear_ratio + 1e-9  # half a ‰, joint side


def test_a_hundred_thousand_random_and_corrupt_frames_are_decoded_without_an_exception(rig):
    rig.start()
    rng = np.random.default_rng(7)
    cobs = [cob for (_, cob) in rig.hw._cob] + [0x080, 0x581, 0x701, 0x7FF]
    buses = list(rig.cfg.buses)
    for _ in range(100_000):
        data = bytes(rng.integers(0, 256, int(rng.integers(0, 9)), dtype=np.uint8))
        msg = can.Message(arbitration_id=int(rng.choice(cobs)), data=data, is_extended_id=False)
        rig.hw._decode(buses[int(rng.integers(0, len(buses)))], msg)
    assert sum(rig.hw.corrupt_frames.values()) > 1000  # short TPDOs are counted, never taken
    assert np.all(np.isfinite(rig.hw.joint_state["position"]))
