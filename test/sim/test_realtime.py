"""Real time (wall clock, 1 kHz), composed loop with the MPC in its worker process: physical
outcomes only — the rate and latency the machine reaches are measured by ``make bench``."""
import json

import pytest

from humanoid_control import cli

pytestmark = [pytest.mark.sim, pytest.mark.realtime]


def _run(tmp_path, *args):
    report = tmp_path / "report.json"
    code = cli.main(["sim", "--quiet", "--mode", "realtime", "--report", str(report), *args])
    return code, json.loads(report.read_text())


def test_the_humanoid_walks_half_a_metre_per_second_for_ten_seconds_in_real_time(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "12", "--cmd-vel", "1:0.5,0,0")
    assert r["layout"] == "composed" and r["mode"] == "realtime"
    assert code == 0 and r["fell"] is False
    assert r["distance_m"] > 3.0  # 11 s commanded at 0.5 m/s, ramp-up included
    assert r["mean_velocity"]["vx"] > 0.3 and r["max_tilt_rad"] < 0.2
    assert r["nodes"]["driver"]["safety_events"] == []
    assert r["mpc"]["plans"] > 300  # the worker planned throughout
    assert r["estimator_vel_rmse_mps"] < 0.1  # the estimate, stamped in plant time, is paired with the truth


def test_the_humanoid_stands_through_a_push_in_real_time(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--duration", "5", "--push", "1.5:115,0,0:0.1")
    assert code == 0 and r["fell"] is False
    (push,) = r["pushes"]
    assert push["delta_v_mps"] >= 0.3 and push["recovered"] is True
    assert r["nodes"]["driver"]["safety_events"] == []


def test_talos_stands_ten_seconds_in_real_time(tmp_path, ros_domain):
    code, r = _run(tmp_path, "--robot", "talos", "--duration", "10")
    assert code == 0 and r["fell"] is False
    assert r["max_tilt_rad"] < 0.1 and r["com_drift_xy_m"] < 0.05
    assert r["nodes"]["driver"]["safety_events"] == []
