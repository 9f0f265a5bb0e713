"""Fault injection through the full stack (lockstep): one test per row of the fault table,
each asserting the safe state the driver ends in and that it took effect within one
control tick of the moment the fault became detectable. Faults on motors and buses run
with the MIT-CAN backend (simulated motors on virtual buses, physics in MuJoCo)."""
import json

import pytest

from humanoid_control import cli

pytestmark = pytest.mark.sim

DT = 0.001  # [s] control tick
TICK = DT + 1e-9  # one tick, with room for the stamps' float rounding
T = 0.5  # [s] when each fault is injected
MAX_MISSED = 10  # config/hardware/humanoid_mit_can.yaml max_missed_replies


def _run(tmp_path, *args, duration=1.0, backend="mit-can"):
    report = tmp_path / "report.json"
    code = cli.main(["sim", "--quiet", "--duration", str(duration), "--backend", backend, "--report", str(report),
                     *args])
    return code, json.loads(report.read_text())


def _events(r):
    return [(e["reason"], e["action"], e["joint"]) for e in r["safety_events"]]


def _first(r, reason):
    return next(e for e in r["safety_events"] if e["reason"] == reason)


def test_the_stack_stands_through_the_mit_can_backend_and_every_frame_arrives(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--push", "1.5:60,0,0:0.1", duration=3.0)
    assert code == 0 and r["fell"] is False and r["max_tilt_rad"] < 0.05
    assert r["safety_events"] == [] and r["nodes"]["driver"]["mode"] == "normal"
    motors = r["nodes"]["driver"]["motors"]
    assert len(motors) == 21 and all(m["reply_loss_rate"] == 0 and m["error_code"] == 0 for m in motors.values())
    buses = r["nodes"]["driver"]["buses"]
    assert len(buses) == 7  # 3 motors per bus: one command per motor per 1-ms tick, and the enter frames
    assert all(b["frames_sent"] == 3 * (3000 + 1) and b["corrupt_frames"] == 0 for b in buses.values())
    assert r["pushes"][0]["recovered"] is True


def test_the_stack_stands_through_the_cia402_backend_and_every_tpdo_arrives(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--push", "0.5:60,0,0:0.1", duration=2.0, backend="cia402")
    assert code == 0 and r["fell"] is False and r["max_tilt_rad"] < 0.05 and r["safety_events"] == []
    assert r["nodes"]["driver"]["mode"] == "normal" and r["backend"] == "cia402"
    drives = r["nodes"]["driver"]["motors"]
    assert len(drives) == 21 and all(m["reply_loss_rate"] == 0 and m["error_code"] == 0 for m in drives.values())
    buses = r["nodes"]["driver"]["buses"]
    assert len(buses) == 11 and all(b["corrupt_frames"] == 0 for b in buses.values())
    # per 1-ms tick an RPDO per drive and a SYNC per bus, plus activation's cycles
    assert sum(b["frames_sent"] for b in buses.values()) >= (21 + 11) * 2000
    assert r["pushes"][0]["recovered"] is True


def test_a_cia402_drive_fault_reports_its_error_code_and_damps_the_robot_within_one_tick(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:motor-error:left_knee", duration=0.8, backend="cia402")
    assert ("motor_error", "damping", "left_knee") in _events(r)
    assert all(T <= e["t"] <= T + TICK for e in r["safety_events"])
    assert r["nodes"]["driver"]["mode"] == "damping" and r["nodes"]["driver"]["motors"]["left_knee"]["error_code"] != 0


def test_a_short_controller_drop_out_is_held_and_control_resumes_with_the_robot_standing(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:command-timeout:0.3", duration=2.0, backend="mujoco")
    hold, resumed = r["safety_events"]
    assert (hold["reason"], hold["action"]) == ("command_timeout", "hold")
    assert abs(hold["t"] - (T + 0.02)) <= TICK  # command_timeout_s = 0.02
    assert (resumed["reason"], resumed["action"]) == ("command_resumed", "normal")
    assert abs(resumed["t"] - (T + 0.3)) <= 2 * TICK  # the first command after the drop-out
    assert code == 0 and r["fell"] is False and r["max_tilt_rad"] < 0.05 and r["nodes"]["driver"]["mode"] == "normal"


def test_a_long_controller_drop_out_is_held_for_hold_timeout_s_then_damped(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:command-timeout:2", duration=2.0, backend="mujoco")
    hold, damp = r["safety_events"]
    assert (hold["reason"], hold["action"]) == ("command_timeout", "hold")
    assert (damp["reason"], damp["action"]) == ("command_timeout", "damping")
    assert abs(damp["t"] - (hold["t"] + 1.0)) <= 2 * TICK  # hold_timeout_s = 1.0
    assert r["nodes"]["driver"]["mode"] == "damping"


@pytest.mark.parametrize("kind", ["nan-command", "out-of-range-command"])
def test_an_invalid_command_is_rejected_and_trips_damping_in_the_same_tick(tmp_path, ros_domain, kind):
    code, r = _run(tmp_path, "--fault", f"{T}:{kind}", backend="mujoco")
    e = _first(r, "invalid_command")
    assert e["action"] == "damping" and e["joint"] and abs(e["t"] - T) <= TICK
    assert r["nodes"]["driver"]["commands_rejected"] == 1 and r["nodes"]["driver"]["mode"] == "damping"
    assert ("not finite" if kind == "nan-command" else "outside") in r["nodes"]["driver"]["last_rejection"]


def test_ten_percent_frame_loss_is_measured_and_the_robot_keeps_standing(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:frame-loss:0.1", duration=2.0)
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    loss = [m["reply_loss_rate"] for m in r["nodes"]["driver"]["motors"].values()]
    assert 0.04 < sum(loss) / len(loss) < 0.1  # 10 % over the last 1.5 s of 2 s


def test_corrupted_frames_are_counted_and_never_used_and_the_robot_keeps_standing(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:corrupt-frames:0.1", duration=2.0)
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    assert all(b["corrupt_frames"] > 100 for b in r["nodes"]["driver"]["buses"].values())


def test_a_motor_that_stops_replying_trips_damping_once_it_counts_as_lost(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:silent-motor:left_knee")
    e = _first(r, "motor_lost")
    assert (e["action"], e["joint"]) == ("damping", "left_knee")
    assert abs(e["t"] - (T + MAX_MISSED * DT)) <= TICK
    assert r["nodes"]["driver"]["mode"] == "damping"


def test_a_bus_off_turns_torque_off_in_the_tick_the_send_fails(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:bus-off")
    e = _first(r, "hardware_error")
    assert e["action"] == "torque_off" and abs(e["t"] - T) <= TICK
    assert r["nodes"]["driver"]["mode"] == "torque_off"
    assert all(b["send_errors"] >= 1 for b in r["nodes"]["driver"]["buses"].values())


@pytest.mark.parametrize("kind,reason", [("over-temperature", "over_temperature"), ("motor-error", "motor_error")])
def test_a_motor_fault_turns_that_joint_off_and_damps_the_robot_within_one_tick(tmp_path, ros_domain, kind, reason):
    code, r = _run(tmp_path, "--fault", f"{T}:{kind}:right_hip_roll")
    assert (reason, "damping", "right_hip_roll") in _events(r) and (reason, "torque_off", "right_hip_roll") in _events(r)
    assert all(T <= e["t"] <= T + TICK for e in r["safety_events"])  # the reply of tick T carries it
    assert r["nodes"]["driver"]["mode"] == "damping"
    motor = r["nodes"]["driver"]["motors"]["right_hip_roll"]
    assert motor["temperature_c"] >= 90 if kind == "over-temperature" else motor["error_code"] != 0


def test_the_estop_latches_damping_and_a_reset_hands_the_robot_back_to_the_controller(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--fault", f"{T}:estop", "--fault", f"{T + 0.05}:estop-reset", duration=2.0,
                   backend="mujoco")
    assert _events(r)[:2] == [("estop", "damping", ""), ("reset", "normal", "")]
    assert abs(r["safety_events"][0]["t"] - T) <= TICK and abs(r["safety_events"][1]["t"] - (T + 0.05)) <= TICK
    assert code == 0 and r["fell"] is False and r["nodes"]["driver"]["mode"] == "normal"


def test_a_base_tilt_beyond_the_limit_trips_damping(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--push", f"{T}:0,900,0:0.2", duration=2.0, backend="mujoco")
    e = _first(r, "fall_detected")
    assert e["action"] == "damping" and e["t"] > T
    assert r["nodes"]["driver"]["mode"] == "damping"


def test_a_can_fault_on_the_mujoco_backend_is_refused_naming_the_backend(capsys):
    assert cli.main(["sim", "--duration", "1", "--fault", "1:bus-off"]) == 2
    assert "needs a CAN backend (--backend mit-can or cia402)" in capsys.readouterr().err


def test_a_fault_on_an_unknown_joint_lists_the_joints(tmp_path, ros_domain, capsys):
    assert cli.main(["sim", "--duration", "1", "--backend", "mit-can", "--fault", "1:motor-error:left_kne"]) == 2
    err = capsys.readouterr().err
    assert "unknown joint 'left_kne'" in err and "left_knee" in err
