"""The loop's side of the topic mirror (ROS-free): after each tick, what the 1-kHz topics
carry goes into a :class:`~humanoid_control.loop.tick_ring.TickRing` in shared memory — a few
array copies, and none at all while nobody subscribes — and the mirror process
(:mod:`humanoid_control.nodes.mirror_node`) publishes it with the standard types on its own
core and its own GIL. New plans go to it through a pipe (100 Hz) when someone listens.

Record fields (float64, joint arrays in the URDF/ROS joint order of ``/joint_states``):
``js_position``, ``js_velocity``, ``js_effort`` (nj); ``imu`` (10: quaternion xyzw, gyro,
accelerometer); ``wrench_<side>`` (6, sole frame); ``odom`` (13); ``contact`` (3 × feet:
flags, normal forces [N], probabilities); ``command`` (5 × nj: position, velocity, effort,
kp, kd); ``ground_truth`` (16: base position, quaternion xyzw, base-frame linear and angular
velocity, CoM — simulation only). Stamps: [state answered, plant now] [ns]."""
from __future__ import annotations

import numpy as np

from humanoid_control.loop.tick_ring import RingLayout, TickRing

#: the streams the mirror serves (one live flag each) and the topic of each
STREAM_TOPICS = {"clock": "/clock", "js": "/joint_states", "imu": "/imu", "odom": "/odom",
                 "contact": "/contact_states", "cmd": "/joint_commands", "plan": "/centroidal_plan",
                 "gt": "/ground_truth/odom", "gt_com": "/ground_truth/com"}


#: records the ring holds: 4 s of ticks, so that a mirror that falls behind (its DDS writes to
#: another process cost ~75 µs each) catches up instead of losing ticks
RING_CAPACITY = 4096


def ring_layout(nj: int, sides: tuple, capacity: int = RING_CAPACITY) -> RingLayout:
    fields = (("js_position", nj), ("js_velocity", nj), ("js_effort", nj), ("imu", 10),
              *((f"wrench_{s}", 6) for s in sides), ("odom", 13), ("contact", 3 * len(sides)),
              ("command", 5 * nj), ("ground_truth", 16))
    streams = tuple(STREAM_TOPICS) + tuple(f"wrench_{s}" for s in sides)
    return RingLayout(fields, streams, 2, capacity)


class MirrorWriter:
    """Fills the ring from a :class:`~humanoid_control.loop.control_loop.ControlLoop`."""

    def __init__(self, loop, ring: TickRing, plan_conn=None):
        self.loop, self.ring, self.plan_conn = loop, ring, plan_conn
        d = loop.driver
        self.hw = d.hw
        self.sides = loop.sides
        self._hw_to_ros = d.hw_to_ros.index
        self._pin_to_ros = d.robot.pin_to_ros.index
        self.nj = d.robot.nj
        f = ring.field
        self._f = f
        self.stamp_offset_ns = 0  # [ns] plant time -> stamp time (0 in lockstep; real time: wall clock at start)
        self._plan_ns_sent = None
        self.records = 0

    def write(self) -> None:
        """Mirror the tick that just ran (nothing while no stream is live)."""
        ring = self.ring
        if not ring.any_live():
            return
        loop, hw, f = self.loop, self.hw, self._f
        stamps, rec = ring.slot()
        stamps[0] = loop.stamp_ns + self.stamp_offset_ns
        stamps[1] = loop.driver.tick_ns + self.stamp_offset_ns
        idx = self._hw_to_ros
        rec[f["js_position"]] = hw.joint_state["position"][idx]
        rec[f["js_velocity"]] = hw.joint_state["velocity"][idx]
        rec[f["js_effort"]] = hw.joint_state["effort"][idx]
        rec[f["imu"]] = hw.sensor_state["imu"]
        for s in self.sides:
            rec[f[f"wrench_{s}"]] = hw.sensor_state[f"{s}_foot_wrench"]
        e = loop.estimator.out
        rec[f["odom"]] = e.odom
        nf = len(self.sides)
        c = rec[f["contact"]]
        c[0:nf] = e.in_contact
        c[nf:2 * nf] = e.normal_force
        c[2 * nf:3 * nf] = e.probability
        rec[f["command"]] = loop.wbc.command.rows[:, self._pin_to_ros].ravel()
        sim = loop.driver.sim
        if sim is not None:
            d = sim.data
            g = rec[f["ground_truth"]]
            g[0:3] = d.qpos[0:3]
            g[3:6] = d.qpos[4:7]
            g[6] = d.qpos[3]
            R = d.xmat[sim.h.base_body].reshape(3, 3)
            g[7:10] = d.qvel[0:3] @ R  # Rᵀ v: base frame
            g[10:13] = d.qvel[3:6]
            g[13:16] = d.subtree_com[0]
        ring.commit()
        self.records += 1
        plans = loop.plans
        if (self.plan_conn is not None and plans is not None and plans.last_fields is not None
                and plans.last_ns != self._plan_ns_sent and ring.is_live("plan")):
            self._plan_ns_sent = plans.last_ns
            self.plan_conn.send(("plan", plans.last_ns + self.stamp_offset_ns, plans.last_fields))


def pack_ground_truth(p, q_xyzw, v_local, w_local, com) -> np.ndarray:
    """The ``ground_truth`` field from its parts (tests and readers)."""
    return np.concatenate([p, q_xyzw, v_local, w_local, com])
