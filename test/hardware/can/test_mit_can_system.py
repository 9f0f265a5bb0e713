"""The MIT-CAN backend against simulated motors on virtual buses (physics in MuJoCo):
conversions, the lifecycle contract, and each bus fault's effect on the backend."""
import numpy as np
import pytest

from humanoid_control.errors import LifecycleError
from humanoid_control.hardware.can.motor_config import load_mit_can_config
from humanoid_control.hardware.can.mujoco_can_plant import MujocoMitCanPlant
from humanoid_control.hardware.mit_can_system import MitCanSystem
from humanoid_control.hardware.system_interface import CallbackReturn, LifecycleState, ReturnType
from can_rig import DT, CanRig
from humanoid_control.paths import share_dir

SHIPPED = share_dir() / "config" / "hardware" / "humanoid_mit_can.yaml"


@pytest.fixture
def rig(humanoid):
    r = CanRig(humanoid, load_mit_can_config, SHIPPED, MujocoMitCanPlant, MitCanSystem)
    yield r
    r.close()


def test_state_starts_as_nan_and_activation_reads_every_motor_so_command_equals_state(rig):
    rig.hw.init(rig.info)
    assert np.all(np.isnan(rig.hw.joint_state["position"]))
    rig.hw.configure()
    rig.hw.activate()
    q_true = rig.sim.joint_state["position"]
    lsb = max(2 * m.ranges.p_max / 65535 / m.gear_ratio for m in rig.cfg.motors.values())
    assert np.allclose(rig.hw.joint_state["position"], q_true, atol=lsb)
    assert np.array_equal(rig.hw.joint_command["position"], rig.hw.joint_state["position"])
    assert np.all(rig.hw.joint_command["kp"] == 0.0) and all(m.enabled for m in rig.plant.motors)


def test_joint_commands_reach_each_motor_through_direction_gear_ratio_and_offset(rig):
    rig.start()
    j = "right_elbow"  # direction −1, ratio 2, zero offset −0.4 rad
    i = rig.hw.joint_names.index(j)
    c = rig.hw.joint_command
    c["position"][i], c["velocity"][i], c["effort"][i], c["kp"][i], c["kd"][i] = -0.9, 0.5, 4.0, 40.0, 2.0
    rig.hw.write_checked(0.0, DT)
    rig.plant.advance(0.0, DT)
    got = rig.plant.motor(j).command
    m = rig.cfg.motors[j]
    lsb = m.ranges.lsb()
    assert got.position == pytest.approx(-1 * 2.0 * (-0.9 - -0.4), abs=lsb["p"])  # +1.0 rad at the motor
    assert got.velocity == pytest.approx(-1.0, abs=lsb["v"])
    assert got.torque == pytest.approx(-2.0, abs=lsb["t"])
    assert got.kp == pytest.approx(10.0, abs=lsb["kp"]) and got.kd == pytest.approx(0.5, abs=lsb["kd"])


def test_the_robot_held_through_the_can_path_keeps_its_posture_and_every_reply_arrives(rig):
    rig.start()
    assert all(r is ReturnType.OK for r in rig.hold(300))
    assert np.abs(rig.hw.joint_state["position"] - rig.q0).max() < 0.05
    assert rig.hw.missed_total.sum() == 0 and sum(rig.hw.corrupt_frames.values()) == 0
    assert np.allclose(rig.hw.joint_state["position"], rig.sim.joint_state["position"], atol=1e-3)
    assert np.all(np.isfinite(rig.hw.sensor_state["imu"]))  # the IMU comes from the plant


def test_write_before_activate_sends_nothing_and_is_counted(rig):
    rig.hw.init(rig.info)
    rig.hw.configure()
    assert rig.hw.write_checked(0.0, DT) is ReturnType.ERROR
    rig.plant.advance(0.0, DT)
    assert rig.hw.rejected_writes == 1
    assert all(m.commands_received == 0 and not m.enabled for m in rig.plant.motors)
    with pytest.raises(LifecycleError, match="only in ACTIVE"):
        rig.hw.set_joint_commands({"effort": np.zeros(len(rig.hw.joint_names))})


def test_ten_percent_reply_loss_is_measured_and_no_motor_counts_as_lost(rig):
    rig.start()
    for b in rig.plant.buses.values():
        b.reply_loss_rate = 0.1
    rig.hold(1000)
    loss = rig.hw.reply_loss_rate()
    assert 0.07 < loss.mean() < 0.13
    assert rig.hw.lost_joints() == []
    # a lost reply leaves that joint's last state: still within a few ticks of the truth
    assert np.allclose(rig.hw.joint_state["position"], rig.sim.joint_state["position"], atol=0.01)


def test_corrupted_replies_are_counted_and_never_taken_as_state(rig):
    rig.start()
    for b in rig.plant.buses.values():
        b.corrupt_rate = 0.2
    rig.hold(500)
    assert sum(rig.hw.corrupt_frames.values()) > 500
    assert np.allclose(rig.hw.joint_state["position"], rig.sim.joint_state["position"], atol=0.01)


def test_a_motor_that_stops_answering_is_lost_after_max_missed_replies_in_a_row(rig):
    rig.start()
    rig.plant.motor("left_knee").silent = True
    n = rig.cfg.max_missed_replies
    rig.hold(n - 1)
    assert rig.hw.lost_joints() == []
    rig.hold(1)
    assert rig.hw.lost_joints() == ["left_knee"]


def test_a_silent_motor_at_activation_fails_it_naming_the_joint(rig):
    rig.plant.motor("right_ankle_roll").silent = True
    rig.hw.init(rig.info)
    rig.hw.configure()
    assert rig.hw.activate() is CallbackReturn.FAILURE
    assert "right_ankle_roll" in rig.hw.last_error and rig.hw.state is LifecycleState.INACTIVE


def test_a_bus_that_goes_down_makes_write_fail_and_the_component_unconfigured(rig):
    rig.start()
    rig.hw.buses["left_hip"].shutdown()
    (result,) = rig.hold(1)
    assert result is ReturnType.ERROR
    assert rig.hw.state is LifecycleState.UNCONFIGURED
    assert "CAN bus 'left_hip': send of frame 0x001 failed" in rig.hw.last_error
    assert rig.hw.send_errors["left_hip"] == 2  # the command, then the torque-off on_error tried
    assert not any(rig.plant.motor(j).enabled for j in ("right_knee", "torso_yaw"))  # other buses: torque off


def test_motors_turn_torque_off_by_themselves_when_commands_stop(rig):
    rig.start()
    rig.hold(10)
    for _ in range(int(MujocoMitCanPlant.CAN_TIMEOUT_S / DT) + 2):
        rig.plant.advance(rig.t, DT)  # nobody writes
        rig.t += DT
    assert not any(m.enabled for m in rig.plant.motors)


def test_temperature_and_error_code_reach_the_state_interfaces(rig):
    rig.start()
    rig.plant.motor("left_hip_pitch").temperature_c = 95.0
    rig.plant.motor("left_knee").error_code = 7
    rig.hold(1)
    i, k = rig.hw.joint_names.index("left_hip_pitch"), rig.hw.joint_names.index("left_knee")
    assert rig.hw.joint_state["temperature"][i] == 95.0 and rig.hw.joint_state["error_code"][k] == 7
    names = {s.name for s in rig.hw.export_state_interfaces()}
    assert {"left_knee/temperature", "left_knee/error_code", "imu/orientation.w"} <= names
