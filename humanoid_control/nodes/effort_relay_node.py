"""Effort relay node (Gazebo): JointState commands on ``input_topic`` to Float64MultiArray on
``output_topic`` in the joint order of ``controller`` in ``controllers_file`` (see
:mod:`humanoid_control.hardware.effort_relay`)."""
from __future__ import annotations

import rclpy
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64MultiArray

from humanoid_control.hardware.effort_relay import EffortRelay, controller_joints
from humanoid_control.nodes.common import STATE_QOS, exit_if_cleanup_hangs
from humanoid_control.paths import resolve_resource

WATCHDOG_PERIOD_S = 0.005  # [s]


class EffortRelayNode(Node):
    def __init__(self, **kwargs):
        super().__init__("effort_relay", **kwargs)
        p = {name: self.declare_parameter(name, default).value for name, default in (
            ("controllers_file", "package://humanoid_control/config/gazebo/controllers.yaml"),
            ("controller", "effort_controller"), ("input_topic", "/robot_joint_command"),
            ("output_topic", "/effort_controller/commands"), ("timeout_s", 0.05))}
        joints = controller_joints(resolve_resource(p["controllers_file"]), p["controller"])
        self.relay = EffortRelay(joints, p["timeout_s"])
        self.pub = self.create_publisher(Float64MultiArray, p["output_topic"], STATE_QOS)
        self.create_subscription(JointState, p["input_topic"], self.on_command, STATE_QOS)
        self.create_timer(WATCHDOG_PERIOD_S, self.on_watchdog)

    def _now_s(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    def on_command(self, msg: JointState) -> None:
        out = self.relay.on_command(msg.name, msg.effort, self._now_s())
        if out is None:
            self.get_logger().warn(f"command not forwarded: {self.relay.last_rejection}", throttle_duration_sec=1.0)
            return
        self.pub.publish(Float64MultiArray(data=out.tolist()))

    def on_watchdog(self) -> None:
        out = self.relay.check_timeout(self._now_s())
        if out is not None:
            self.get_logger().warn("no command within timeout_s: zero torques sent")
            self.pub.publish(Float64MultiArray(data=out.tolist()))


def main(args=None) -> None:
    rclpy.init(args=args)
    node = None
    try:
        node = EffortRelayNode()
        rclpy.spin(node)
    except KeyboardInterrupt:
        pass
    finally:
        watchdog = exit_if_cleanup_hangs("effort_relay")
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
        watchdog.cancel()


if __name__ == "__main__":
    main()
