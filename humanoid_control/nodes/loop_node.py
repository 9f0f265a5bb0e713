"""The ROS shell of the composed control loop: parameters stay with the loop's parts; this
node does inputs, diagnostics and hands each tick to the topic mirror.

Every 1-kHz topic of the graph is still published each tick with its standard type for
anyone outside the loop (Foxglove, recorders, a user's node): ``/joint_states``, ``/imu``,
both foot wrenches, ``/odom``, ``/contact_states``, ``/joint_commands``, ``/clock``
(lockstep), ``/ground_truth/{odom,com}`` (simulation) and ``/centroidal_plan``. They leave
the loop through a shared-memory ring and are published by the mirror process
(:mod:`humanoid_control.nodes.mirror_node`), the cheapest path measured: a few array copies
in the loop's thread, none while nobody subscribes, and the DDS writes (~75 µs each to
another process, with the GIL held) on another core. ``/diagnostics`` carries one status per
part (driver, estimator, wbc, mpc, control_loop) every ``diagnostics_period_s`` of plant
time, from this node; in real time its two stages (gathering the figures, building and
publishing the message: ~0.2–0.4 ms each on the bench machine, which a tick of ~0.45 ms
cannot absorb) each wait for a tick that leaves enough of its period spare.

Inputs: ``/estop`` (std_msgs/Bool), services ``/estop/stop`` and ``/estop/reset``
(std_srvs/Trigger), ``/cmd_vel`` (geometry_msgs/Twist, for the loop's planner) and, with an
MPC elsewhere, ``/centroidal_plan`` and that node's ``/diagnostics``."""
from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import Twist
from humanoid_control_msgs.msg import CentroidalPlan
from rclpy.node import Node
from std_msgs.msg import Bool
from std_srvs.srv import Trigger

from humanoid_control.nodes.common import (STATE_QOS, DriverModePublisher, diagnostic_to_node_stats, node_stats_msg,
                                           ns_to_stamp, stamp_to_ns)
from humanoid_control.nodes.plan_msg import msg_to_fields

#: [ns] real time: a diagnostics stage runs after a tick only when this much of the period is left
DIAG_STAGE_SLACK_NS = 500_000
#: [ns] of plant time a due diagnostics message may wait for spare time before it goes anyway
DIAG_MAX_DEFER_NS = 100_000_000


class LoopNode(Node):
    def __init__(self, loop, diagnostics_period_s: float = 1.0, external_plans=None, mirror=None, **kwargs):
        """``mirror``: a :class:`~humanoid_control.loop.mirror.MirrorWriter` (None: no topics
        are mirrored)."""
        super().__init__("control_loop", **kwargs)
        self.loop = loop
        self.mirror = mirror
        self.diag_period_ns = int(diagnostics_period_s * 1e9)
        self._last_diag_ns = -self.diag_period_ns
        self._diag_due = None  # [stamp ns, plant ns when due, gathered NodeStats or None] while one is pending
        self._stamp_offset_ns = 0
        self.pub_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.pub_mode = DriverModePublisher(self)  # as the driver node: an MPC node elsewhere reads holds
        self.create_subscription(Bool, "/estop", self.on_estop, 10)
        self.create_service(Trigger, "/estop/stop", self.on_estop_stop)
        self.create_service(Trigger, "/estop/reset", self.on_estop_reset)
        self.create_subscription(Twist, "/cmd_vel", self.on_cmd_vel, 10)
        self.external_plans = external_plans
        #: the newest NodeStats of nodes outside the loop (an MPC node elsewhere), by name
        self.foreign_stats = {}
        if external_plans is not None:
            self.create_subscription(CentroidalPlan, "/centroidal_plan", self.on_plan, STATE_QOS)
            self.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, 10)

    @property
    def stamp_offset_ns(self) -> int:
        """[ns] plant time -> stamp time: 0 in lockstep (simulation time); in real time the
        wall clock at the plant's start, so that stamps are ROS time."""
        return self._stamp_offset_ns

    @stamp_offset_ns.setter
    def stamp_offset_ns(self, value: int) -> None:
        self._stamp_offset_ns = int(value)
        if self.mirror is not None:
            self.mirror.stamp_offset_ns = int(value)

    # ------------------------------------------------------------------ inputs
    def on_estop(self, msg: Bool) -> None:
        if msg.data:
            self.loop.driver.safety.press_estop(self.loop.driver.tick_ns * 1e-9)

    def on_estop_stop(self, request, response):
        s = self.loop.driver.safety
        s.press_estop(self.loop.driver.tick_ns * 1e-9)
        response.success, response.message = True, f"e-stop latched: {s.mode.value}"
        return response

    def on_estop_reset(self, request, response):
        s = self.loop.driver.safety
        response.success = s.reset(self.loop.driver.tick_ns * 1e-9)
        response.message = "reset: normal" if response.success else s.last_rejection
        return response

    def on_cmd_vel(self, m: Twist) -> None:
        v = (m.linear.x, m.linear.y, m.angular.z)
        if not all(np.isfinite(v)):
            self.loop.estimator.reject("/cmd_vel has NaN")
            return
        if self.loop.plans is not None:  # without a planner the robot only stands: nothing to tell
            self.loop.plans.set_twist(v, self.loop.stamp_ns)

    def on_plan(self, m: CentroidalPlan) -> None:
        ns = stamp_to_ns(m.header.stamp) - self.stamp_offset_ns  # back to plant time
        if not m.ok:
            self.external_plans.put(None, ns, "the MPC did not converge: previous plan kept")
        else:
            self.external_plans.put(msg_to_fields(m), ns)

    def on_diagnostics(self, m: DiagnosticArray) -> None:
        for status in m.status:
            st = diagnostic_to_node_stats(status)
            if st.name == "mpc":
                self.foreign_stats[st.name] = st

    # ------------------------------------------------------------------ per tick
    def publish_tick(self, spare_ns=None) -> None:
        """After a tick: hand it to the mirror; diagnostics when due (plant time).
        ``spare_ns`` (real time): a callable giving the [ns] left before the next deadline;
        each diagnostics stage then waits for a tick that leaves :data:`DIAG_STAGE_SLACK_NS`
        (at most :data:`DIAG_MAX_DEFER_NS`). Without it (lockstep) both run at once."""
        if self.mirror is not None:
            self.mirror.write()
        self.pub_mode.update(self.loop.driver.safety.mode.value)
        tick_ns = self.loop.driver.tick_ns
        due = self._diag_due
        if due is None:
            if tick_ns - self._last_diag_ns < self.diag_period_ns:
                return
            self._last_diag_ns = tick_ns
            due = self._diag_due = [tick_ns + self._stamp_offset_ns, tick_ns, None]
        # real time, not overdue yet: each stage waits for a tick with spare time of its own
        staged = spare_ns is not None and tick_ns - due[1] < DIAG_MAX_DEFER_NS
        if staged and spare_ns() < DIAG_STAGE_SLACK_NS:
            return
        if due[2] is None:
            # timing figures of the last period: a whole run's samples cost ~1 ms to sort
            due[2] = self.loop.node_stats(recent_s=self.diag_period_ns * 1e-9)
            if staged:
                return  # publishing: another tick
        self._diag_due = None
        self.pub_diag.publish(node_stats_msg(ns_to_stamp(due[0]), due[2]))
