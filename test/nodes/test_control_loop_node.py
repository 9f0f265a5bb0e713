"""The composed loop as a ROS 2 executable: parameters, a run of a set length, Ctrl-C."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from humanoid_control.nodes import control_loop_node


def test_an_unknown_or_out_of_range_parameter_stops_the_node_naming_it(ros_domain, capsys):
    assert control_loop_node.main(["x", "--ros-args", "-p", "planer:=worker"]) == 2
    err = capsys.readouterr().err
    assert "planer" in err and "planner" in err  # the valid names are listed
    assert control_loop_node.main(["x", "--ros-args", "-p", "planner:=remote"]) == 2
    assert "worker" in capsys.readouterr().err
    assert control_loop_node.main(["x", "--ros-args", "-p", "duration_s:=-1.0"]) == 2


@pytest.mark.sim
@pytest.mark.realtime
def test_the_node_stands_the_humanoid_for_its_duration_and_writes_the_report(ros_domain, tmp_path):
    report = tmp_path / "r.json"
    code = control_loop_node.main(["x", "--ros-args", "-p", "duration_s:=2.0", "-p", "planner:=none",
                                   "-p", f"report:={report}"])
    r = json.loads(report.read_text())
    assert code == 0 and r["fell"] is False and r["interrupted"] is False
    assert r["sim_time_s"] == pytest.approx(2.0, abs=0.01) and r["layout"] == "composed" and r["mode"] == "realtime"
    # it ticked all along (on a loaded machine it misses ticks: 1096 of 2000 beside two busy
    # processes; the rate it holds is make bench's figure, not a pass/fail here)
    assert r["nodes"]["control_loop"]["ticks"] > 500


@pytest.mark.sim
@pytest.mark.realtime
@pytest.mark.parametrize("running", [False, True])  # during start-up (a fresh clone compiles then), and running
def test_sigint_ends_the_loop_between_ticks_with_the_robot_standing_and_a_report(ros_domain, tmp_path, running):
    report = tmp_path / "r.json"
    p = subprocess.Popen([sys.executable, "-m", "humanoid_control.nodes.control_loop_node", "--ros-args",
                          "-p", "planner:=none", "-p", f"report:={report}"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    try:
        assert "Ctrl-C stops" in p.stdout.readline()
        if running:  # the loop says when its first tick comes; a second of real time later
            lines = iter(p.stdout.readline, "")
            assert any(line.strip() == "control_loop: running" for line in lines), "the loop never started"
            time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    r = json.loads(report.read_text())
    assert p.returncode == 0, out
    assert r["interrupted"] is True and r["fell"] is False and r["sim_time_s"] >= (0.2 if running else 0.0)
