"""Gait suite (lockstep): the MPC node plans, the WBC follows, the robot walks on /cmd_vel.

Forward 0.3 / 0.5 (10 s, < 15 %) / 0.8 m/s, backward 0.3 m/s, sideways 0.2 m/s, turning in
place at 0.5 rad/s, stopping, start-stop-start, walking on friction 0.6 and a push while
walking recovered by stepping, each through the nodes in lockstep."""
import json

import pytest

from humanoid_control import cli

pytestmark = [pytest.mark.sim, pytest.mark.timed]  # the MPC's solve times of these runs are reported


def _run(tmp_path, *args):
    report = tmp_path / "report.json"
    code = cli.main(["sim", "--quiet", "--report", str(report), *args])
    return code, json.loads(report.read_text())


def test_the_humanoid_walks_forward_on_command_and_stops_standing(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "6.5", "--cmd-vel", "1:0.3,0,0", "--cmd-vel", "4.5:0,0,0")
    assert code == 0 and r["fell"] is False
    assert r["distance_m"] > 0.8  # 3.5 s at 0.3 m/s ≈ 1.05 m
    assert 0.2 < r["mean_velocity"]["vx"] < 0.5
    assert abs(r["mean_velocity"]["wz"]) < 0.1
    assert r["velocity_tracking_error"] < 0.5  # interim bound; the issue asks < 0.15 at 0.5 m/s
    assert r["steps_taken"] >= 6
    assert r["mpc"]["rate_hz"] >= 99.0 and r["mpc"]["solver_failures"] == 0
    assert r["nodes"]["wbc"]["plan_timeouts"] == 0 and r["nodes"]["wbc"]["plans_received"] >= 600
    assert r["nodes"]["driver"]["safety_events"] == []
    assert r["max_tilt_rad"] < 0.1
    assert r["foot_slip_max_m"] < 0.02  # loaded feet do not slide (ground truth)


def test_the_humanoid_walks_forward_at_one_metre_per_second_for_ten_seconds_within_ten_percent(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "12.5", "--cmd-vel", "1:1.0,0,0", "--cmd-vel", "11:0,0,0")
    assert code == 0 and r["fell"] is False
    (segment,) = [s for s in r["velocity_segments"] if s["command"][0] > 0]
    assert segment["mean"][0] == pytest.approx(1.0, rel=0.1)  # measured 0.97 (cadence 0.28 s, 0.28-m steps)
    assert abs(segment["mean"][1]) < 0.05
    assert r["foot_slip_max_m"] < 0.05


def test_the_humanoid_walks_with_the_mpc_planning_at_two_hundred_hertz(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "5", "--cmd-vel", "1:0.5,0,0", "--param", "mpc.rate_hz=200")
    assert code == 0 and r["fell"] is False
    assert r["mpc"]["rate_hz"] >= 199.0 and r["mpc"]["plans"] >= 990 and r["mpc"]["solver_failures"] == 0
    assert r["nodes"]["wbc"]["plan_timeouts"] == 0 and r["nodes"]["wbc"]["plans_received"] >= 990
    assert r["mean_velocity"]["vx"] > 0.3 and r["steps_taken"] >= 8
    assert r["foot_slip_max_m"] < 0.03


def test_the_humanoid_walks_backward_at_half_a_metre_per_second_for_ten_seconds_within_ten_percent(tmp_path,
                                                                                                  ros_domain):
    code, r = _run(tmp_path, "--duration", "12.5", "--cmd-vel", "1:-0.5,0,0", "--cmd-vel", "11:0,0,0")
    assert code == 0 and r["fell"] is False
    (segment,) = [s for s in r["velocity_segments"] if s["command"][0] < 0]
    assert segment["mean"][0] == pytest.approx(-0.5, rel=0.1)
    assert abs(segment["mean"][1]) < 0.05
    assert r["steps_taken"] >= 20


def test_the_humanoid_walks_at_half_a_metre_per_second_for_ten_seconds_within_fifteen_percent(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "12.5", "--cmd-vel", "1:0.5,0,0", "--cmd-vel", "11:0,0,0")
    assert code == 0 and r["fell"] is False
    assert r["velocity_tracking_error"] < 0.15
    (segment,) = r["velocity_segments"]
    assert segment["t_end_s"] - segment["t_start_s"] == pytest.approx(10.0)
    assert abs(segment["mean"][1]) < 0.075 and abs(segment["mean"][2]) < 0.1  # no sideways drift, no turning
    assert r["steps_taken"] >= 24
    assert r["foot_slip_max_m"] < 0.03
    assert r["mpc"]["rate_hz"] >= 99.0


def test_the_humanoid_turns_in_place_at_one_radian_per_second_for_ten_seconds(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "12.5", "--cmd-vel", "1:0,0,1.0", "--cmd-vel", "11:0,0,0")
    assert code == 0 and r["fell"] is False
    (segment,) = [s for s in r["velocity_segments"] if s["command"][2] > 0]
    assert segment["mean"][2] == pytest.approx(1.0, rel=0.1)
    assert abs(segment["mean"][0]) < 0.1 and abs(segment["mean"][1]) < 0.1
    # turns on the spot: measured 0.001 m/s (8 mm in 8 s; 0.04 m/s, 30 cm, before the stepping law
    # expected the sway share and the wider stance when turning)
    assert segment["com_drift_mps"] < 0.01
    assert r["velocity_tracking_error"] < 0.1  # the yaw rate, and the drift against 0.1 m/s
    assert r["foot_slip_max_m"] < 0.05  # measured 0.031: at 1 rad/s the loaded foot twists a little


def test_the_humanoid_walks_with_the_mpc_in_its_own_process(tmp_path, ros_domain):
    # --layout split (the real-time default when walking; its wall-clock figures: make bench)
    code, r = _run(tmp_path, "--duration", "4", "--layout", "split", "--cmd-vel", "1:0.3,0,0")
    assert r["layout"] == "split" and code == 0 and r["fell"] is False
    assert r["steps_taken"] >= 5  # measured 7
    assert r["mpc"]["rate_hz"] >= 99.0 and r["mpc"]["solver_failures"] == 0  # from the MPC process's diagnostics


def test_an_mpc_process_that_dies_at_start_up_stops_the_split_run_with_its_output(tmp_path, ros_domain, monkeypatch,
                                                                                  capsys):
    monkeypatch.setitem(cli.NODE_MODULES, "mpc", "humanoid_control.nodes.no_such_node")
    code = cli.main(["sim", "--quiet", "--duration", "2", "--layout", "split", "--cmd-vel", "0.5:0.3,0,0"])
    err = capsys.readouterr().err
    assert code == 1
    assert "node 'mpc' exited with code 1" in err and "No module named humanoid_control.nodes.no_such_node" in err


def test_the_humanoid_walks_sideways_at_a_fifth_of_a_metre_per_second(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "8.5", "--cmd-vel", "1:0,0.2,0", "--cmd-vel", "7:0,0,0")
    assert code == 0 and r["fell"] is False
    (segment,) = r["velocity_segments"]
    assert segment["mean"][1] == pytest.approx(0.2, rel=0.15)  # measured 0.20 over 10 s, both directions
    assert abs(segment["mean"][0]) < 0.05 and abs(segment["mean"][2]) < 0.1  # no forward drift, no turning
    assert r["steps_taken"] >= 14
    assert r["foot_slip_max_m"] < 0.03
    assert r["max_tilt_rad"] < 0.15


@pytest.mark.parametrize("vy", [0.4, -0.4], ids=["left", "right"])
def test_the_humanoid_walks_sideways_at_0_4_metres_per_second_for_ten_seconds_within_ten_percent(tmp_path, ros_domain,
                                                                                              vy):
    code, r = _run(tmp_path, "--duration", "12.5", "--cmd-vel", f"1:0,{vy},0", "--cmd-vel", "11:0,0,0")
    assert code == 0 and r["fell"] is False
    (segment,) = r["velocity_segments"]
    assert segment["mean"][1] == pytest.approx(vy, rel=0.1)  # 0.3-s steps (the lateral cadence)
    assert abs(segment["mean"][0]) < 0.05 and abs(segment["mean"][2]) < 0.1
    assert r["foot_slip_max_m"] < 0.05
    assert r["max_tilt_rad"] < 0.2


@pytest.mark.parametrize("vy", [0.25, -0.22], ids=["left", "right"])
def test_sideways_between_the_cadences_the_gait_keeps_its_timing_and_its_speed(tmp_path, ros_domain, vy):
    """Steady sideways walking keeps its steps' timing (mpc: LocomotionParams.sideways_timing_gate_mps):
    adapted, the trailing foot landed sooner every other cycle and the gait fell into a four-step
    lurch — 0.194 of 0.25 m/s and 0.188 of 0.22 (measured); 0.258 and 0.218 with the gate."""
    code, r = _run(tmp_path, "--duration", "12.5", "--cmd-vel", f"1:0,{vy},0", "--cmd-vel", "11:0,0,0")
    assert code == 0 and r["fell"] is False
    (segment,) = r["velocity_segments"]
    assert segment["mean"][1] == pytest.approx(vy, rel=0.1)
    assert abs(segment["mean"][0]) < 0.05 and abs(segment["mean"][2]) < 0.1


def test_the_humanoid_walks_stops_and_walks_again(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "10.5", "--cmd-vel", "1:0.3,0,0", "--cmd-vel", "4:0,0,0",
                   "--cmd-vel", "6:0.3,0,0", "--cmd-vel", "9:0,0,0")
    assert code == 0 and r["fell"] is False
    first, second = r["velocity_segments"]
    for segment in (first, second):
        assert segment["mean"][0] == pytest.approx(0.3, rel=0.3)  # measured 0.34 and 0.35 over 3-s walks
    # Each 3-s walk takes about 8 steps plus the closing step (measured 20 in all); stepping on
    # through the 2-s stop instead of standing would add about 5 more.
    assert 14 <= r["steps_taken"] <= 22
    assert r["max_tilt_rad"] < 0.1


@pytest.mark.parametrize("force_x", [-225, 225], ids=["against-the-walk", "with-the-walk"])
def test_a_sagittal_push_while_walking_is_recovered_by_stepping(tmp_path, ros_domain, force_x):
    # Δv = 0.6 m/s along the walking direction, either way, while walking at 0.3 m/s. Standing
    # (no stepping) the same robot recovers 0.3 m/s but falls from 0.45 m/s (measured), so this
    # one is caught by the capture-point steps, after which the gait returns to the command.
    code, r = _run(tmp_path, "--duration", "9.5", "--cmd-vel", "1:0.3,0,0", "--cmd-vel", "8:0,0,0",
                   "--push", f"4:{force_x},0,0:0.1")
    assert code == 0 and r["fell"] is False
    (push,) = r["pushes"]
    assert push["delta_v_mps"] >= 0.6 and push["command"] == [0.3, 0.0, 0.0]
    assert push["back_to_command"] is True  # measured 0.05 m/s off the command 3 s after either push
    assert push["steps_in_window"] >= 6  # kept stepping through the push (one every 0.4 s)
    assert r["max_tilt_rad"] < 0.2  # measured 0.07 / 0.08
    assert r["foot_slip_max_m"] < 0.05  # measured 0.034 / 0.016


def test_a_controller_drop_out_of_0_3_s_mid_step_at_half_a_metre_per_second_is_held_and_the_walk_goes_on(
        tmp_path, ros_domain):
    # at 4.0 s the right foot is 40 % into its swing; held with 0.5-rad hold stiffness it drifted 9 cm
    # inwards, landed under the body and the robot fell sideways 0.6 s after control resumed
    code, r = _run(tmp_path, "--duration", "8", "--cmd-vel", "1:0.5,0,0", "--fault", "4.0:command-timeout:0.3")
    assert code == 0 and r["fell"] is False
    hold, resumed = r["safety_events"]
    assert (hold["reason"], hold["action"]) == ("command_timeout", "hold")
    assert (resumed["reason"], resumed["action"]) == ("command_resumed", "normal")
    assert r["nodes"]["driver"]["mode"] == "normal"
    assert r["max_tilt_rad"] < 0.3  # measured 0.16
    assert r["com_displacement_xy_m"][0] > 2.6  # 7 s at 0.5 m/s with 0.3 s lost: measured 3.1 m


def test_a_shove_to_the_side_while_the_walk_stops_is_answered_by_steps_once_the_robot_stands(tmp_path, ros_domain):
    # stopped from 0.5 m/s at 4 s and shoved to the right (Δv 0.4) at 4.4 s: the last step left the
    # feet split diagonally (left 0.32 m ahead, 0.14 m beside). Judged against the box around both
    # soles the DCM was inside; the robot leaned out over the right sole for 1.4 s without a step and
    # fell (session 41); judged against the soles' hull, steps catch it
    code, r = _run(tmp_path, "--duration", "8", "--cmd-vel", "1:0.5,0,0", "--cmd-vel", "4:0,0,0",
                   "--push", "4.4:0,-150,0:0.1")
    assert code == 0 and r["fell"] is False
    (push,) = r["pushes"]
    assert push["recovered"] is True
    assert r["max_tilt_rad"] < 0.2


def test_a_controller_drop_out_of_0_3_s_while_turning_in_place_is_held_and_the_turn_goes_on(tmp_path, ros_domain):
    # at 4.0 s the right foot is mid-swing; held, the body drifted 0.37 m/s to the right over the
    # left foot. Session 41: the planner swapped the right foot's step for the left foot's three
    # times (the left's miss was the smaller, but it could only land left of the right foot) and
    # the robot fell; now the right foot steps out
    code, r = _run(tmp_path, "--duration", "8", "--cmd-vel", "1:0,0,0.6", "--fault", "4.0:command-timeout:0.3")
    assert code == 0 and r["fell"] is False
    assert [(e["reason"], e["action"]) for e in r["safety_events"]] == [("command_timeout", "hold"),
                                                                        ("command_resumed", "normal")]
    assert r["mean_velocity"]["wz"] == pytest.approx(0.6, rel=0.1)  # measured 0.587 rad/s
    assert r["max_tilt_rad"] < 0.3  # measured 0.12 (fell before)


def test_with_the_slip_reading_on_the_humanoid_walks_a_floor_slipperier_than_its_configured_mu(tmp_path, ros_domain):
    # μ 0.25 under the QP's 0.5: without the reading it falls (measured, session 37; μ 0.3 at
    # 0.4 m/s, this test's floor until then, is walked without it since the estimator reads
    # rolling soles where they rest)
    code, r = _run(tmp_path, "--duration", "8", "--friction", "0.25", "--cmd-vel", "1:0.3,0,0",
                   "--param", "wbc.slip_friction_gap=0.1")
    assert code == 0 and r["fell"] is False
    wbc = r["nodes"]["wbc"]
    assert wbc["slips"] >= 1 and wbc["friction_mu"] < 0.5  # measured 1 slip, μ 0.41
    assert r["velocity_tracking_error"] < 0.15  # measured 0.035


def test_with_the_opt_in_slip_gate_the_estimator_sets_sliding_feet_aside_on_a_mu_0_4_floor(tmp_path, ros_domain):
    # the QP's μ 0.5 is above the floor's: pushing-off soles slide. Before session 37 the gate
    # was what kept the robot up here (and at 1 m/s); with rolling soles read where they rest the
    # defaults walk both, and with the gate too at 1 m/s it falls (measured) — it stays opt-in
    code, r = _run(tmp_path, "--duration", "8", "--friction", "0.4", "--cmd-vel", "1:0.6,0,0",
                   "--param", "estimator.slip_gate_mps=0.3")
    assert code == 0 and r["fell"] is False
    assert r["nodes"]["estimator"]["foot_slides"] >= 3  # measured 10
    assert r["velocity_tracking_error"] < 0.1  # measured 0.014


def test_on_a_mu_0_4_floor_at_0_65_m_s_the_estimator_reads_rolling_soles_where_they_rest(tmp_path, ros_domain):
    # the QP's μ 0.5 is above the floor's: the soles roll and slide pushing off; read at their
    # centres (estimator.rolling_sole_mps 0, before session 37) the estimate followed them
    # (velocity RMSE 0.35 m/s) and the robot fell (measured)
    code, r = _run(tmp_path, "--duration", "10", "--friction", "0.4", "--cmd-vel", "1:0.65,0,0")
    assert code == 0 and r["fell"] is False
    assert r["estimator_vel_rmse_mps"] < 0.06  # measured 0.027
    assert r["velocity_tracking_error"] < 0.1  # measured 0.009


def test_the_humanoid_walks_on_a_floor_with_friction_coefficient_0_6(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "8.5", "--friction", "0.6", "--cmd-vel", "1:0.5,0,0",
                   "--cmd-vel", "7:0,0,0")
    assert code == 0 and r["fell"] is False
    assert r["velocity_tracking_error"] < 0.15  # measured 0.04
    assert r["foot_slip_max_m"] < 0.03  # loaded feet hold on μ = 0.6 (measured 0.014 m)
    assert r["nodes"]["driver"]["safety_events"] == []


# the lateral mean includes the start, where the speed feedback is still building up (0.32 of
# 0.4 m/s over the first 6 s, measured; 0.4 within 10 % over 10 s, the test above)
@pytest.mark.parametrize("command, axis, limit, tolerance", [("0,0.6,0", "vy", 0.4, 0.1), ("-1.0,0,0", "vx", -0.5, 0.05)])
def test_a_command_beyond_the_walking_limits_is_clamped_and_the_robot_keeps_walking(tmp_path, ros_domain, command,
                                                                                     axis, limit, tolerance):
    code, r = _run(tmp_path, "--duration", "7", "--cmd-vel", f"1:{command}")
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    assert r["mean_velocity"][axis] == pytest.approx(limit, abs=tolerance)  # max_vy / max_vx_backward, not the command


# each axis alone walks to its limit, several at once did not: both fell with the limits applied
# per axis (session 39; the first after 6.5 s going round a 1.3-m circle). Scaled into the
# ellipsoid through the limits (mpc.command_envelope) they walk the same arc slower; measured
# neighbours in docs/walking_limits.md
@pytest.mark.parametrize("command, limited, tolerance", [
    ((0.9, 0.0, 0.7), (0.789, 0.0, 0.614), 0.1),  # measured 0.061
    ((0.934, -0.338, -0.24), (0.728, -0.264, -0.187), 0.2),  # measured 0.118
])
def test_a_command_on_several_axes_at_once_is_scaled_into_the_envelope_and_walked(tmp_path, ros_domain, command,
                                                                                  limited, tolerance):
    code, r = _run(tmp_path, "--duration", "8", "--cmd-vel", "1:" + ",".join(map(str, command)))
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    (seg,) = r["velocity_segments"]
    assert seg["command_limited"] == pytest.approx(limited, abs=2e-3)
    assert seg["error_limited"] < tolerance


def test_a_config_folder_from_before_a_parameter_existed_walks_with_its_default(tmp_path, ros_domain):
    # a user's copy of config/ made before mpc.command_envelope: the report's limits read the
    # default (session 39: the report's command_limited raised a KeyError on such a folder)
    import shutil

    from humanoid_control.paths import share_dir

    config = tmp_path / "config"
    shutil.copytree(share_dir() / "config", config)
    mpc = config / "mpc.yaml"
    mpc.write_text("".join(line for line in mpc.read_text().splitlines(True) if "command_envelope" not in line))
    code, r = _run(tmp_path, "--duration", "4", "--config-dir", str(config), "--cmd-vel", "1:0.9,0,0.7")
    assert code == 0 and r["fell"] is False
    assert r["velocity_segments"][0]["command_limited"] == pytest.approx([0.789, 0.0, 0.614], abs=2e-3)


@pytest.mark.parametrize("force", ["170,0,0", "185,0,0", "-170,0,0", "-185,0,0"])
def test_standing_with_the_planner_running_a_shove_beyond_the_ankles_is_answered_by_steps(tmp_path, ros_domain,
                                                                                          force):
    # Δv 0.45 and 0.49 m/s forward and backward: standing on the DCM law alone the humanoid falls
    # from 0.45 m/s (issue 17); sideways recovery steps do not hold yet beyond what the ankles do
    code, r = _run(tmp_path, "--duration", "6", "--cmd-vel", "0:0,0,0", "--push", f"2:{force}:0.1")
    push = r["pushes"][0]
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    assert push["recovered"] is True  # back to standing: no fall, under 0.1 m/s when the 3-s window closes
    assert r["steps_taken"] >= 1 and r["nodes"]["mpc"]["recovery_starts"] == 1


def test_walking_a_shove_to_the_right_as_the_right_foot_lands_is_caught_and_the_walk_goes_on(tmp_path, ros_domain):
    # Δv 0.5 m/s to the right at 3.1 s, late in the right foot's swing: the left foot, due next,
    # cannot cross over. Before the swing-foot selection the robot fell in this run's inline twin
    # (bench/push_sweep.py); with it the right foot stepped out again. With the stepping law's
    # sway share (mpc.step_sway_share) the stance is wider and the left foot's step catches it
    # (no swap; the selection has its tests in test/planning/test_locomotion.py). Measured
    # neighbours: bench/push_sweep.py, docs/walking_limits.md.
    code, r = _run(tmp_path, "--duration", "7", "--cmd-vel", "0:0.5,0,0", "--push", "3.1:0,-187,0:0.1")
    assert code == 0 and r["fell"] is False and r["nodes"]["driver"]["safety_events"] == []
    assert r["pushes"][0]["delta_v_mps"] == pytest.approx(0.5, abs=0.01)
    assert r["pushes"][0]["back_to_command"] is True  # within max(0.1 m/s, 25 %) of the command 3 s later
    assert r["velocity_segments"][0]["mean"][0] > 0.35  # it walked on


def test_walking_1_m_s_a_push_from_the_front_is_no_step_up_and_the_walk_gets_back_to_speed(tmp_path, ros_domain):
    # Δv 0.5 m/s from the front at 3.1 s: a swing landed late, 4.4 cm up when the gait's double
    # support began; the planner read the feet at two heights as a step (uneven-ground mode: speed
    # capped at 0.25 m/s for 2 s) and the robot walked 0.18 m/s 3 s after the push (session 42).
    # Feet are read for the ground's height only when the estimator's contacts have both down.
    code, r = _run(tmp_path, "--duration", "7", "--cmd-vel", "0:1.0,0,0", "--push", "3.1:-187,0,0:0.1")
    assert code == 0 and r["fell"] is False and r["nodes"]["driver"]["safety_events"] == []
    assert r["nodes"]["mpc"]["uneven_ground_detections"] == 0  # flat ground
    assert r["pushes"][0]["back_to_command"] is True  # within 25 % of 1 m/s 3 s later (measured 0.015 m/s off)


def test_standing_with_the_planner_running_a_light_shove_takes_no_step(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "4", "--cmd-vel", "0:0,0,0", "--push", "2:80,0,0:0.1")
    assert code == 0 and r["fell"] is False and r["pushes"][0]["recovered"] is True
    assert r["steps_taken"] == 0 and r["nodes"]["mpc"]["recovery_starts"] == 0


def test_the_demo_of_the_makefile_stands_through_both_pushes_stepping_for_the_first_and_walks(tmp_path, ros_domain):
    import re
    import shlex
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = re.search(r"humanoid-control sim (.*?)--report", makefile.replace("\\\n", " "), re.S).group(1)
    code, r = _run(tmp_path, *shlex.split(recipe))  # the README's `make demo`, without its video and plots
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    assert [p["recovered"] for p in r["pushes"]] == [True, True]
    assert r["nodes"]["mpc"]["recovery_starts"] == 1  # the first push is answered by steps
    assert r["velocity_tracking_error"] < 0.3 and r["distance_m"] > 1.0


def test_the_humanoid_walks_on_a_floor_with_friction_coefficient_0_4(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "8.5", "--friction", "0.4", "--cmd-vel", "1:0.4,0,0",
                   "--cmd-vel", "7:0,0,0")
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    assert r["velocity_tracking_error"] < 0.15  # measured 0.07
    assert r["foot_slip_max_m"] < 0.06  # the QP's pyramid uses μ = 0.5 > 0.4: feet slide some (measured 0.041 m)


def test_with_its_friction_coefficients_set_to_the_floor_s_0_4_the_humanoid_walks_at_0_8_metres_per_second(
        tmp_path, ros_domain):
    # the QP's torsion bound scales with its μ (wbc.yaw_friction_arm_m); fixed at 0.02 m · fz, the
    # stance soles spun pushing off and the robot fell at 6.2 s (at 0.65 and 1 m/s, and walking
    # diagonally, too)
    code, r = _run(tmp_path, "--duration", "8", "--friction", "0.4", "--cmd-vel", "1:0.8,0,0",
                   "--param", "wbc.friction_coefficient=0.4", "--param", "mpc.friction_coefficient=0.4")
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    assert r["velocity_tracking_error"] < 0.1  # measured 0.066 over these 8 s (0.04 over 10 s)
    assert r["foot_slip_max_m"] < 0.06  # measured 0.034


def test_with_the_octagon_friction_cone_the_humanoid_walks_diagonally_on_a_floor_with_friction_0_4(tmp_path, ros_domain):
    # the octagon stays inside the real cone; the default pyramid (|fx|, |fy| <= μ fz) lets diagonal
    # forces reach √2 μ: there the soles slid 9 cm and the robot fell at 4.8 s
    code, r = _run(tmp_path, "--duration", "6", "--friction", "0.4", "--cmd-vel", "1:0.3,0.2,0",
                   "--param", "wbc.friction_cone=octagon")
    assert code == 0 and r["fell"] is False and r["safety_events"] == []
    (segment,) = r["velocity_segments"]
    assert segment["mean"][0] > 0.25 and segment["mean"][1] > 0.0  # forward near the command, and leftwards
