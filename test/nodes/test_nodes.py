"""Node tests with rclpy: topics, types, rates, NaN rejection. Each test uses its own
ROS_DOMAIN_ID and rclpy context; discovery stays on loopback."""
import time

import numpy as np
import pytest
import rclpy
from geometry_msgs.msg import WrenchStamped
from humanoid_control_msgs.msg import ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
from sensor_msgs.msg import Imu, JointState

from humanoid_control.errors import ConfigError, ParameterRangeError
from humanoid_control.nodes.common import STATE_QOS, stamp_to_ns

pytestmark = pytest.mark.ros


def _graph(ctx, sim_time=True):
    from humanoid_control.nodes.driver_node import DriverNode
    from humanoid_control.nodes.estimator_node import EstimatorNode
    from humanoid_control.nodes.wbc_node import WbcNode
    st = [Parameter("use_sim_time", value=sim_time)]
    return (DriverNode(context=ctx), EstimatorNode(context=ctx, parameter_overrides=st),
            WbcNode(context=ctx, parameter_overrides=st))


def test_the_lockstep_graph_publishes_every_documented_topic_at_1khz_sim_time(ctx):
    nodes = _graph(ctx)
    probe = rclpy.create_node("probe", context=ctx)
    got = {t: [] for t in ("/joint_states", "/imu", "/left_foot/wrench", "/odom", "/contact_states", "/joint_commands")}
    types = {"/joint_states": JointState, "/imu": Imu, "/left_foot/wrench": WrenchStamped, "/odom": Odometry,
             "/contact_states": ContactState, "/joint_commands": JointCommand}
    for topic, typ in types.items():
        probe.create_subscription(typ, topic, lambda m, t=topic: got[t].append(stamp_to_ns(m.header.stamp)), STATE_QOS)
    ex = SingleThreadedExecutor(context=ctx)
    for n in (*nodes, probe):
        ex.add_node(n)
    driver = nodes[0]
    t0 = time.monotonic()
    while driver.tick_ns < 300_000_000 and time.monotonic() - t0 < 60:
        ex.spin_once(timeout_sec=0.05)
    for _ in range(50):
        ex.spin_once(timeout_sec=0.005)
    assert driver.tick_ns >= 300_000_000
    for topic, stamps in got.items():
        s = np.unique(stamps)
        assert len(s) > 250, topic
        assert np.median(np.diff(s)) == 1_000_000, topic  # one message per 1 ms of sim time
    assert driver.safety.mode.value == "normal"
    js = nodes[0]._js
    assert len(js.name) == nodes[0].robot.nj
    for n in (*nodes, probe):
        n.destroy_node()


def test_a_controller_that_joins_late_still_starts_the_lockstep_graph(ctx):
    from humanoid_control.nodes.driver_node import DriverNode
    from humanoid_control.nodes.estimator_node import EstimatorNode
    from humanoid_control.nodes.wbc_node import WbcNode
    st = [Parameter("use_sim_time", value=True)]
    driver, est = DriverNode(context=ctx), EstimatorNode(context=ctx, parameter_overrides=st)
    ex = SingleThreadedExecutor(context=ctx)
    ex.add_node(driver)
    ex.add_node(est)
    for _ in range(40):  # the estimator answers the first state; nobody hears its /odom yet
        ex.spin_once(timeout_sec=0.01)
    assert est.stats.count >= 1 and driver.tick_ns == 0
    wbc = WbcNode(context=ctx, parameter_overrides=st)
    ex.add_node(wbc)
    t0 = time.monotonic()
    while driver.tick_ns < 50_000_000 and time.monotonic() - t0 < 30:
        ex.spin_once(timeout_sec=0.05)
    assert driver.tick_ns >= 50_000_000, "lockstep never started: the late WBC never got a complete first input"
    assert est.rejected == 0  # the driver's repeats were answered, not counted as faults
    for n in (driver, est, wbc):
        n.destroy_node()


def test_driver_rejects_a_nan_command_and_counts_it(ctx):
    from humanoid_control.nodes.driver_node import DriverNode
    driver = DriverNode(context=ctx, parameter_overrides=[Parameter("publish_ground_truth", value=False)])
    probe = rclpy.create_node("probe", context=ctx)
    pub = probe.create_publisher(JointCommand, "/joint_commands", STATE_QOS)
    ex = SingleThreadedExecutor(context=ctx)
    ex.add_node(driver)
    ex.add_node(probe)
    n = driver.robot.nj
    msg = JointCommand(name=list(driver.robot.ros_joint_names), position=[0.0] * n, velocity=[0.0] * n,
                       effort=[float("nan")] + [0.0] * (n - 1), kp=[0.0] * n, kd=[1.0] * n)
    t0 = time.monotonic()
    while driver.safety.rejected == 0 and time.monotonic() - t0 < 20:
        msg.header.stamp = driver.get_clock().now().to_msg()
        msg.header.stamp.sec, msg.header.stamp.nanosec = driver.tick_ns // 10**9, driver.tick_ns % 10**9
        pub.publish(msg)
        ex.spin_once(timeout_sec=0.05)
    assert driver.safety.rejected >= 1
    assert "not finite" in driver.safety.last_rejection and driver.robot.ros_joint_names[0] in driver.safety.last_rejection
    assert driver.commands_received == 0  # a rejected command never reaches the hardware:
    np.testing.assert_array_equal(driver.hw.joint_command["kp"], 0.0)  # what was applied is damping
    assert np.all(driver.hw.joint_command["kd"] > 0)
    np.testing.assert_array_equal(driver.hw.joint_command["effort"], 0.0)
    driver.destroy_node()
    probe.destroy_node()


def test_the_driver_falls_back_to_damping_when_the_controller_stops(ctx):
    from humanoid_control.nodes.driver_node import DriverNode
    from humanoid_control.nodes.estimator_node import EstimatorNode
    from humanoid_control.nodes.wbc_node import WbcNode
    st = [Parameter("use_sim_time", value=True)]
    driver = DriverNode(context=ctx, parameter_overrides=[Parameter("lockstep_timeout_s", value=0.05),
                                                          Parameter("hold_timeout_s", value=0.05)])
    est, wbc = EstimatorNode(context=ctx, parameter_overrides=st), WbcNode(context=ctx, parameter_overrides=st)
    from std_msgs.msg import String

    from humanoid_control.nodes.common import LATCHED_QOS
    probe = rclpy.create_node("mode_probe", context=ctx)
    modes = []  # /driver/mode, published on change (the MPC node reads the controlled stop from it)
    probe.create_subscription(String, "/driver/mode", lambda m: modes.append(m.data), LATCHED_QOS)
    ex = SingleThreadedExecutor(context=ctx)
    for n in (driver, est, wbc, probe):
        ex.add_node(n)
    t0 = time.monotonic()
    while driver.tick_ns < 200_000_000 and time.monotonic() - t0 < 60:
        ex.spin_once(timeout_sec=0.05)
    assert driver.safety.mode.value == "normal" and driver.commands_received > 150
    ex.remove_node(wbc)  # the controller dies
    stopped_at = driver.tick_ns * 1e-9
    while driver.safety.mode.value != "damping" and time.monotonic() - t0 < 90:
        ex.spin_once(timeout_sec=0.05)
    ex.spin_once(timeout_sec=0.05)
    hold, event = driver.safety.events  # a controlled stop first, damping when it runs out
    assert (hold.reason, hold.action) == ("command_timeout", "hold")
    timeout = driver.cfg["command_timeout_s"]
    assert stopped_at + timeout - 0.002 <= hold.t <= stopped_at + timeout + 0.005  # within a tick of the deadline
    assert event.reason == "command_timeout" and event.action == "damping"
    assert hold.t + 0.05 <= event.t <= hold.t + 0.05 + 0.002  # hold_timeout_s
    np.testing.assert_array_equal(driver.hw.joint_command["kp"], 0.0)
    np.testing.assert_array_equal(driver.hw.joint_command["effort"], 0.0)
    assert np.all(driver.hw.joint_command["kd"] > 0)
    for _ in range(10):
        ex.spin_once(timeout_sec=0.02)
    assert modes == ["normal", "hold", "damping"]
    for n in (driver, est, wbc, probe):
        n.destroy_node()


def test_estimator_rejects_nan_joint_states(ctx):
    from humanoid_control.nodes.estimator_node import EstimatorNode
    est = EstimatorNode(context=ctx)
    probe = rclpy.create_node("probe", context=ctx)
    pub = probe.create_publisher(JointState, "/joint_states", STATE_QOS)
    ex = SingleThreadedExecutor(context=ctx)
    ex.add_node(est)
    ex.add_node(probe)
    n = est.robot.nj
    msg = JointState(name=list(est.robot.ros_joint_names), position=[float("nan")] * n, velocity=[0.0] * n)
    t0 = time.monotonic()
    while est.rejected == 0 and time.monotonic() - t0 < 20:
        pub.publish(msg)
        ex.spin_once(timeout_sec=0.05)
    assert est.rejected >= 1 and "NaN" in est.last_rejection
    est.destroy_node()
    probe.destroy_node()


def test_wbc_rejects_nan_odometry(ctx):
    from humanoid_control.nodes.wbc_node import WbcNode
    wbc = WbcNode(context=ctx)
    probe = rclpy.create_node("probe", context=ctx)
    pub = probe.create_publisher(Odometry, "/odom", STATE_QOS)
    ex = SingleThreadedExecutor(context=ctx)
    ex.add_node(wbc)
    ex.add_node(probe)
    msg = Odometry()
    msg.pose.pose.position.x = float("nan")
    t0 = time.monotonic()
    while wbc.rejected == 0 and time.monotonic() - t0 < 20:
        pub.publish(msg)
        ex.spin_once(timeout_sec=0.05)
    assert wbc.rejected >= 1 and "/odom" in wbc.last_rejection
    wbc.destroy_node()
    probe.destroy_node()


def test_realtime_driver_holds_the_plant_until_the_first_command_then_keeps_wall_clock_time(ctx):
    from humanoid_control.nodes.driver_node import DriverNode
    driver = DriverNode(context=ctx, parameter_overrides=[Parameter("mode", value="realtime"),
                                                          Parameter("command_timeout_s", value=0.2),  # test loop jitter
                                                          Parameter("publish_ground_truth", value=False)])
    probe = rclpy.create_node("probe", context=ctx)
    states = []
    probe.create_subscription(JointState, "/joint_states", lambda m: states.append(m), STATE_QOS)
    pub = probe.create_publisher(JointCommand, "/joint_commands", STATE_QOS)
    ex = SingleThreadedExecutor(context=ctx)
    ex.add_node(driver)
    ex.add_node(probe)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 1.0:
        ex.spin_once(timeout_sec=0.01)
    assert 500 <= len(states) <= 1100  # ~1 kHz wall clock on a noisy 2-core machine
    assert driver.tick_ns == 0 and driver.stats.count == 0  # held: no physics without a controller
    # a controller that holds the current joint positions, at whatever rate this loop manages
    n = driver.robot.nj
    t1 = time.monotonic()
    while time.monotonic() - t1 < 1.0:
        last = states[-1]
        cmd = JointCommand(name=list(last.name), position=list(last.position), velocity=[0.0] * n,
                           effort=[0.0] * n, kp=[50.0] * n, kd=[2.0] * n)
        cmd.header.stamp = last.header.stamp
        pub.publish(cmd)
        ex.spin_once(timeout_sec=0.001)
    assert driver.commands_received > 0  # (joint PD alone cannot balance it: the robot may fall, that is fine here)
    # the simulated plant kept wall-clock time, whatever the tick rate reached
    assert 0.8 <= driver.tick_ns * 1e-9 <= 1.05
    driver.destroy_node()
    probe.destroy_node()


def test_an_out_of_range_parameter_stops_the_node_with_its_name_and_bounds(ctx):
    from humanoid_control.nodes.driver_node import DriverNode
    with pytest.raises(ParameterRangeError, match="rate_hz.*5000"):
        DriverNode(context=ctx, parameter_overrides=[Parameter("rate_hz", value=5000.0)])


def test_an_unknown_parameter_is_named_with_the_valid_ones(ctx):
    from humanoid_control.nodes.wbc_node import WbcNode
    with pytest.raises(ConfigError, match="com_wieght.*com_weight"):
        WbcNode(context=ctx, parameter_overrides=[Parameter("com_wieght", value=1.0)])


def _plan_msg(robot, ns):
    from humanoid_control.planning.locomotion import LocomotionPlanner
    from humanoid_control.planning.plan_codec import encode
    from humanoid_control.nodes.plan_msg import fields_to_msg
    planner = LocomotionPlanner(robot)
    q, v = robot.nominal_configuration(), np.zeros(robot.nv)
    t0 = ns * 1e-9
    for k in range(15):  # a walk has started: a swing is planned within the horizon
        plan = planner.update(t0 - 0.14 + 0.01 * k, q, v, (0.3, 0.0, 0.0))
    plan.t0 = t0
    return fields_to_msg(encode(plan), ns)


def test_the_plan_message_carries_the_solver_s_cpu_time_and_budget_flag_both_ways():
    from humanoid_control.nodes.plan_msg import msg_to_fields
    from humanoid_control.robot.model import RobotModel
    msg = _plan_msg(RobotModel.load("humanoid"), 5 * 10 ** 9)
    assert msg.solve_cpu_ms > 0.0 and msg.budget_exceeded is False and msg.walking is True
    msg.budget_exceeded, msg.solve_cpu_ms = True, 4.5
    fields = msg_to_fields(msg)
    assert fields["budget_exceeded"] is True and fields["solve_cpu_ms"] == 4.5 and fields["iterations"] == msg.iterations


def test_the_wbc_follows_a_fresh_plan_refuses_a_foreign_one_and_stands_when_plans_stop(ctx):
    from humanoid_control.nodes.wbc_node import WbcNode
    wbc = WbcNode(context=ctx)
    ns0 = 5 * 10 ** 9
    foreign = _plan_msg(wbc.robot, ns0)
    foreign.feet = ["front", "back"]
    wbc.on_plan(foreign)
    assert wbc.plan is None and wbc.plan_rejected == 1 and "front" in wbc.last_rejection
    wbc.on_plan(_plan_msg(wbc.robot, ns0))
    assert wbc.plans_received == 1
    ref = wbc.reference(ns0 + 50_000_000)
    assert ref is not None and not all(ref.contacts.values())  # a swing in progress, as planned
    late = ns0 + int((wbc.cfg["plan_timeout_s"] + 0.05) * 1e9)
    assert wbc.reference(late) is None and wbc.plan_timeouts == 1  # no fresh plan: stand, counted
    wbc.destroy_node()


def test_the_estop_topic_and_services_latch_and_release_the_driver(ctx):
    from std_msgs.msg import Bool
    from std_srvs.srv import Trigger

    from humanoid_control.nodes.driver_node import DriverNode
    from humanoid_control.safety.supervisor import Mode
    driver = DriverNode(context=ctx, parameter_overrides=[Parameter("publish_ground_truth", value=False),
                                                          Parameter("estop_action", value="torque_off")])
    probe = rclpy.create_node("probe", context=ctx)
    pub = probe.create_publisher(Bool, "/estop", 10)
    stop, reset = (probe.create_client(Trigger, name) for name in ("/estop/stop", "/estop/reset"))
    ex = SingleThreadedExecutor(context=ctx)
    ex.add_node(driver)
    ex.add_node(probe)

    def call(client):
        assert client.wait_for_service(timeout_sec=10.0)
        future = client.call_async(Trigger.Request())
        ex.spin_until_future_complete(future, timeout_sec=10.0)
        return future.result()

    t0 = time.monotonic()
    while driver.safety.mode is Mode.NORMAL and time.monotonic() - t0 < 10:
        pub.publish(Bool(data=True))
        ex.spin_once(timeout_sec=0.05)
    assert driver.safety.mode is Mode.TORQUE_OFF and driver.safety.events[0].reason == "estop"
    res = call(reset)
    assert res.success and driver.safety.mode is Mode.NORMAL
    res = call(stop)
    assert res.success and "torque_off" in res.message and driver.safety.mode is Mode.TORQUE_OFF
    assert [e.reason for e in driver.safety.events] == ["estop", "reset", "estop"]
    driver.destroy_node()
    probe.destroy_node()
