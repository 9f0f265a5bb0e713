"""A separate subscriber process for the mirror test: counts the messages of the 1-kHz
topics until its stdin closes, then prints {topic: count} as JSON. It takes them raw (the
cheap path: a listener that deserialised every message would not keep up on 2 cores) and
deserialises every CHECK_EVERY-th into its standard type, which must succeed."""
import json
import sys
import threading
import time

import rclpy
from rclpy.serialization import deserialize_message
from geometry_msgs.msg import WrenchStamped
from humanoid_control_msgs.msg import ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Imu, JointState

CHECK_EVERY = 50
TOPICS = {"/joint_states": JointState, "/imu": Imu, "/left_foot/wrench": WrenchStamped,
          "/right_foot/wrench": WrenchStamped, "/odom": Odometry, "/contact_states": ContactState,
          "/joint_commands": JointCommand}


def main() -> None:
    rclpy.init()
    node = rclpy.create_node("topic_counter")
    counts = {t: 0 for t in TOPICS}
    qos = QoSProfile(depth=1000, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)

    def counter(topic, kind):
        def on_msg(data: bytes):
            if counts[topic] % CHECK_EVERY == 0:
                deserialize_message(data, kind)  # raises unless the bytes are this standard type
            counts[topic] += 1
        return on_msg
    for topic, kind in TOPICS.items():
        node.create_subscription(kind, topic, counter(topic, kind), qos, raw=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    print("ready", flush=True)
    while not done.is_set():
        rclpy.spin_once(node, timeout_sec=0.05)
    quiet_since = time.monotonic()
    total = -1
    while time.monotonic() - quiet_since < 0.5:  # what is still in flight: until 0.5 s pass without any
        rclpy.spin_once(node, timeout_sec=0.01)
        if sum(counts.values()) != total:
            total, quiet_since = sum(counts.values()), time.monotonic()
    print(json.dumps(counts), flush=True)
    node.destroy_node()
    rclpy.shutdown()


if __name__ == "__main__":
    main()
