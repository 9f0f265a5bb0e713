"""Mock backend (plugin ``humanoid_control/MockSystem``; ``mock_components/GenericSystem`` in
a ``<ros2_control>`` tag selects it too): no hardware, the states follow the commands the
way ros2_control's generic mock does, for bring-up of the software stack, CI and the topic
bridge.

Hardware parameters (``<param>`` of ``<hardware>``, as the generic mock names them):

* ``calculate_dynamics`` (false): states mirror commands (position ← position command,
  velocity ← velocity command, effort ← effort command); when true, a joint commanded in
  position moves there with the velocity that takes one period, and a joint commanded in
  velocity integrates it (position += velocity · period);
* ``position_state_following_offset`` (0.0) [rad]: added to the mirrored position, to test
  controllers against a steady tracking error.

State interfaces without a command (e.g. ``effort`` when only position is commanded) stay
at their ``initial_value`` (0.0 if none). Sensors read 0.0 (a level IMU: quaternion w = 1)."""
from __future__ import annotations

import numpy as np

from humanoid_control.errors import ConfigError
from humanoid_control.hardware.system_interface import CallbackReturn, ReturnType, SystemInterface
from humanoid_control.robot.ros2_control_tag import HardwareInfo

ALIASES = ("mock_components/GenericSystem",)


def _bool_param(value: str, name: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ConfigError(f"hardware parameter '{name}' must be true or false, got {value!r}", "<ros2_control><hardware>")


class MockSystem(SystemInterface):
    PLUGIN = "humanoid_control/MockSystem"

    def on_init(self, info: HardwareInfo) -> CallbackReturn:
        super().on_init(info)
        p = info.hardware_parameters
        self.calculate_dynamics = _bool_param(p.get("calculate_dynamics", "false"), "calculate_dynamics")
        try:
            self.position_offset = float(p.get("position_state_following_offset", 0.0))  # [rad]
        except ValueError:
            raise ConfigError(f"hardware parameter 'position_state_following_offset' must be a number [rad], got "
                              f"{p['position_state_following_offset']!r}", "<ros2_control><hardware>") from None
        for i, j in enumerate(info.joints):
            for s in j.state_interfaces:
                self.joint_state[s.name][i] = s.initial_value if s.initial_value is not None else 0.0
        for name, arr in self.sensor_state.items():
            arr[:] = 0.0
            sensor = next(s for s in info.sensors if s.name == name)
            for k, si in enumerate(sensor.state_interfaces):
                if si.name == "orientation.w":
                    arr[k] = 1.0
        return CallbackReturn.SUCCESS

    def read(self, time: float, period: float) -> ReturnType:
        return ReturnType.OK  # the states moved in write(): nothing to fetch

    def write(self, time: float, period: float) -> ReturnType:
        c, s = self.joint_command, self.joint_state
        pos_cmd, vel_cmd = c.get("position"), c.get("velocity")
        commanded_pos = np.isfinite(pos_cmd) if pos_cmd is not None else None
        commanded_vel = np.isfinite(vel_cmd) if vel_cmd is not None else None
        if self.calculate_dynamics and "position" in s and "velocity" in s:
            q, v = s["position"], s["velocity"]
            new_v = np.zeros_like(v)
            if commanded_vel is not None:
                new_v = np.where(commanded_vel, vel_cmd, new_v)
            if commanded_pos is not None and period > 0:
                # a position command wins: the velocity that gets there in one period
                new_v = np.where(commanded_pos, (pos_cmd - q) / period, new_v)
            q += new_v * period
            v[:] = new_v
        else:
            for name in ("position", "velocity", "effort"):
                if name in c and name in s:
                    ok = np.isfinite(c[name])
                    s[name][ok] = c[name][ok] + (self.position_offset if name == "position" else 0.0)
        if "effort" in c and "effort" in s and self.calculate_dynamics:
            ok = np.isfinite(c["effort"])
            s["effort"][ok] = c["effort"][ok]
        return ReturnType.OK
