"""Topic bridge (plugin ``humanoid_control/TopicBridgeSystem``): the contract of ros2_control's
topic-based hardware (``topic_based_ros2_control/TopicBasedSystem``), ROS-free.

The side that *controls* publishes ``sensor_msgs/JointState`` commands on
``joint_commands_topic`` (default ``/robot_joint_command``: ``name`` plus the ``position``,
``velocity`` and ``effort`` commands) and takes ``sensor_msgs/JointState`` states from
``joint_states_topic`` (default ``/robot_joint_states``), matched by joint name in any order.
Hardware parameters as that plugin names them: ``joint_commands_topic``,
``joint_states_topic``, ``trigger_joint_command_threshold`` (1e-5: a position command closer
than this to the state is not sent) and ``sum_wrapped_joint_states`` (false: when
true, positions that wrap at ±2π are unwrapped into a total rotation). Our own addition,
``effort_includes_pd`` (false): when true, the ``effort`` sent is the whole joint torque
``effort + kp (position − q) + kd (velocity − dq)`` from the newest state, for robots
whose side only takes torques (Gazebo's effort controllers: the contract carries no gains).
The driver's ``hardware_config`` may name a YAML file of these parameters; its values
override the URDF's.

:class:`TopicBridgeSystem` is that controlling side as one of our backends (so the driver can
command a robot that ros2_control or a simulator serves over topics); the serving side,
which lets a real controller_manager drive any of our backends, is
:mod:`humanoid_control.nodes.hardware_bridge_node`. The transport is injected: ``publish``
sends a command message, :meth:`TopicBridgeSystem.on_joint_state` takes a state message
(the rclpy glue is in :mod:`humanoid_control.nodes.hardware_bridge_node`)."""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import ConfigError
from humanoid_control.hardware.system_interface import CallbackReturn, ReturnType, SystemInterface
from humanoid_control.robot.ros2_control_tag import HardwareInfo

ALIASES = ("topic_based_ros2_control/TopicBasedSystem", "joint_state_topic_hardware_interface/JointStateTopicSystem")
FIELDS = ("position", "velocity", "effort")


@dataclass(frozen=True)
class TopicBridgeParams:
    joint_commands_topic: str = "/robot_joint_command"
    joint_states_topic: str = "/robot_joint_states"
    trigger_joint_command_threshold: float = 1e-5  # [rad] position commands this close to the state are not sent
    sum_wrapped_joint_states: bool = False
    effort_includes_pd: bool = False

    @classmethod
    def from_hardware_parameters(cls, p: dict) -> "TopicBridgeParams":
        where = "<ros2_control><hardware> param"
        try:
            threshold = float(p.get("trigger_joint_command_threshold", 1e-5))
        except ValueError:
            raise ConfigError(f"'trigger_joint_command_threshold' must be a number, got "
                              f"{p['trigger_joint_command_threshold']!r}", where) from None
        flags = {}
        for name in ("sum_wrapped_joint_states", "effort_includes_pd"):
            value = str(p.get(name, "false")).strip().lower()
            if value not in ("true", "false"):
                raise ConfigError(f"'{name}' must be true or false, got {value!r}", where)
            flags[name] = value == "true"
        out = cls(str(p.get("joint_commands_topic", cls.joint_commands_topic)),
                  str(p.get("joint_states_topic", cls.joint_states_topic)), threshold, **flags)
        for name in ("joint_commands_topic", "joint_states_topic"):
            if not getattr(out, name).strip("/"):
                raise ConfigError(f"'{name}' must name a topic", where)
        return out


def by_name(msg_names, msg_values, names: list, out: np.ndarray) -> np.ndarray:
    """Write ``msg_values`` (ordered like ``msg_names``) into ``out`` (ordered like ``names``);
    joints the message does not carry, or carries without a value, keep their entry."""
    if len(msg_values) != len(msg_names):
        return out
    index = {n: i for i, n in enumerate(names)}
    for n, v in zip(msg_names, msg_values):
        i = index.get(n)
        if i is not None:
            out[i] = v
    return out


class TopicBridgeSystem(SystemInterface):
    PLUGIN = "humanoid_control/TopicBridgeSystem"

    #: [s] how long activation waits for the first state message (the robot's side may start later).
    ACTIVATE_TIMEOUT_S = 10.0

    needs_transport = True  # its topics live on the node that hosts it

    def __init__(self, publish=None, spin=None):
        """``publish(names, position, velocity, effort)`` sends one command message (lists;
        empty where a field is not commanded); ``spin()`` lets the transport deliver messages
        while activation waits (when nothing else spins it then)."""
        super().__init__()
        self.publish = publish
        self.spin = spin
        self.last_error = ""
        self._lock = threading.Lock()
        self._latest = None  # (names, {field: values}) of the newest state message
        self.states_received = 0
        self.commands_sent = 0

    def on_init(self, info: HardwareInfo) -> CallbackReturn:
        super().on_init(info)
        try:
            self.params = TopicBridgeParams.from_hardware_parameters(info.hardware_parameters)
        except ConfigError as exc:
            self.last_error = str(exc)
            return CallbackReturn.ERROR
        self._unwrap_offset = np.zeros(len(self.joint_names))
        self._last_raw = np.full(len(self.joint_names), np.nan)
        return CallbackReturn.SUCCESS

    def on_joint_state(self, names, position=(), velocity=(), effort=()) -> None:
        """Take one state message (any thread)."""
        with self._lock:
            self._latest = (list(names), {"position": list(position), "velocity": list(velocity),
                                          "effort": list(effort)})
            self.states_received += 1

    def on_activate(self, previous_state) -> CallbackReturn:
        deadline = time.monotonic() + self.ACTIVATE_TIMEOUT_S
        while self._latest is None and time.monotonic() < deadline:
            if self.spin is not None:
                self.spin()
            else:
                time.sleep(0.005)
        if self._latest is None:
            self.last_error = f"no JointState on '{self.params.joint_states_topic}' within {self.ACTIVATE_TIMEOUT_S} s"
            return CallbackReturn.FAILURE
        self.read(0.0, 0.0)
        missing = [j for i, j in enumerate(self.joint_names) if not math.isfinite(self.joint_state["position"][i])]
        if "position" in self.joint_state and missing:
            self.last_error = f"'{self.params.joint_states_topic}' carries no position for joints {missing}"
            return CallbackReturn.FAILURE
        return super().on_activate(previous_state)

    def read(self, time_s: float, period: float) -> ReturnType:
        with self._lock:
            latest = self._latest
        if latest is None:
            return ReturnType.OK
        names, values = latest
        for f in FIELDS:
            if f in self.joint_state:
                by_name(names, values[f], self.joint_names, self.joint_state[f])
        if self.params.sum_wrapped_joint_states and "position" in self.joint_state:
            raw = self.joint_state["position"].copy()
            jump = raw - self._last_raw
            self._unwrap_offset -= np.where(np.isfinite(jump) & (jump > math.pi), 2 * math.pi, 0.0)
            self._unwrap_offset += np.where(np.isfinite(jump) & (jump < -math.pi), 2 * math.pi, 0.0)
            self._last_raw = raw
            self.joint_state["position"][:] = raw + self._unwrap_offset
        return ReturnType.OK

    def effort_with_pd(self) -> np.ndarray:
        """Joint torques [N·m]: the effort command plus the PD law on the newest state; a
        joint without a finite state gets no PD term (its feed-forward only)."""
        c, s = self.joint_command, self.joint_state
        tau = np.array(c["effort"], dtype=float) if "effort" in c else np.zeros(len(self.joint_names))
        for gain, target, measured in (("kp", "position", "position"), ("kd", "velocity", "velocity")):
            if gain in c and target in c and measured in s:
                term = c[gain] * (c[target] - s[measured])
                tau += np.where(np.isfinite(term), term, 0.0)
        return tau

    def write(self, time_s: float, period: float) -> ReturnType:
        if self.publish is None:
            self.last_error = "topic bridge has no publisher"
            return ReturnType.ERROR
        c = self.joint_command
        if set(c) <= {"position"} and "position" in self.joint_state:
            gap = np.abs(c["position"] - self.joint_state["position"])
            if np.all(gap <= self.params.trigger_joint_command_threshold):
                return ReturnType.OK  # already there: the plugin's trigger threshold
        fields = {f: c[f].tolist() if f in c else [] for f in FIELDS}
        if self.params.effort_includes_pd:
            fields["effort"] = self.effort_with_pd().tolist()
        self.publish(list(self.joint_names), fields["position"], fields["velocity"], fields["effort"])
        self.commands_sent += 1
        return ReturnType.OK
