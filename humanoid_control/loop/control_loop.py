"""The 1-kHz control tick as plain calls on preallocated arrays, ROS-free.

    hardware read → estimator → WBC (newest plan) → safety → hardware write

like ros2_control's read/update/write loop with chained controllers, or a legged
controller's ``update()``. It is what the composed layout runs, in lockstep and in real
time, what the unit tests drive without ROS, and what a real-time thread would host.

A tick has two halves so that both clocks fit:

* :meth:`ControlLoop.compute` — from the state the hardware last read: estimate, take the
  newest plan, solve the WBC, hand the command to the driver's safety layer;
* :meth:`ControlLoop.advance` — the driver's half: safety checks, write, plant, read.

Lockstep calls ``compute(); advance(1)`` per tick (one physics step per command). Real time
calls ``advance(steps)`` at each deadline (physics keeps wall-clock time, the command held
over late ticks) and then ``compute()``: the sensor→command latency is the compute half.

Observers (``observers``: callables ``f(loop)``) run after each tick: the report, the run
recording and the topic mirror hang there, never inside the control path."""
from __future__ import annotations

import math
import time

import numpy as np

from humanoid_control.loop.driver_core import CommandVerdict, DriverCore
from humanoid_control.loop.estimator_core import EstimatorCore
from humanoid_control.loop.mpc_core import controller_flags
from humanoid_control.loop.plan_source import PlanSource
from humanoid_control.loop.wbc_core import WbcCore
from humanoid_control.safety.supervisor import CommandArrays, Mode
from humanoid_control.timing import NodeStats, TimingStats


class ControlLoop:
    def __init__(self, driver: DriverCore, estimator: EstimatorCore, wbc: WbcCore, plans: PlanSource | None = None):
        self.driver, self.estimator, self.wbc, self.plans = driver, estimator, wbc, plans
        robot = driver.robot
        self.sides = tuple(robot.config.feet)
        hw = driver.hw
        self._hw_q = hw.joint_state["position"]
        self._hw_dq = hw.joint_state["velocity"]
        self._imu = hw.sensor_state["imu"]
        self._wrench = {s: hw.sensor_state[f"{s}_foot_wrench"] for s in self.sides}
        self._hw_index = driver.hw_to_pin.index  # hardware order -> Pinocchio order
        self._pin_index = driver.pin_to_hw.index  # Pinocchio order -> hardware order
        nj = robot.nj
        self.joint_q = np.zeros(nj)  # [rad] Pinocchio order, the state of this tick
        self.joint_dq = np.zeros(nj)  # [rad/s]
        self.q = np.zeros(robot.nq)  # estimated configuration (Pinocchio)
        self.v = np.zeros(robot.nv)
        self._forces = {s: 0.0 for s in self.sides}
        #: the command handed to the driver, hardware order (reused)
        self._cmd = CommandArrays(*(np.zeros(len(hw.joint_names)) for _ in range(5)))
        self.stamp_ns = 0  # [ns] plant time of the state the last compute answered
        self.compute_stats = TimingStats(driver.dt)  # [µs] the compute half (estimator + plan + WBC + handover)
        self.tick_stats = TimingStats(driver.dt)  # [µs] a whole tick: both halves
        self.observers: list = []
        #: the CPU the loop's thread was pinned to in real time (loop/cpu_placement.py), -1: none
        self.cpu = -1
        #: how the real-time loop waited for its deadlines ('yield' or 'sleep'; '' in lockstep)
        self.waiting = ""

    # ------------------------------------------------------------------ the halves
    def read_state(self) -> bool:
        """The hardware's newest joint, IMU and foot-force samples into this tick's arrays;
        False (counted by the estimator's rejection) when one is not finite or the IMU's
        quaternion is not unit — no command then, and the driver's watchdog damps."""
        np.take(self._hw_q, self._hw_index, out=self.joint_q)
        np.take(self._hw_dq, self._hw_index, out=self.joint_dq)
        imu = self._imu
        total = float(self.joint_q.sum()) + float(self.joint_dq.sum()) + float(imu.sum())
        for s, w in self._wrench.items():
            f = float(w[2])
            self._forces[s] = f
            total += f
        # one sum is finite only when every term is (a NaN or inf anywhere makes it NaN or inf)
        ok = (math.isfinite(total)
              and abs(imu[0] * imu[0] + imu[1] * imu[1] + imu[2] * imu[2] + imu[3] * imu[3] - 1.0) < 0.02)
        if not ok:
            self.estimator.reject("hardware state has NaN or a non-unit IMU quaternion")
        return ok

    def compute(self, now_ns=None) -> str:
        """Estimate, plan, WBC and the command handover for the state the hardware holds.
        ``now_ns``: real time, a callable giving the clock the latency is measured on
        (perf-counter ns); the read is taken as the sample time. Returns the driver's
        :class:`~humanoid_control.loop.driver_core.CommandVerdict`, or '' without a command."""
        t_read = time.perf_counter_ns()
        d = self.driver
        ns = d.tick_ns
        self.stamp_ns = ns
        if not self.read_state():
            return ""
        est = self.estimator.update(ns, self.joint_q, self.joint_dq, self._imu, self._forces)
        q, v, odom = self.q, self.v, est.odom
        q[0:7] = odom[0:7]
        q[7:] = self.joint_q
        v[0:6] = odom[7:13]
        v[6:] = self.joint_dq
        if self.plans is not None:
            self.plans.exchange(ns, q, v, self.wbc,
                                controller_flags(d.safety.mode is Mode.HOLD, est.in_contact))
        cmd = self.wbc.update_state(ns, q, v, self._forces, self._wrench)
        c, idx = self._cmd, self._pin_index
        np.take(cmd.position, idx, out=c.position)
        np.take(cmd.velocity, idx, out=c.velocity)
        np.take(cmd.effort, idx, out=c.effort)
        np.take(cmd.kp, idx, out=c.kp)
        np.take(cmd.kd, idx, out=c.kd)
        if now_ns is None:
            verdict = d.receive_command(c, ns)
        else:
            verdict = d.receive_command(c, t_read, now_ns())
        self.compute_stats.add((time.perf_counter_ns() - t_read) * 1e-3)
        return verdict

    def advance(self, steps: int = 1) -> None:
        self.driver.advance(steps)

    def tick(self) -> None:
        """One lockstep tick: compute for the current state, then one control period of the
        plant. A command swallowed by an injected fault still lets the plant step (the
        watchdog sees the silence)."""
        t0 = time.perf_counter_ns()
        self.compute()
        self.driver.advance(1)
        self.tick_stats.add((time.perf_counter_ns() - t0) * 1e-3)
        for f in self.observers:
            f(self)

    # ------------------------------------------------------------------ reporting
    def node_stats(self, recent_s: float | None = None) -> list:
        """NodeStats of the loop's parts (driver, estimator, wbc, the plan source's MPC if it
        has one) and of the tick itself (``control_loop``: both halves)."""
        out = [self.driver.node_stats(recent_s=recent_s), self.estimator.node_stats(recent_s=recent_s),
               self.wbc.node_stats(recent_s=recent_s)]
        if self.plans is not None:
            s = self.plans.node_stats(recent_s=recent_s)
            if s is not None:
                out.append(s)
        p50, p99, pmax = self.compute_stats.percentiles(recent_s)
        out.append(NodeStats.of("control_loop", self.tick_stats, 0, "ok", {
            "compute_half_p50_us": round(p50, 1), "compute_half_p99_us": round(p99, 1),
            "compute_half_max_us": round(pmax, 1), "inputs_rejected": self.estimator.rejected}))
        return out


__all__ = ["ControlLoop", "CommandVerdict"]
