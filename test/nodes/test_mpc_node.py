"""The MPC node on its inputs, called directly (no spinning): when it plans, and which
command it walks to, on simulation stamps (lockstep) and on wall-clock stamps (real time)."""
import time

import numpy as np
import pytest
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from rclpy.parameter import Parameter
from sensor_msgs.msg import JointState

from humanoid_control.nodes.common import ns_to_stamp

pytestmark = pytest.mark.ros


def _node(ctx, sim_time: bool, script=("",)):
    from humanoid_control.nodes.mpc_node import MpcNode
    return MpcNode(context=ctx, parameter_overrides=[Parameter("use_sim_time", value=sim_time),
                                                     Parameter("cmd_vel_script", value=list(script))])


def _feed(node, ns: int) -> None:
    """The robot standing at its nominal configuration, stamped ``ns``: joints, then odometry."""
    q = node.robot.nominal_configuration()
    js = JointState(name=list(node.robot.joint_names), position=[float(x) for x in q[7:]],
                    velocity=[0.0] * (len(q) - 7))
    js.header.stamp = ns_to_stamp(ns)
    od = Odometry()
    od.header.stamp = ns_to_stamp(ns)
    p, o = od.pose.pose.position, od.pose.pose.orientation
    p.x, p.y, p.z = (float(x) for x in q[0:3])
    o.x, o.y, o.z, o.w = (float(x) for x in q[3:7])
    node.on_joint_states(js)
    node.on_odom(od)


def test_on_simulation_stamps_it_plans_exactly_at_each_period_start(ctx):
    node = _node(ctx, sim_time=True)  # no /clock: the node's clock stays at 0, no input is stale
    planned = []
    for ms in range(0, 45):
        before = node.stats.count
        _feed(node, ms * 1_000_000)
        if node.stats.count > before:
            planned.append(ms)
    assert planned == [0, 10, 20, 30, 40]
    assert node.rejected == 0
    node.destroy_node()


def test_on_wall_clock_stamps_it_plans_once_per_period_from_the_first_state_in_it(ctx):
    node = _node(ctx, sim_time=False)
    stamps = []
    # until 12 periods are touched (0.12 s when idle; a loaded machine takes longer: a fixed 0.3 s
    # touched fewer than 10 once while two sweeps ran), at most 5 s
    t_end = time.monotonic() + 5.0
    while time.monotonic() < t_end and len({ns // node.period_ns for ns in stamps}) < 12:
        ns = node.get_clock().now().nanoseconds + 123_457  # not on the 10-ms grid
        stamps.append(ns)
        _feed(node, ns)
        time.sleep(0.0013)
    periods = {ns // node.period_ns for ns in stamps}
    assert node.stats.count == len(periods) >= 12  # one plan per 10-ms period touched (its rate: make bench)
    node.destroy_node()


def test_the_script_counts_from_the_first_state_on_wall_clock_stamps(ctx):
    node = _node(ctx, sim_time=False, script=("0.1:0.3,0,0",))
    t0 = time.monotonic()
    commands = []
    while time.monotonic() - t0 < 0.35:
        _feed(node, node.get_clock().now().nanoseconds)
        commands.append((time.monotonic() - t0, float(node.command[0])))
        time.sleep(0.002)
    assert all(vx == 0.0 for t, vx in commands if t < 0.09)  # before T = 0.1 s of the run
    assert commands[-1][1] > 0.05  # walking towards 0.3 m/s at the 1 m/s² limit
    node.destroy_node()


def test_a_cmd_vel_drives_the_command_and_counts_as_zero_once_older_than_the_timeout(ctx):
    node = _node(ctx, sim_time=True)
    for ms in range(0, 100, 10):
        _feed(node, ms * 1_000_000)
    node.on_cmd_vel(Twist())  # received at state time 0.09 s
    msg = Twist()
    msg.linear.x = 0.4
    node.on_cmd_vel(msg)
    for ms in range(100, 500, 10):
        _feed(node, ms * 1_000_000)
    assert node.command[0] == pytest.approx(0.4)  # reached at 1 m/s² within 0.4 s
    for ms in range(500, 1300, 10):  # no /cmd_vel for longer than cmd_vel_timeout_s = 0.5 s
        _feed(node, ms * 1_000_000)
    np.testing.assert_allclose(node.command, 0.0, atol=1e-12)  # stale: slewed back to zero
    node.destroy_node()


def test_the_drivers_hold_and_the_estimators_contacts_reach_the_planner_as_the_loops_flags(ctx):
    from humanoid_control_msgs.msg import ContactState
    from std_msgs.msg import String

    from humanoid_control.loop.mpc_core import FLAG_HELD

    node = _node(ctx, sim_time=True)
    seen = []
    update = node.core.update
    node.core.update = lambda ns, q, v, flags=None: seen.append(flags) or update(ns, q, v, flags)
    both_down = (2 << 0) | (2 << 1)
    _feed(node, 0)
    assert seen == [None]  # the driver's mode not heard (another stack's driver): planned without flags
    node.on_driver_mode(String(data="normal"))
    _feed(node, 10_000_000)
    assert seen[-1] == both_down and node._contact_sub is None  # contacts are not listened to outside a hold
    node.on_driver_mode(String(data="hold"))
    assert node._contact_sub is not None  # listened to from the hold on
    _feed(node, 20_000_000)
    assert seen[-1] == FLAG_HELD  # held, no contacts heard yet
    before = node.rejected
    node.on_contact_states(ContactState(name=["hand"], in_contact=[True]))  # not our feet: rejected
    assert node.rejected == before + 1
    # the message's order is the estimator's; the flags follow the planner's feet
    frames = [node.robot.config.feet[f].frame for f in node.planner.feet]
    node.on_contact_states(ContactState(name=frames[::-1], in_contact=[True, False]))
    _feed(node, 30_000_000)
    assert seen[-1] == FLAG_HELD | (2 << 1)  # only the planner's second foot (the message's first) down
    node.on_driver_mode(String(data="normal"))
    _feed(node, 40_000_000)
    assert seen[-1] == 2 << 1  # the first plan after the hold: the contacts heard in it (re-phasing)
    assert node._contact_sub is None  # and no longer listened to
    _feed(node, 50_000_000)
    assert seen[-1] == both_down
    node.destroy_node()
