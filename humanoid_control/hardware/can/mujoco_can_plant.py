"""The MuJoCo robot behind simulated CAN devices (MIT motors or CiA 402 drives): physics in
MuJoCo, joints reached only through CAN frames on python-can virtual buses — the codec path
of the CAN backends, in the loop.

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
from humanoid_control.hardware.can.cia402 import close_networks
from humanoid_control.hardware.can.cia402_config import Cia402Config
from humanoid_control.hardware.can.motor_config import MitCanConfig, Transmission
from humanoid_control.hardware.can.sim_cia402_drive import SimulatedCia402Bus, SimulatedCia402Drive
from humanoid_control.hardware.can.sim_mit_motor import SimulatedMitBus, SimulatedMitMotor, motor_temperature_step
from humanoid_control.hardware.mujoco_system import MujocoSystem


class MujocoCanPlant:
    """MuJoCo behind one simulated device per joint (``devices``, in the simulation's joint
    order) on simulated buses (``buses``: {name: bus with serve/reply_owed/shutdown and the
    fault switches}). A device gives :meth:`applied_terms` (motor side p*, v*, kp, kd, τ_ff
    of the law it applies), takes :meth:`set_state`, and goes torque-off on ``comm_timeout()``."""

    #: [s] the devices' own CAN timeout: without a command for this long they turn torque off.
    CAN_TIMEOUT_S = 0.1

    def __init__(self, sim: MujocoSystem, devices: list, buses: dict, bus_of_joint: dict,
                 transmission: Transmission, torque_max: np.ndarray):
        """``torque_max`` [N·m] motor side, per device: what the thermal model scales by."""
        self.sim = sim
        self.motors = devices
        self.buses = buses
        self._bus_of_joint = bus_of_joint
        self.transmission = transmission
        self._t_max = np.asarray(torque_max, float)
        self.sync_motor_states()

    def motor(self, joint: str):
        """The simulated device (motor or drive) of ``joint``."""
        if joint not in self.sim.joint_names:
            raise UnknownNameError("joint", joint, self.sim.joint_names)
        return self.motors[self.sim.joint_names.index(joint)]

    def bus_of(self, joint: str):
        return self.buses[self._bus_of_joint[joint]]

    def pump(self) -> None:
        """Answer pending frames with the present state, no physics (configure, activation, shutdown)."""
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
                m.comm_timeout()
        cmd = self.sim.joint_command
        tr = self.transmission
        for i, m in enumerate(self.motors):
            p, v, kp, kd, tau = m.applied_terms()  # motor side
            cmd["position"][i], cmd["velocity"][i], cmd["effort"][i] = tr.to_joint(p, v, tau, i)
            cmd["kp"][i], cmd["kd"][i] = tr.gains_to_joint(kp, kd, i)
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


class MujocoMitCanPlant(MujocoCanPlant):
    """MIT-mode motors, one per joint, as ``config`` (with virtual buses) places them."""

    def __init__(self, sim: MujocoSystem, config: MitCanConfig, seed: int = 0):
        names = sim.joint_names
        mc = [config.motors[j] for j in names]
        motors = [SimulatedMitMotor(m.motor_id, m.ranges, m.reply_layout) for m in mc]
        buses = {}
        for k, (name, bus) in enumerate(config.buses.items()):
            on_bus = [motors[i] for i, j in enumerate(names) if config.motors[j].bus == name]
            buses[name] = SimulatedMitBus(bus.channel, on_bus, seed=seed + k)
        super().__init__(sim, motors, buses, {j: config.motors[j].bus for j in names}, Transmission(mc),
                         np.array([m.ranges.t_max for m in mc], float))


class MujocoCia402Plant(MujocoCanPlant):
    """CiA 402 drives (canopen LocalNodes), one per joint, as ``config`` (with virtual buses) places them."""

    def __init__(self, sim: MujocoSystem, config: Cia402Config, seed: int = 0):
        names = sim.joint_names
        dc = [config.drives[j] for j in names]
        drives = [SimulatedCia402Drive(d) for d in dc]
        buses = {}
        try:
            for k, (name, bus) in enumerate(config.buses.items()):
                on_bus = [drives[i] for i, j in enumerate(names) if config.drives[j].bus == name]
                buses[name] = SimulatedCia402Bus(bus.channel, on_bus, seed=seed + k)
        except BaseException:
            for b in buses.values():
                b.shutdown()
            raise
        super().__init__(sim, drives, buses, {j: config.drives[j].bus for j in names}, Transmission(dc),
                         np.array([d.max_torque for d in dc], float))

    def shutdown(self) -> None:
        close_networks([b.network for b in self.buses.values()])  # all receive threads at once
        super().shutdown()
