"""Recorder (``humanoid-control sim --record FILE.mcap``): subscribes to every topic of the run
as raw bytes and hands them to :class:`~humanoid_control.sim.mcap_recording.McapRecorder`.

It discovers topics when :meth:`RecorderNode.discover` is called (the CLI calls it while the
run starts and then every 0.1 s of wall time), so topics of nodes in other processes are recorded
from the moment they appear. Log and publish times: simulated time from ``/clock`` in
lockstep, wall-clock time at reception otherwise (rclpy's EventsExecutor cannot hand a
callback the message info that carries the source timestamp)."""
from __future__ import annotations

import importlib
import time

from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message
from rosgraph_msgs.msg import Clock

from humanoid_control.sim.mcap_recording import McapRecorder, RecordingError

RECORD_DEPTH = 1000  # messages a topic may queue before the recorder takes them


def message_class(type_name: str):
    pkg, kind, name = type_name.split("/")
    return getattr(importlib.import_module(f"{pkg}.{kind}"), name)


class RecorderNode(Node):
    def __init__(self, recorder: McapRecorder, sim_time: bool, **kwargs):
        super().__init__("recorder", **kwargs)
        self.recorder = recorder
        self.sim_time = sim_time
        self.clock_ns = 0  # [ns] newest /clock (lockstep)
        self.skipped = {}  # topic -> why it is not recorded
        self._subs = {}

    def subscribe(self, topic: str, type_name: str, best_effort: bool = True) -> bool:
        """Record ``topic`` from now on (False, with the reason in ``skipped``, when its type
        has no message class or definition here). Best effort matches every publisher."""
        if topic in self._subs:
            return True
        try:
            cls = message_class(type_name)
            self.recorder.add_topic(topic, type_name)
        except (ImportError, AttributeError, ValueError, RecordingError) as exc:
            self.skipped[topic] = f"{type_name}: {exc}"
            return False
        qos = QoSProfile(depth=RECORD_DEPTH, reliability=ReliabilityPolicy.BEST_EFFORT if best_effort
                         else ReliabilityPolicy.RELIABLE)
        self._subs[topic] = self.create_subscription(
            cls, topic, lambda data, topic=topic: self.on_message(topic, data), qos, raw=True)
        return True

    def recorded_topics(self) -> dict:
        """{topic: rclpy Subscription} of the topics recorded (rclpy's own ``subscriptions`` lists them all)."""
        return dict(self._subs)

    def discover(self) -> int:
        """Subscribe to topics not recorded yet; returns how many are recorded."""
        for topic, types in self.get_topic_names_and_types():
            if topic in self._subs or topic in self.skipped:
                continue
            best_effort = any(i.qos_profile.reliability == ReliabilityPolicy.BEST_EFFORT
                              for i in self.get_publishers_info_by_topic(topic))
            self.subscribe(topic, types[0], best_effort)
        return len(self._subs)

    def on_message(self, topic: str, data: bytes) -> None:
        if topic == "/clock":
            c = deserialize_message(data, Clock).clock
            self.clock_ns = max(self.clock_ns, c.sec * 1_000_000_000 + c.nanosec)
        self.recorder.write(topic, data, self.clock_ns if self.sim_time else time.time_ns())
