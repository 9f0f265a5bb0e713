"""The composed loop still serves the graph's 1-kHz topics to listeners in other processes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from humanoid_control import cli
from humanoid_control.nodes.mirror_node import MirrorNode

pytestmark = [pytest.mark.sim, pytest.mark.realtime]


def test_the_mirror_publishes_every_tick_and_a_subscriber_in_another_process_receives_each_1khz_topic(tmp_path,
                                                                                                     ros_domain):
    counter = subprocess.Popen([sys.executable, str(Path(__file__).with_name("topic_counter.py"))],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert counter.stdout.readline().strip() == "ready"
        report = tmp_path / "r.json"
        code = cli.main(["sim", "--quiet", "--mode", "realtime", "--duration", "5", "--report", str(report)])
        counter.stdin.close()
        counts = json.loads(counter.stdout.readline())
    finally:
        counter.kill()
        counter.wait()
    r = json.loads(report.read_text())
    assert code == 0 and r["fell"] is False and r["layout"] == "composed"
    ticks = r["nodes"]["control_loop"]["ticks"]
    assert ticks > 500  # the loop ran (its rate with a listener elsewhere: make bench)
    # The product's side: every tick from the one the subscriber was discovered on. Discovery
    # took 0.1 to 2.6 s here (the listener started first repeats its announcement every ~3 s);
    # the ticks before it go nowhere, hence a 5-s run.
    drv = r["nodes"]["driver"]
    records = drv["mirror_records"]
    assert 300 < records <= ticks
    assert drv["mirror_dropped"] == 0 and drv["mirror_unpublished"] == 0
    # each stream turns live at the mirror's next look at the subscriber counts (every 50 ms)
    looks = round(MirrorNode.COUNT_REFRESH_S * 1000) + 1
    for stream in ("js", "imu", "odom", "contact", "cmd"):
        assert drv["mirrored_messages"][stream] >= records - looks, (stream, drv)
    # The listener's side: this test's Python subscriber takes ~100 µs per message (rclpy), 3 kHz
    # of them on 2 cores shared with the loop, the MPC worker and the mirror — on a busy machine
    # it took 46 % and 35 % of the ticks (it got ≥ 95 % when the machine was calm). What is
    # asserted is that every topic flows to another process; the delivery rate is a figure
    # for make bench, not a pass/fail here.
    for topic, n in counts.items():
        assert n >= 0.2 * records, f"{topic}: {n} messages for {records} mirrored ticks"
