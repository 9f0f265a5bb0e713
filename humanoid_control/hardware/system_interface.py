"""A Python twin of ros2_control's ``hardware_interface::SystemInterface``.

ros2_control cannot load Python plugins, so the driver hosts backends through this class.
It keeps ros2_control's contract:

* lifecycle ``UNCONFIGURED -> (configure) -> INACTIVE -> (activate) -> ACTIVE`` and back,
  ``on_error`` returning SUCCESS sends the component to UNCONFIGURED, anything else to
  FINALIZED; hooks return :class:`CallbackReturn` SUCCESS / FAILURE / ERROR;
* ``export_state_interfaces`` / ``export_command_interfaces`` give handles named
  ``<component>/<interface>`` (``left_knee/position``, ``imu/orientation.x``);
* ``read(time, period)`` / ``write(time, period)`` return :class:`ReturnType`; commands are
  only written in ACTIVE; state buffers start as NaN; on activation command = state.

Values live in numpy arrays (one per interface name, indexed like ``info.joints``) so the
1 kHz loop moves whole vectors while the named handles stay available for tools.
"""
from __future__ import annotations

import enum
import math

import numpy as np

from humanoid_control.errors import LifecycleError
from humanoid_control.robot.ros2_control_tag import HardwareInfo


class CallbackReturn(enum.Enum):
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"


class ReturnType(enum.Enum):
    OK = "ok"
    ERROR = "error"


class LifecycleState(enum.Enum):
    UNCONFIGURED = "unconfigured"
    INACTIVE = "inactive"
    ACTIVE = "active"
    FINALIZED = "finalized"


class InterfaceHandle:
    """A named view of one slot of a value array (like ros2_control's Loaned*Interface)."""

    __slots__ = ("name", "_array", "_index")

    def __init__(self, name: str, array: np.ndarray, index: int):
        self.name, self._array, self._index = name, array, index

    @property
    def prefix_name(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def interface_name(self) -> str:
        return self.name.split("/", 1)[1]

    def get_value(self) -> float:
        return float(self._array[self._index])

    def set_value(self, value: float) -> None:
        self._array[self._index] = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name}={self.get_value()})"


class StateInterface(InterfaceHandle):
    pass


class CommandInterface(InterfaceHandle):
    pass


JOINT_COMMANDS = ("position", "velocity", "effort", "kp", "kd")
JOINT_STATES = ("position", "velocity", "effort")


class SystemInterface:
    """Base of every hardware backend. Subclasses override the ``on_*`` hooks and
    ``read``/``write``; callers drive the lifecycle with :meth:`configure`, :meth:`activate`,
    :meth:`deactivate`, :meth:`cleanup`, :meth:`shutdown` and :meth:`handle_error`."""

    def __init__(self):
        self.state = LifecycleState.UNCONFIGURED
        self.info: HardwareInfo | None = None
        self.joint_names: list = []
        self.joint_state: dict = {}  # interface name -> array (nj,)
        self.joint_command: dict = {}  # interface name -> array (nj,)
        self.sensor_state: dict = {}  # sensor name -> array (n interfaces,)
        self.command_min: dict = {}  # interface name -> array (nj,), -inf where unbounded
        self.command_max: dict = {}
        self.rejected_writes = 0  # write() calls refused by the lifecycle
        self.last_error = ""  # why the last lifecycle step or write failed ('' = none)

    # ------------------------------------------------------------------ capabilities
    #: The backend's ROS transport must be attached between configure and activate (the
    #: topic bridge: its topics live on the hosting node).
    needs_transport = False

    @property
    def has_motor_telemetry(self) -> bool:
        """Motor temperature and error code are state interfaces (CAN backends)."""
        return "temperature" in self.joint_state and "error_code" in self.joint_state

    def lost_joints(self) -> list:
        """Joints whose device stopped answering (backends with devices on a bus)."""
        return []

    def health(self) -> dict:
        """Backend health for diagnostics, flat ``{key: number}``: CAN backends give per
        motor ``motor.<joint>.{temperature_c, error_code, reply_loss_rate, commands_saturated}``
        and per bus ``bus.<name>.{frames_sent, corrupt_frames, send_errors}``; empty here."""
        return {}

    # ------------------------------------------------------------------ hooks
    def on_init(self, info: HardwareInfo) -> CallbackReturn:
        """Allocate buffers from the hardware info. Subclasses call ``super().on_init``."""
        self.info = info
        self.joint_names = info.joint_names
        n = len(self.joint_names)
        cmd_names = sorted({c.name for j in info.joints for c in j.command_interfaces}, key=_iface_order)
        st_names = sorted({s.name for j in info.joints for s in j.state_interfaces}, key=_iface_order)
        self.joint_state = {s: np.full(n, np.nan) for s in st_names}
        #: (interfaces, nj) every command interface's values, one row each (``joint_command`` holds views)
        self.command_block = np.full((len(cmd_names), n), np.nan)
        self.joint_command = {c: self.command_block[i] for i, c in enumerate(cmd_names)}
        self.command_min = {c: np.full(n, -np.inf) for c in cmd_names}
        self.command_max = {c: np.full(n, np.inf) for c in cmd_names}
        self._exported_cmd = set()
        for i, j in enumerate(info.joints):
            for c in j.command_interfaces:
                self._exported_cmd.add((i, c.name))
                if c.min is not None:
                    self.command_min[c.name][i] = c.min
                if c.max is not None:
                    self.command_max[c.name][i] = c.max
                if c.initial_value is not None:
                    self.joint_command[c.name][i] = c.initial_value
        self.sensor_state = {s.name: np.full(len(s.state_interfaces), np.nan) for s in info.sensors}
        return CallbackReturn.SUCCESS

    def on_configure(self, previous_state: LifecycleState) -> CallbackReturn:
        return CallbackReturn.SUCCESS

    def on_activate(self, previous_state: LifecycleState) -> CallbackReturn:
        """Default: command = state (position/velocity copied, effort and gains 0)."""
        for name, arr in self.joint_command.items():
            if name in ("position", "velocity") and name in self.joint_state:
                arr[:] = self.joint_state[name]
            else:
                arr[:] = 0.0
        return CallbackReturn.SUCCESS

    def on_deactivate(self, previous_state: LifecycleState) -> CallbackReturn:
        return CallbackReturn.SUCCESS

    def on_cleanup(self, previous_state: LifecycleState) -> CallbackReturn:
        return CallbackReturn.SUCCESS

    def on_shutdown(self, previous_state: LifecycleState) -> CallbackReturn:
        return CallbackReturn.SUCCESS

    def on_error(self, previous_state: LifecycleState) -> CallbackReturn:
        return CallbackReturn.SUCCESS

    def read(self, time: float, period: float) -> ReturnType:  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, time: float, period: float) -> ReturnType:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ interfaces
    def export_state_interfaces(self) -> list:
        out = []
        for i, j in enumerate(self.info.joints):
            for s in j.state_interfaces:
                out.append(StateInterface(f"{j.name}/{s.name}", self.joint_state[s.name], i))
        for s in self.info.sensors:
            for k, si in enumerate(s.state_interfaces):
                out.append(StateInterface(f"{s.name}/{si.name}", self.sensor_state[s.name], k))
        return out

    def export_command_interfaces(self) -> list:
        out = []
        for i, j in enumerate(self.info.joints):
            for c in j.command_interfaces:
                out.append(CommandInterface(f"{j.name}/{c.name}", self.joint_command[c.name], i))
        return out

    # ------------------------------------------------------------------ lifecycle driver
    def _transition(self, allowed: tuple, hook, success_state: LifecycleState, what: str) -> CallbackReturn:
        if self.state not in allowed:
            raise LifecycleError(f"cannot {what} from state {self.state.value}; allowed from "
                                 f"{[s.value for s in allowed]}")
        previous = self.state
        result = hook(previous)
        if result is CallbackReturn.SUCCESS:
            self.state = success_state
        elif result is CallbackReturn.ERROR:
            self.handle_error()
        return result

    def init(self, info: HardwareInfo) -> CallbackReturn:
        result = self.on_init(info)
        if result is not CallbackReturn.SUCCESS:
            self.state = LifecycleState.FINALIZED
        return result

    def configure(self) -> CallbackReturn:
        return self._transition((LifecycleState.UNCONFIGURED,), self.on_configure, LifecycleState.INACTIVE, "configure")

    def activate(self) -> CallbackReturn:
        return self._transition((LifecycleState.INACTIVE,), self.on_activate, LifecycleState.ACTIVE, "activate")

    def deactivate(self) -> CallbackReturn:
        return self._transition((LifecycleState.ACTIVE,), self.on_deactivate, LifecycleState.INACTIVE, "deactivate")

    def cleanup(self) -> CallbackReturn:
        return self._transition((LifecycleState.INACTIVE,), self.on_cleanup, LifecycleState.UNCONFIGURED, "clean up")

    def shutdown(self) -> CallbackReturn:
        allowed = (LifecycleState.UNCONFIGURED, LifecycleState.INACTIVE, LifecycleState.ACTIVE)
        return self._transition(allowed, self.on_shutdown, LifecycleState.FINALIZED, "shut down")

    def handle_error(self) -> CallbackReturn:
        """ros2_control's error processing: on_error SUCCESS -> UNCONFIGURED, else FINALIZED."""
        result = self.on_error(self.state)
        self.state = LifecycleState.UNCONFIGURED if result is CallbackReturn.SUCCESS else LifecycleState.FINALIZED
        return result

    def read_checked(self, time: float, period: float) -> ReturnType:
        """``read`` as the resource manager calls it: only in INACTIVE/ACTIVE; ERROR -> on_error."""
        if self.state not in (LifecycleState.INACTIVE, LifecycleState.ACTIVE):
            return ReturnType.ERROR
        result = self.read(time, period)
        if result is ReturnType.ERROR:
            self.handle_error()
        return result

    def write_checked(self, time: float, period: float) -> ReturnType:
        """``write`` as the resource manager calls it: commands reach hardware only in ACTIVE."""
        if self.state is not LifecycleState.ACTIVE:
            self.rejected_writes += 1
            return ReturnType.ERROR
        result = self.write(time, period)
        if result is ReturnType.ERROR:
            self.handle_error()
        return result

    # ------------------------------------------------------------------ helpers
    def commands_finite(self) -> bool:
        """True when every command interface of every joint holds a finite value (one check
        over ``command_block``)."""
        return bool(np.isfinite(self.command_block).all())

    def set_joint_commands(self, values: dict) -> None:
        """Copy commands (interface name -> array in ``joint_names`` order), clamped to the
        interface's min/max from the URDF. Refused unless ACTIVE."""
        if self.state is not LifecycleState.ACTIVE:
            raise LifecycleError(f"commands are accepted only in ACTIVE (state: {self.state.value})")
        for name, arr in values.items():
            np.clip(arr, self.command_min[name], self.command_max[name], out=self.joint_command[name])


def _iface_order(name: str):
    order = {n: i for i, n in enumerate(JOINT_COMMANDS)}
    return (order.get(name, math.inf), name)
