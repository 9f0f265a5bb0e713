"""What one 1-kHz message costs in rclpy on this machine (the profile behind the processes
layout's figures): publish of a reused JointState object and of its serialized bytes, with
the subscriber in the same process and in another process, and take as a message and raw.

    .venv/bin/python bench/ros_costs.py [--n 3000] [--json FILE]

ROS traffic stays on loopback (ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST), on its own domain.
Medians / p99 in µs."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
os.environ.setdefault("ROS_DOMAIN_ID", "181")

SUBSCRIBER = r"""
import rclpy, sys
from sensor_msgs.msg import JointState
rclpy.init()
n = rclpy.create_node("cost_listener")
n.create_subscription(JointState, "/cost_js", lambda m: None, 10)
print("ready", flush=True)
try:
    rclpy.spin(n)
except BaseException:
    pass
"""


def _stats(samples_ns) -> dict:
    a = np.asarray(samples_ns) * 1e-3
    return {"p50": round(float(np.median(a)), 1), "p99": round(float(np.percentile(a, 99)), 1)}


def _time_calls(fn, n: int) -> dict:
    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn()
        out.append(time.perf_counter_ns() - t)
        time.sleep(0.0005)
    return _stats(out)


def main() -> int:
    import rclpy
    from rclpy.serialization import serialize_message
    from sensor_msgs.msg import JointState

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--json", type=str, default="")
    a = ap.parse_args()
    rclpy.init()
    node = rclpy.create_node("cost_probe")
    pub = node.create_publisher(JointState, "/cost_js", 10)
    m = JointState()
    m.name = [f"joint_{i}" for i in range(30)]
    m.position = m.velocity = m.effort = [0.1] * 30
    raw = serialize_message(m)
    results = {"message": "sensor_msgs/JointState, 30 joints"}
    results["publish_no_subscriber"] = {"object": _time_calls(lambda: pub.publish(m), a.n)}
    got = []
    node.create_subscription(JointState, "/cost_js", lambda x: got.append(1), 10)
    raw_sub_node = rclpy.create_node("cost_raw")
    raw_sub_node.create_subscription(JointState, "/cost_js", lambda x: None, 10, raw=True)
    time.sleep(0.5)
    results["publish_same_process"] = {"object": _time_calls(lambda: pub.publish(m), a.n),
                                       "bytes": _time_calls(lambda: pub.publish(raw), a.n)}
    ex = rclpy.executors.SingleThreadedExecutor()
    ex.add_node(node)
    take = []
    for _ in range(min(a.n, 1000)):
        pub.publish(m)
        t = time.perf_counter_ns()
        ex.spin_once(timeout_sec=0.01)
        take.append(time.perf_counter_ns() - t)
    results["take_and_dispatch_same_process"] = _stats(take)
    listener = subprocess.Popen([sys.executable, "-c", SUBSCRIBER], stdout=subprocess.PIPE, text=True)
    try:
        listener.stdout.readline()
        t_end = time.monotonic() + 10
        while pub.get_subscription_count() < 3 and time.monotonic() < t_end:
            time.sleep(0.05)
        time.sleep(0.5)
        results["publish_other_process"] = {"object": _time_calls(lambda: pub.publish(m), a.n),
                                            "bytes": _time_calls(lambda: pub.publish(raw), a.n)}
    finally:
        listener.terminate()
        listener.wait()
    print(json.dumps(results, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    node.destroy_node()
    raw_sub_node.destroy_node()
    rclpy.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
