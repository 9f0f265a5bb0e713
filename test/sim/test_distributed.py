"""The stack split across processes started on their own, as across machines (on loopback here)."""
import json
import os
import signal
import subprocess
import sys

import pytest

from humanoid_control import cli

pytestmark = [pytest.mark.sim, pytest.mark.timed]  # a walking run: the MPC solve times of its report are listed



def test_the_humanoid_walks_with_an_mpc_node_started_on_its_own_like_on_a_second_machine(tmp_path, ros_domain):
    # `humanoid-control node mpc` is what the second machine runs (README "Several machines");
    # here both sides stay on loopback in one ROS domain.
    mpc = subprocess.Popen([sys.executable, "-m", "humanoid_control.cli", "node", "mpc", "--use-sim-time",
                            "--cmd-vel", "0.5:0.3,0,0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, env=dict(os.environ))
    try:
        report = tmp_path / "r.json"
        code = cli.main(["sim", "--duration", "3", "--quiet", "--cmd-vel", "0.5:0.3,0,0", "--mpc-elsewhere",
                         "--report", str(report)])
        r = json.loads(report.read_text())
        assert code == 0 and r["fell"] is False
        assert r["nodes"]["wbc"]["plans_received"] > 200  # 100 Hz plans over 2.5 s of walking
        assert r["distance_m"] > 0.3
    finally:
        mpc.send_signal(signal.SIGINT)
        out, _ = mpc.communicate(timeout=30)
    assert mpc.returncode == 0, out[-2000:]
