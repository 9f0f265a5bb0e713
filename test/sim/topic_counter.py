"""A separate subscriber process for the mirror test: counts the messages of the 1-kHz
topics (standard types) until its stdin closes, then prints {topic: count} as JSON."""
import json
import sys
import threading

import rclpy
from geometry_msgs.msg import WrenchStamped
from humanoid_control_msgs.msg import ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Imu, JointState

TOPICS = {"/joint_states": JointState, "/imu": Imu, "/left_foot/wrench": WrenchStamped,
          "/right_foot/wrench": WrenchStamped, "/odom": Odometry, "/contact_states": ContactState,
          "/joint_commands": JointCommand}


def main() -> None:
    rclpy.init()
    node = rclpy.create_node("topic_counter")
    counts = {t: 0 for t in TOPICS}
    qos = QoSProfile(depth=1000, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)

    def counter(topic, kind):
        def on_msg(msg):
            assert isinstance(msg, kind)
            counts[topic] += 1
        return on_msg
    for topic, kind in TOPICS.items():
        node.create_subscription(kind, topic, counter(topic, kind), qos)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    print("ready", flush=True)
    while not done.is_set():
        rclpy.spin_once(node, timeout_sec=0.05)
    for _ in range(40):  # what is still in flight
        rclpy.spin_once(node, timeout_sec=0.005)
    print(json.dumps(counts), flush=True)
    node.destroy_node()
    rclpy.shutdown()


if __name__ == "__main__":
    main()
