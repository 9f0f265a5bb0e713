"""The topic mirror process: publishes the composed loop's 1-kHz topics with their standard
types from the loop's shared-memory tick ring (:mod:`humanoid_control.loop.mirror`), on its
own core and GIL, so that a listener in another process — whose every message costs ~75 µs
of DDS write with the GIL held — never stalls the control loop.

Streams: ``/joint_states`` (sensor_msgs/JointState), ``/imu`` (sensor_msgs/Imu),
``/<side>_foot/wrench`` (geometry_msgs/WrenchStamped, sole frame), ``/odom``
(nav_msgs/Odometry), ``/contact_states`` (humanoid_control_msgs/ContactState),
``/joint_commands`` (humanoid_control_msgs/JointCommand), ``/clock`` (lockstep),
``/ground_truth/{odom,com}`` (simulation) and ``/centroidal_plan`` when plans come. Only
streams with a subscriber are published (the counts are looked up every
``COUNT_REFRESH_S``; the loop then skips filling the ring for nobody). When the process
falls behind, it publishes the newest ``MAX_BACKLOG`` records and counts the rest as dropped."""
from __future__ import annotations

import time

from geometry_msgs.msg import PointStamped, WrenchStamped
from humanoid_control_msgs.msg import CentroidalPlan, ContactState, JointCommand
from nav_msgs.msg import Odometry
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import Imu, JointState

from humanoid_control.loop.child_process import start_child, stop_child
from humanoid_control.loop.mirror import STREAM_TOPICS
from humanoid_control.loop.tick_ring import TickRing
from humanoid_control.nodes.common import exit_if_cleanup_hangs, to_array
from humanoid_control.nodes.plan_msg import fields_to_msg


#: reliable, with a deep history: a burst while the mirror catches up is not overwritten
#: before a reliable subscriber has taken it (best-effort subscribers match it too)
MIRROR_QOS = QoSProfile(depth=1000, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)
#: [s] the mirror's pause between looks at the ring: with a subscriber, and without any
BUSY_SLEEP_S, IDLE_SLEEP_S = 0.0003, 0.02
#: [s] at the end, how long the mirror may take to publish what is still in the ring
DRAIN_TIMEOUT_S = 10.0


def _set_stamp(stamp, ns: int) -> None:
    stamp.sec, stamp.nanosec = int(ns // 1_000_000_000), int(ns % 1_000_000_000)


class MirrorNode(Node):
    COUNT_REFRESH_S = 0.05  # [s] wall time between looks at the subscriber counts
    RECORDS_PER_TURN = 50  # records published between two looks at the pipe and the counts

    def __init__(self, ring: TickRing, names: dict, lockstep: bool, simulation: bool, plans: bool, **kwargs):
        super().__init__("control_loop_mirror", **kwargs)
        self.ring = ring
        self.sides = tuple(names["feet"])
        f = ring.field
        self._f = f
        self.nj = len(names["joints"])
        kinds = {"js": (JointState, "/joint_states"), "imu": (Imu, "/imu"), "odom": (Odometry, "/odom"),
                 "contact": (ContactState, "/contact_states"), "cmd": (JointCommand, "/joint_commands")}
        if lockstep:
            kinds["clock"] = (ClockMsg, "/clock")
        if simulation:
            kinds["gt"] = (Odometry, "/ground_truth/odom")
            kinds["gt_com"] = (PointStamped, "/ground_truth/com")
        if plans:
            kinds["plan"] = (CentroidalPlan, "/centroidal_plan")
        for s in self.sides:
            kinds[f"wrench_{s}"] = (WrenchStamped, f"/{s}_foot/wrench")
        assert set(kinds) <= set(ring.stream_index), "streams unknown to the ring"
        self.pub = {k: self.create_publisher(t, topic, 10 if k == "clock" else MIRROR_QOS)
                    for k, (t, topic) in kinds.items()}
        self.topics = {k: topic for k, (_, topic) in kinds.items()}  # stream -> the topic it is published on
        self.published = {k: 0 for k in self.pub}
        self._next_count = 0.0
        self._live = {k: False for k in self.pub}
        self._js = JointState()
        self._js.name = list(names["joints"])
        self._imu = Imu()
        self._imu.header.frame_id = names["imu_frame"]
        self._wrench = {s: WrenchStamped() for s in self.sides}
        for s, m in self._wrench.items():
            m.header.frame_id = names["feet"][s]
        self._odom = Odometry()
        self._odom.header.frame_id = "odom"
        self._odom.child_frame_id = names["base_link"]
        self._contact = ContactState()
        self._contact.name = [names["feet"][s] for s in self.sides]
        self._cmd = JointCommand()
        self._cmd.name = list(names["joints"])
        self._gt = Odometry()
        self._gt.header.frame_id = "world"
        self._gt.child_frame_id = names["base_link"]
        self._gt_com = PointStamped()
        self._gt_com.header.frame_id = "world"
        self._plan = CentroidalPlan()

    def refresh_live(self) -> None:
        now = time.monotonic()
        if now < self._next_count:
            return
        self._next_count = now + self.COUNT_REFRESH_S
        for k, p in self.pub.items():
            live = p.get_subscription_count() > 0
            self._live[k] = live
            self.ring.set_live(k, live)

    def any_live(self) -> bool:
        return any(self._live.values())

    def publish_plan(self, ns: int, fields: dict) -> None:
        if self._live.get("plan"):
            self.pub["plan"].publish(fields_to_msg(fields, ns, self._plan))
            self.published["plan"] += 1

    def pump(self) -> int:
        """Publish what the loop wrote since the last turn; returns the records taken."""
        self.refresh_live()
        stamps, records = self.ring.take_oldest(self.RECORDS_PER_TURN)
        for st, rec in zip(stamps, records):
            self.publish_record(int(st[0]), int(st[1]), rec)
        return len(records)

    def publish_record(self, ns_state: int, ns_plant: int, rec) -> None:
        live, f, pub, nf, nj = self._live, self._f, self.pub, len(self.sides), self.nj
        if live.get("clock"):
            c = ClockMsg()
            _set_stamp(c.clock, ns_plant)
            pub["clock"].publish(c)
            self.published["clock"] += 1
        if live["odom"]:
            o = self._odom
            _set_stamp(o.header.stamp, ns_state)
            pp, qq, tl, ta = o.pose.pose.position, o.pose.pose.orientation, o.twist.twist.linear, o.twist.twist.angular
            pp.x, pp.y, pp.z, qq.x, qq.y, qq.z, qq.w, tl.x, tl.y, tl.z, ta.x, ta.y, ta.z = rec[f["odom"]].tolist()
            pub["odom"].publish(o)
            self.published["odom"] += 1
        if live["contact"]:
            m = self._contact
            _set_stamp(m.header.stamp, ns_state)
            c = rec[f["contact"]]
            m.in_contact = [bool(x) for x in c[0:nf]]
            m.normal_force = c[nf:2 * nf].tolist()
            m.probability = c[2 * nf:3 * nf].tolist()
            pub["contact"].publish(m)
            self.published["contact"] += 1
        if live["cmd"]:
            m = self._cmd
            _set_stamp(m.header.stamp, ns_state)
            rows = rec[f["command"]].reshape(5, nj)
            m.position, m.velocity, m.effort, m.kp, m.kd = (to_array(r) for r in rows)
            pub["cmd"].publish(m)
            self.published["cmd"] += 1
        if live["js"]:
            js = self._js
            _set_stamp(js.header.stamp, ns_plant)
            js.position, js.velocity, js.effort = (to_array(rec[f[k]]) for k in ("js_position", "js_velocity",
                                                                                 "js_effort"))
            pub["js"].publish(js)
            self.published["js"] += 1
        if live["imu"]:
            m = self._imu
            _set_stamp(m.header.stamp, ns_plant)
            o, w, a = m.orientation, m.angular_velocity, m.linear_acceleration
            o.x, o.y, o.z, o.w, w.x, w.y, w.z, a.x, a.y, a.z = rec[f["imu"]].tolist()
            pub["imu"].publish(m)
            self.published["imu"] += 1
        for s in self.sides:
            key = f"wrench_{s}"
            if live[key]:
                m = self._wrench[s]
                _set_stamp(m.header.stamp, ns_plant)
                fo, to = m.wrench.force, m.wrench.torque
                fo.x, fo.y, fo.z, to.x, to.y, to.z = rec[f[key]].tolist()
                pub[key].publish(m)
                self.published[key] += 1
        if live.get("gt") or live.get("gt_com"):
            g = rec[f["ground_truth"]].tolist()
            o = self._gt
            _set_stamp(o.header.stamp, ns_plant)
            pp, qq, tl, ta = o.pose.pose.position, o.pose.pose.orientation, o.twist.twist.linear, o.twist.twist.angular
            pp.x, pp.y, pp.z, qq.x, qq.y, qq.z, qq.w, tl.x, tl.y, tl.z, ta.x, ta.y, ta.z = g[0:13]
            c = self._gt_com
            _set_stamp(c.header.stamp, ns_plant)
            c.point.x, c.point.y, c.point.z = g[13:16]
            pub["gt_com"].publish(c)
            pub["gt"].publish(o)
            self.published["gt"] += 1


def mirror_main(ring_name: str, layout, names: dict, lockstep: bool, simulation: bool, conn) -> None:
    """The mirror process: attach to the ring, say ready on ``conn``, then publish until
    ``conn`` says stop (or closes); plans arrive on ``conn`` as ("plan", ns, fields)."""
    import signal

    import rclpy
    from rclpy.signals import SignalHandlerOptions

    from humanoid_control.nodes.common import ensure_localhost_discovery

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the loop stops us
    ensure_localhost_discovery()
    ring = TickRing(layout, ring_name, create=False)
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    node = MirrorNode(ring, names, lockstep, simulation, plans=True)
    conn.send(("ready", dict(node.topics)))
    try:
        running = True
        while running:
            n = node.pump()
            while conn.poll():
                try:
                    msg = conn.recv()
                except EOFError:
                    running = False
                    break
                if msg[0] == "plan":
                    node.publish_plan(msg[1], msg[2])
                else:
                    running = False
            if n == 0 and running:
                # nobody listening: look again at the next count refresh; else right after the next tick
                time.sleep(IDLE_SLEEP_S if not node.any_live() else BUSY_SLEEP_S)
        t_end = time.monotonic() + DRAIN_TIMEOUT_S
        while node.pump() and time.monotonic() < t_end:  # what the loop wrote last
            pass
        conn.send(("stats", {"published": dict(node.published), "dropped": ring.dropped,
                             "unpublished": int(ring.header[0]) - ring.read_count}))
    except (KeyboardInterrupt, BrokenPipeError, EOFError):
        pass
    finally:
        watchdog = exit_if_cleanup_hangs("mirror")
        node.destroy_node()
        rclpy.try_shutdown()
        ring.close()
        watchdog.cancel()


class MirrorProcess:
    """The loop's handle on its mirror process: the ring in shared memory, the process
    (multiprocessing, spawn) and the pipe that carries plans and the stop."""

    READY_TIMEOUT_S = 60.0
    STOP_TIMEOUT_S = DRAIN_TIMEOUT_S + 5.0

    def __init__(self, loop):
        import multiprocessing as mp

        from humanoid_control.errors import HumanoidControlError
        from humanoid_control.loop.mirror import MirrorWriter, ring_layout

        robot = loop.driver.robot
        layout = ring_layout(robot.nj, loop.sides)
        self.ring = TickRing(layout)
        names = {"joints": list(robot.ros_joint_names), "imu_frame": robot.config.imu_frame,
                 "feet": {s: robot.config.feet[s].frame for s in loop.sides}, "base_link": robot.config.base_link}
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=mirror_main, name="humanoid_control-mirror", daemon=True,
                                args=(self.ring.name, layout, names, loop.driver.lockstep, loop.driver.sim is not None,
                                      child))
        start_child(self.proc)
        child.close()
        self.writer = MirrorWriter(loop, self.ring, self.conn)
        self.stats = {}
        if not self.conn.poll(self.READY_TIMEOUT_S):
            self.close()
            raise HumanoidControlError(f"the topic mirror process did not start within {self.READY_TIMEOUT_S:.0f} s")
        #: stream -> topic the mirror publishes it on (its ready message)
        self.topics = dict(self.conn.recv()[1])

    def unmatched(self, subscriptions: dict) -> list:
        """Topics of ``subscriptions`` ({topic: rclpy Subscription} of a listener in this
        process) that the mirror publishes but that are not matched yet at both ends: the
        listener's subscription has no publisher, or the mirror has not seen a subscriber
        (it writes a stream only while someone listens)."""
        return [topic for stream, topic in self.topics.items() if topic in subscriptions and
                (subscriptions[topic].get_publisher_count() == 0 or not self.ring.is_live(stream))]

    def close(self) -> dict:
        """Stop the process (after it published what is in the ring); its counts."""
        if self.proc is None:
            return self.stats
        msg = stop_child(self.proc, self.conn, self.STOP_TIMEOUT_S)
        if msg is not None and msg[0] == "stats":
            self.stats = msg[1]
        self.ring.close()
        self.proc = None
        return self.stats


__all__ = ["MirrorNode", "MirrorProcess", "mirror_main", "STREAM_TOPICS"]
