"""Live view of a run in Foxglove (``humanoid-control sim --foxglove [PORT]``).

A Foxglove WebSocket server (the ``foxglove-sdk`` package), bound to 127.0.0.1 unless told
otherwise, with these channels (world frame ``world``, SI units):

  /robot_description  std_msgs/String (JSON)        the URDF, for Foxglove's URDF layer (every 1 s)
  /tf                 foxglove.FrameTransforms      world -> every link, by forward kinematics
  /joint_states       foxglove.JointStates          measured joint positions [rad]
  /base_pose          foxglove.PoseInFrame          ground-truth base pose
  /com                foxglove.SceneUpdate          the centre of mass (sphere)
  /contact_wrenches   foxglove.SceneUpdate          one arrow per loaded foot, 1 mm per N
  /footstep_plan      foxglove.SceneUpdate          the MPC's swing targets (foot boxes) and CoM plan (line)
  /timing             JSON                          per-node compute p50/p99 [µs], overruns

The view follows the run's :class:`~humanoid_control.sim.recording.RunRecording` and is
refreshed at most ``REFRESH_HZ`` times per wall-clock second; log times are run time.
"""
from __future__ import annotations

import json
import math

import numpy as np

from humanoid_control.errors import ConfigError

REFRESH_HZ = 30.0
DESCRIPTION_PERIOD_S = 1.0  # [s] wall time between repeats of /robot_description (late clients)
FORCE_SCALE_M_PER_N = 0.001
CHANNELS = ("/robot_description", "/tf", "/joint_states", "/base_pose", "/com", "/contact_wrenches",
            "/footstep_plan", "/timing")
_STRING_SCHEMA = {"type": "object", "properties": {"data": {"type": "string"}}}
_TIMING_SCHEMA = {"type": "object", "additionalProperties": {"type": "object"}}


def _quat_x_to(direction) -> tuple:
    """Quaternion (x, y, z, w) turning +x onto ``direction`` (Foxglove arrows point along +x)."""
    d = np.asarray(direction, dtype=float)
    d = d / max(np.linalg.norm(d), 1e-12)
    w = 1.0 + d[0]
    if w < 1e-9:  # opposite: half a turn about z
        return 0.0, 0.0, 1.0, 0.0
    q = np.array([0.0, -d[2], d[1], w])  # axis x × d, scalar 1 + x·d
    q /= np.linalg.norm(q)
    return tuple(float(v) for v in q)


class LiveView:
    def __init__(self, robot, port: int = 8765, host: str = "127.0.0.1"):
        import foxglove
        from foxglove import channels as ch
        from foxglove import messages

        if not 0 <= port <= 65535:
            raise ConfigError(f"port {port} is outside [0, 65535]", "--foxglove")
        self.robot = robot
        self._m = messages
        self.server = foxglove.start_server(name="humanoid_control", host=host, port=port)
        self.host, self.port = host, self.server.port
        string_schema = foxglove.Schema(name="std_msgs/String", encoding="jsonschema",
                                        data=json.dumps(_STRING_SCHEMA).encode())
        self.ch_description = foxglove.Channel("/robot_description", schema=string_schema, message_encoding="json")
        self.ch_tf = ch.FrameTransformsChannel("/tf")
        self.ch_joints = ch.JointStatesChannel("/joint_states")
        self.ch_base = ch.PoseInFrameChannel("/base_pose")
        self.ch_com = ch.SceneUpdateChannel("/com")
        self.ch_wrench = ch.SceneUpdateChannel("/contact_wrenches")
        self.ch_plan = ch.SceneUpdateChannel("/footstep_plan")
        self.ch_timing = foxglove.Channel("/timing", schema=foxglove.Schema(
            name="humanoid_control/Timing", encoding="jsonschema", data=json.dumps(_TIMING_SCHEMA).encode()),
            message_encoding="json")
        self._data = robot.model.createData()
        self._link_frames = [(f.name, i) for i, f in enumerate(robot.model.frames) if f.type.name == "BODY"]
        self._last = -1.0
        self._last_description = -math.inf
        self.updates = 0

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def update(self, recording, wall_s: float, timing=None) -> None:
        """Publish the recording's newest sample and plan (at most ``REFRESH_HZ`` per wall
        second); ``timing``: {node: figures} (the report's ``nodes``)."""
        if wall_s - self._last < 1.0 / REFRESH_HZ:
            return
        self._last = wall_s
        if wall_s - self._last_description >= DESCRIPTION_PERIOD_S:
            self._last_description = wall_s
            self.ch_description.log({"data": self.robot.urdf_text})
        sample = recording.latest_sample()
        if sample is None:
            return
        t_s, q, com, wrench_sole = sample
        plan = recording.plan
        log_ns = int(t_s * 1e9)
        m = self._m
        stamp = m.Timestamp(int(t_s), int((t_s % 1.0) * 1e9))
        if np.all(np.isfinite(q)):
            import pinocchio as pin

            pin.framesForwardKinematics(self.robot.model, self._data, q)
            tfs = []
            for name, fid in self._link_frames:
                oMf = self._data.oMf[fid]
                x, y, z, w = pin.Quaternion(oMf.rotation).coeffs()
                tfs.append(m.FrameTransform(timestamp=stamp, parent_frame_id="world", child_frame_id=name,
                                            translation=m.Vector3(x=float(oMf.translation[0]),
                                                                  y=float(oMf.translation[1]),
                                                                  z=float(oMf.translation[2])),
                                            rotation=m.Quaternion(x=float(x), y=float(y), z=float(z), w=float(w))))
            self.ch_tf.log(m.FrameTransforms(transforms=tfs), log_time=log_ns)
            self.ch_joints.log(m.JointStates(timestamp=stamp, joints=[
                m.JointState(name=n, position=float(v)) for n, v in zip(self.robot.joint_names, q[7:])]),
                log_time=log_ns)
        self.ch_base.log(m.PoseInFrame(timestamp=stamp, frame_id="world", pose=self._pose(q[0:3], q[3:7])),
                         log_time=log_ns)
        self.ch_com.log(m.SceneUpdate(entities=[m.SceneEntity(
            timestamp=stamp, frame_id="world", id="com", spheres=[m.SpherePrimitive(
                pose=self._pose(com, (0, 0, 0, 1)), size=m.Vector3(x=0.05, y=0.05, z=0.05),
                color=m.Color(r=1.0, g=0.8, b=0.1, a=1.0))])]), log_time=log_ns)
        arrows = []
        for side, w in wrench_sole.items():
            placement = self._data.oMf[self.robot.foot_frame_ids[side]]
            force = placement.rotation @ np.asarray(w[0:3])  # world axes
            position = placement.translation
            magnitude = float(np.linalg.norm(force))
            if magnitude < 5.0 or not np.all(np.isfinite(q)):
                continue
            arrows.append(m.ArrowPrimitive(pose=self._pose(position, _quat_x_to(force)),
                                           shaft_length=magnitude * FORCE_SCALE_M_PER_N, shaft_diameter=0.015,
                                           head_length=0.04, head_diameter=0.04,
                                           color=m.Color(r=0.9, g=0.2, b=0.1, a=0.9)))
        self.ch_wrench.log(m.SceneUpdate(entities=[m.SceneEntity(timestamp=stamp, frame_id="world",
                                                                 id="contact_wrenches", arrows=arrows)]),
                           log_time=log_ns)
        if plan is not None:
            self._publish_plan(plan, stamp, log_ns)
        if timing:
            self.ch_timing.log(timing, log_time=log_ns)
        self.updates += 1

    def _publish_plan(self, plan, stamp, log_ns: int) -> None:
        m = self._m
        targets, com_plan = plan
        cubes = []
        for foot, xyz, yaw in targets:
            f = self.robot.config.feet.get(foot)
            length, width = (f.length, f.width) if f is not None else (0.2, 0.1)
            cubes.append(m.CubePrimitive(pose=self._pose(xyz, (0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2))),
                                         size=m.Vector3(x=length, y=width, z=0.01),
                                         color=m.Color(r=0.2, g=0.6, b=1.0, a=0.6)))
        lines = []
        if com_plan is not None and len(com_plan) > 1:
            lines.append(m.LinePrimitive(pose=self._pose((0, 0, 0), (0, 0, 0, 1)), thickness=0.01,
                                         points=[m.Point3(x=float(p[0]), y=float(p[1]), z=float(p[2]))
                                                 for p in com_plan], color=m.Color(r=1.0, g=0.8, b=0.1, a=1.0)))
        self.ch_plan.log(m.SceneUpdate(entities=[m.SceneEntity(timestamp=stamp, frame_id="world", id="plan",
                                                               cubes=cubes, lines=lines)]), log_time=log_ns)

    def _pose(self, p, q_xyzw):
        m = self._m
        return m.Pose(position=m.Vector3(x=float(p[0]), y=float(p[1]), z=float(p[2])),
                      orientation=m.Quaternion(x=float(q_xyzw[0]), y=float(q_xyzw[1]), z=float(q_xyzw[2]),
                                               w=float(q_xyzw[3])))

    def close(self) -> None:
        self.server.stop()
