"""Hardware bridge node: serves one of our backends over the topic contract of ros2_control's
topic-based hardware, so a real controller_manager (with ``topic_based_ros2_control``) or any
JointState publisher can drive it; plus :func:`attach_topic_bridge`, the rclpy glue of the
controlling side (:class:`~humanoid_control.hardware.topic_bridge.TopicBridgeSystem`).

Served side, per ``rate_hz`` tick: the newest command message (by joint name) → backend
``write`` → ``read`` → one ``JointState`` of every joint's position, velocity and effort.

Parameters: ``robot`` (config/robots name or YAML), ``backend`` (``mock``: states follow
commands, ros2_control's generic mock), ``rate_hz`` [Hz] (1..2000), ``joint_commands_topic``,
``joint_states_topic``. Run: ``python -m humanoid_control.nodes.hardware_bridge_node
--ros-args -p robot:=humanoid``."""
from __future__ import annotations

import sys

from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import JointState

from humanoid_control.errors import ConfigError, HumanoidControlError, UnknownNameError
from humanoid_control.hardware.mock_system import MockSystem
from humanoid_control.hardware.system_interface import CallbackReturn
from humanoid_control.hardware.topic_bridge import FIELDS, TopicBridgeParams, by_name
from humanoid_control.nodes.common import run_node
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import hardware_info_for

BRIDGE_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
SERVED_BACKENDS = ("mock",)


def attach_topic_bridge(node: Node, system, params: TopicBridgeParams, spin_while_activating: bool = False) -> None:
    """Give a :class:`TopicBridgeSystem` its publisher and subscription on ``node``; with
    ``spin_while_activating``, activation spins ``node`` itself (a node still being built)."""
    pub = node.create_publisher(JointState, params.joint_commands_topic, BRIDGE_QOS)

    def publish(names, position, velocity, effort):
        msg = JointState()
        msg.header.stamp = node.get_clock().now().to_msg()
        msg.name, msg.position, msg.velocity, msg.effort = names, position, velocity, effort
        pub.publish(msg)

    system.publish = publish
    if spin_while_activating:
        executor = SingleThreadedExecutor(context=node.context)

        def spin():
            executor.add_node(node)
            try:
                executor.spin_once(timeout_sec=0.005)
            finally:
                executor.remove_node(node)

        system.spin = spin
    node.create_subscription(
        JointState, params.joint_states_topic,
        lambda m: system.on_joint_state(list(m.name), list(m.position), list(m.velocity), list(m.effort)), BRIDGE_QOS)


class HardwareBridgeNode(Node):
    def __init__(self, **kwargs):
        super().__init__("hardware_bridge", **kwargs)
        robot_name = self.declare_parameter("robot", "humanoid").value
        backend = self.declare_parameter("backend", "mock").value
        rate_hz = float(self.declare_parameter("rate_hz", 200.0).value)
        topics = TopicBridgeParams(self.declare_parameter("joint_commands_topic", "/robot_joint_command").value,
                                   self.declare_parameter("joint_states_topic", "/robot_joint_states").value)
        if backend not in SERVED_BACKENDS:
            raise UnknownNameError("served backend", backend, SERVED_BACKENDS, "hardware_bridge parameter 'backend'")
        if not 1.0 <= rate_hz <= 2000.0:
            raise ConfigError(f"parameter 'rate_hz' = {rate_hz} [Hz] is outside [1, 2000]", "hardware_bridge")
        robot = RobotModel.load(robot_name)
        info = hardware_info_for(robot.urdf_text, str(robot.config.urdf_path), robot.joint_names)
        self.hw = MockSystem()
        for step, call in (("init", lambda: self.hw.init(info)), ("configure", self.hw.configure),
                           ("activate", self.hw.activate)):
            if call() is not CallbackReturn.SUCCESS:
                raise HumanoidControlError(f"backend '{backend}' failed to {step}")
        self.period = 1.0 / rate_hz
        self._latest = None
        self.ticks = 0
        self.pub = self.create_publisher(JointState, topics.joint_states_topic, BRIDGE_QOS)
        self.create_subscription(JointState, topics.joint_commands_topic, self.on_command, BRIDGE_QOS)
        self.create_timer(self.period, self.tick)
        self.get_logger().info(f"serving backend '{backend}' of {robot_name} ({len(self.hw.joint_names)} joints) on "
                               f"{topics.joint_commands_topic} → {topics.joint_states_topic} at {rate_hz:g} Hz")

    def on_command(self, msg: JointState) -> None:
        self._latest = msg

    def tick(self) -> None:
        msg, self._latest = self._latest, None
        if msg is not None:
            for f in FIELDS:
                if f in self.hw.joint_command:
                    by_name(msg.name, list(getattr(msg, f)), self.hw.joint_names, self.hw.joint_command[f])
        t = self.ticks * self.period
        self.hw.write_checked(t, self.period)
        self.hw.read_checked(t + self.period, self.period)
        self.ticks += 1
        out = JointState()
        out.header.stamp = self.get_clock().now().to_msg()
        out.name = list(self.hw.joint_names)
        for f in FIELDS:
            values = self.hw.joint_state.get(f)
            setattr(out, f, values.tolist() if values is not None else [])
        self.pub.publish(out)


def main(args=None) -> int:
    return run_node("hardware_bridge", HardwareBridgeNode, args)


if __name__ == "__main__":
    sys.exit(main())
