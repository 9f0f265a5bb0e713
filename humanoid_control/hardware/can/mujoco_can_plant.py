"""The MuJoCo robot behind simulated CAN motors: physics in MuJoCo, joints reached only
through CAN frames on python-can virtual buses — the codec path of the CAN backends, in the
loop.

Per tick (the driver calls these around the backend's ``write``/``read``)::

    backend.write()   command frames ──► virtual bus
    plant.advance(dt) the motors take the frames in (quantised as firmware would), the MIT
                      law runs at physics rate in MuJoCo for dt, each motor replies with
                      its new state (+ temperature, error code), through the fault injection
    backend.read()    reply frames ──► joint states

The IMU and the foot wrenches come straight from MuJoCo (:meth:`fill_sensors`)."""
from __future__ import annotations

import numpy as np

from humanoid_control.errors import UnknownNameError
from humanoid_control.hardware.can.motor_config import MitCanConfig, Transmission
from humanoid_control.hardware.can.sim_mit_motor import SimulatedMitBus, SimulatedMitMotor, motor_temperature_step
from humanoid_control.hardware.mujoco_system import MujocoSystem


class MujocoMitCanPlant:
    #: [s] the motors' own CAN timeout: without a command for this long they turn torque off.
    CAN_TIMEOUT_S = 0.1

    def __init__(self, sim: MujocoSystem, config: MitCanConfig, seed: int = 0):
        """``sim`` is an initialised, active :class:`MujocoSystem`; ``config`` has virtual buses."""
        self.sim = sim
        self.config = config
        names = sim.joint_names
        self.motors = [SimulatedMitMotor(config.motors[j].motor_id, config.motors[j].ranges, config.motors[j].reply_layout)
                       for j in names]
        self.buses = {}
        for k, (name, bus) in enumerate(config.buses.items()):
            on_bus = [self.motors[i] for i, j in enumerate(names) if config.motors[j].bus == name]
            self.buses[name] = SimulatedMitBus(bus.channel, on_bus, seed=seed + k)
        mc = [config.motors[j] for j in names]
        self.transmission = Transmission(mc)
        self._t_max = np.array([m.ranges.t_max for m in mc], float)
        self.sync_motor_states()

    def motor(self, joint: str) -> SimulatedMitMotor:
        if joint not in self.sim.joint_names:
            raise UnknownNameError("joint", joint, self.sim.joint_names)
        return self.motors[self.sim.joint_names.index(joint)]

    def bus_of(self, joint: str) -> SimulatedMitBus:
        return self.buses[self.config.motors[joint].bus]

    def pump(self) -> None:
        """Answer pending frames with the present state, no physics (activation, shutdown)."""
        for b in self.buses.values():
            b.serve()
        self.sync_motor_states()
        for b in self.buses.values():
            b.reply_owed()

    def advance(self, time_s: float, period: float) -> None:
        heard = [m.commands_received for m in self.motors]
        for b in self.buses.values():
            b.serve()
        for m, before in zip(self.motors, heard):
            if m.commands_received != before:
                m.last_heard_s = time_s
            elif m.enabled and time_s - m.last_heard_s > self.CAN_TIMEOUT_S:
                m.enabled = False  # firmware CAN timeout
        cmd = self.sim.joint_command
        tr = self.transmission
        for i, m in enumerate(self.motors):
            c = m.applied_command()  # motor side, plant position frame
            cmd["position"][i], cmd["velocity"][i], cmd["effort"][i] = tr.to_joint(c.position, c.velocity, c.torque, i)
            cmd["kp"][i], cmd["kd"][i] = tr.gains_to_joint(c.kp, c.kd, i)
        self.sim.write_checked(time_s, period)
        self.sim.read_checked(time_s + period, period)
        self.sync_motor_states(period)
        for b in self.buses.values():
            b.reply_owed()

    def sync_motor_states(self, dt: float = 0.0) -> None:
        """Motor-side position/velocity/torque from MuJoCo's joints; temperatures integrate."""
        s = self.sim.joint_state
        p, v, t = self.transmission.to_motor(s["position"], s["velocity"], s["effort"])
        for i, m in enumerate(self.motors):
            m.set_state(float(p[i]), float(v[i]), float(t[i]))
            if dt > 0.0:
                m.temperature_c = motor_temperature_step(m.temperature_c, float(t[i]), float(self._t_max[i]), dt)

    def fill_sensors(self, sensor_state: dict) -> None:
        for name, arr in sensor_state.items():
            if name in self.sim.sensor_state:
                arr[:] = self.sim.sensor_state[name]

    def shutdown(self) -> None:
        for b in self.buses.values():
            b.shutdown()
