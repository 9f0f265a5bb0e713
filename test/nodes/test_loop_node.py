"""The composed loop's ROS shell: diagnostics that never take a tick's time."""
import sys
from pathlib import Path

import pytest
import rclpy
from diagnostic_msgs.msg import DiagnosticArray

from humanoid_control.loop.builder import build_loop
from humanoid_control.nodes.loop_node import DIAG_MAX_DEFER_NS, DIAG_STAGE_SLACK_NS, LoopNode

sys.path.insert(0, str(Path(__file__).parents[1] / "loop"))
from test_control_loop import _params  # noqa: E402


@pytest.fixture
def loop_node(ctx):
    loop = build_loop(_params())
    node = LoopNode(loop, diagnostics_period_s=0.01, context=ctx)
    heard = []
    node.create_subscription(DiagnosticArray, "/diagnostics", heard.append, 10)
    ex = rclpy.executors.SingleThreadedExecutor(context=ctx)
    ex.add_node(node)
    yield loop, node, heard, ex
    node.destroy_node()
    loop.driver.shutdown()


def _tick(loop, node, spare_ns=None):
    loop.tick()
    node.publish_tick(spare_ns)


def _drain(ex, heard, want: int):
    for _ in range(100):
        if len(heard) >= want:
            return
        ex.spin_once(timeout_sec=0.02)


def test_in_lockstep_diagnostics_go_out_on_the_tick_they_are_due_with_every_part(loop_node):
    loop, node, heard, ex = loop_node
    _tick(loop, node)
    _drain(ex, heard, 1)
    assert len(heard) == 1
    names = {s.hardware_id for s in heard[0].status}
    assert names == {"driver", "estimator", "wbc", "control_loop"}


def test_in_real_time_each_stage_waits_for_a_tick_with_spare_time(loop_node):
    loop, node, heard, ex = loop_node
    _tick(loop, node, lambda: DIAG_STAGE_SLACK_NS - 1)  # due, no spare time: nothing done
    assert node._diag_due is not None and node._diag_due[2] is None
    _tick(loop, node, lambda: DIAG_STAGE_SLACK_NS + 1)  # gathers the figures only
    assert node._diag_due[2] is not None
    _drain(ex, heard, 1)
    assert heard == []
    _tick(loop, node, lambda: DIAG_STAGE_SLACK_NS + 1)  # publishes
    _drain(ex, heard, 1)
    assert len(heard) == 1 and node._diag_due is None
    stamp_ns = heard[0].header.stamp.sec * 10**9 + heard[0].header.stamp.nanosec
    assert stamp_ns == 1_000_000  # stamped when due, not when published


def test_a_diagnostics_message_that_never_finds_spare_time_goes_out_after_the_longest_deferral(loop_node):
    loop, node, heard, ex = loop_node
    ticks = DIAG_MAX_DEFER_NS // loop.driver.dt_ns
    for _ in range(ticks - 1):
        _tick(loop, node, lambda: 0)
    _drain(ex, heard, 1)
    assert heard == []
    for _ in range(2):
        _tick(loop, node, lambda: 0)
    _drain(ex, heard, 1)
    assert len(heard) == 1
