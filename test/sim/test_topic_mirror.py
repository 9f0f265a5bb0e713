"""The composed loop still serves the graph's 1-kHz topics to listeners in other processes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from humanoid_control import cli

pytestmark = [pytest.mark.sim, pytest.mark.realtime]


def test_a_subscriber_in_another_process_receives_nearly_every_tick_of_each_1khz_topic(tmp_path, ros_domain):
    counter = subprocess.Popen([sys.executable, str(Path(__file__).with_name("topic_counter.py"))],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert counter.stdout.readline().strip() == "ready"
        report = tmp_path / "r.json"
        code = cli.main(["sim", "--quiet", "--mode", "realtime", "--duration", "3", "--report", str(report)])
        counter.stdin.close()
        counts = json.loads(counter.stdout.readline())
    finally:
        counter.kill()
        counter.wait()
    r = json.loads(report.read_text())
    assert code == 0 and r["fell"] is False and r["layout"] == "composed"
    ticks = r["nodes"]["control_loop"]["ticks"]
    assert ticks > 500  # the loop ran (its rate with a listener elsewhere: make bench)
    for topic, n in counts.items():
        assert n >= 0.95 * ticks, f"{topic}: {n} messages for {ticks} ticks"
    assert r["nodes"]["driver"]["mirrored_messages"]["js"] >= ticks - 1
