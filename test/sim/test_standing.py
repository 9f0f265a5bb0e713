"""Full-stack sim suites (lockstep): the four nodes balance the robot through ROS topics."""
import json
import os

import pytest

from humanoid_control import cli

pytestmark = pytest.mark.sim


def _run(tmp_path, *args):
    report = tmp_path / "report.json"
    code = cli.main(["sim", "--quiet", "--report", str(report), *args])
    r = json.loads(report.read_text())
    return code, r


def test_humanoid_stands_30s_composed_with_small_drift_and_accurate_estimation(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "30", "--layout", "composed")
    assert code == 0 and r["fell"] is False
    assert r["sim_time_s"] >= 30.0
    assert r["com_drift_xy_m"] < 0.02
    assert r["estimator_pos_drift_m"] < 0.02
    assert r["estimator_vel_rmse_mps"] < 0.05
    assert r["max_tilt_rad"] < 0.05
    for name in ("driver", "estimator", "wbc"):
        assert r["nodes"][name]["ticks"] >= 29_000
        assert r["nodes"][name]["compute_p99_us"] > 0
    assert r["nodes"]["wbc"]["solver_failures"] == 0
    assert r["nodes"]["wbc"]["relaxed_solves"] == 0  # standing never needs the torque limits relaxed
    assert r["nodes"]["driver"]["mode"] == "normal"


def test_humanoid_stands_15s_with_one_process_per_node(tmp_path, ros_domain):
    # The 30-s drift bound is the composed test's; lockstep runs the same ticks in either
    # layout, and the process layout costs ~10 s of wall time per simulated second here.
    code, r = _run(tmp_path, "--duration", "15", "--layout", "processes")
    assert code == 0 and r["fell"] is False
    assert r["sim_time_s"] >= 15.0
    assert r["com_drift_xy_m"] < 0.02
    assert r["estimator_pos_drift_m"] < 0.02
    assert r["estimator_vel_rmse_mps"] < 0.05
    assert set(r["nodes"]) >= {"driver", "estimator", "wbc"}


@pytest.mark.parametrize("force", ["115,0,0", "-115,0,0", "0,115,0", "0,-115,0"],
                         ids=["forward", "backward", "left", "right"])
def test_humanoid_recovers_from_a_0p3mps_push_without_stepping(tmp_path, ros_domain, force):
    code, r = _run(tmp_path, "--duration", "6", "--push", f"1.5:{force}:0.1")
    (push,) = r["pushes"]
    assert push["delta_v_mps"] >= 0.3
    assert push["recovered"] is True
    assert r["fell"] is False and code == 0
    # without stepping: no safety event, estimator still anchored by both feet
    assert r["nodes"]["driver"]["safety_events"] == []
    assert r["estimator_pos_drift_m"] < 0.02


def test_talos_stands_10s_by_configuration_alone(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--robot", "talos", "--duration", "10")
    assert code == 0 and r["fell"] is False
    assert r["sim_time_s"] >= 10.0
    assert r["com_drift_xy_m"] < 0.02
    assert r["max_tilt_rad"] < 0.05
    assert r["estimator_pos_drift_m"] < 0.02
    assert r["nodes"]["driver"]["safety_events"] == []
    assert r["nodes"]["wbc"]["solver_failures"] == 0


def test_a_push_too_strong_to_recover_trips_fall_detection_into_damping(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "3", "--push", "1:1500,0,0:0.2")
    assert r["fell"] is True and code != 0
    assert r["pushes"][0]["recovered"] is False
    events = r["nodes"]["driver"]["safety_events"]
    assert [e["reason"] for e in events] == ["fall_detected"]
    assert 1.0 < events[0]["t"] < 2.0 and events[0]["action"] == "damping"
    assert r["nodes"]["driver"]["mode"] == "damping"
    # the controller kept commanding inside the limits right up to the fall
    assert r["nodes"]["driver"]["commands_rejected"] == 0
    assert r["sim_time_s"] >= 3.0  # the run completed; nothing hung after the fall


def test_a_lateral_push_is_recovered_with_one_process_per_node(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "5", "--layout", "processes", "--push", "1.5:0,-115,0:0.1")
    assert code == 0 and r["fell"] is False
    assert r["pushes"][0]["delta_v_mps"] >= 0.3 and r["pushes"][0]["recovered"] is True
    assert r["nodes"]["driver"]["safety_events"] == [] and r["nodes"]["driver"]["commands_rejected"] == 0


@pytest.mark.realtime
def test_the_stack_runs_on_wall_clock_time_in_realtime_mode(tmp_path, ros_domain):
    # Whether the robot stands in real time depends on the machine keeping up with 1 kHz
    # (on a loaded 2-core machine the loop reached ~300 Hz and the robot fell): that is
    # measured by bench/realtime_walk.py (its first second stands), not asserted here. This
    # checks the real-time machinery: wall-clock pacing, a loop that ran, stamps accepted.
    code, r = _run(tmp_path, "--duration", "2", "--mode", "realtime")
    assert r["mode"] == "realtime" and r["sim_time_s"] >= 1.9
    assert 0.8 <= r["real_time_factor"] <= 1.1  # the plant kept wall-clock time
    assert r["nodes"]["wbc"]["ticks"] >= 200 and r["nodes"]["estimator"]["ticks"] >= 200
    driver = r["nodes"]["driver"]
    assert driver["ticks"] >= 200 and driver["commands_rejected"] == 0
    assert driver["ticks"] + driver["missed_ticks"] >= 0.95 * 2000  # every 1-ms step is either ticked or counted missed
    # the sensor -> command latency is measured on every answered state and is a real duration
    assert driver["latency_samples"] >= 100
    assert 0.0 < driver["latency_p50_us"] <= driver["latency_p99_us"] <= driver["latency_max_us"]
    assert driver["latency_p50_us"] < 20_000  # most commands arrive inside the 20-ms command watchdog
    # the simulated world's share of the driver's time is reported apart, and is part of it
    assert 0.0 < driver["plant_p50_us"] <= driver["plant_p99_us"]
    assert driver["plant_p50_us"] < driver["compute_p50_us"]
    # the loop's thread ran on the last of the process's CPUs (HUMANOID_CONTROL_LOOP_CPU=auto), and was
    # given back all of them afterwards
    cpus = sorted(os.sched_getaffinity(0))
    assert r["nodes"]["control_loop"]["loop_cpu"] == (cpus[-1] if len(cpus) > 1 else -1)
