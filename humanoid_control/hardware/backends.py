"""The driver's simulated hardware, by backend name: what it commands (a
:class:`SystemInterface`), the MuJoCo physics behind it (ground truth, pushes), and for the
CAN backends the simulated motors on virtual buses in between.

    mujoco   MujocoSystem: the driver commands the simulation directly (default)
    mit-can  MitCanSystem → python-can virtual buses → simulated MIT motors → MuJoCo
    cia402   Cia402System → canopen + virtual buses → simulated CiA 402 drives → MuJoCo
"""
from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

from humanoid_control.errors import ConfigError, HumanoidControlError, UnknownNameError
from humanoid_control.hardware.can.motor_config import load_mit_can_config
from humanoid_control.hardware.mujoco_system import MujocoSystem, SimParams
from humanoid_control.hardware.system_interface import CallbackReturn, SystemInterface
from humanoid_control.params import BACKENDS
from humanoid_control.paths import resolve_resource, share_dir
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import HardwareInfo

#: The ``<hardware><plugin>`` name of each backend in a ``<ros2_control>`` tag.
PLUGINS = {"mujoco": MujocoSystem.PLUGIN, "mit-can": "humanoid_control/MitCanSystem",
           "cia402": "humanoid_control/Cia402System"}
_channels = itertools.count()


@dataclass
class SimulatedHardware:
    hw: SystemInterface  # what the driver commands
    sim: MujocoSystem  # the physics (ground truth and pushes; simulation only)
    backend: str = "mujoco"  # which of BACKENDS runs
    plant: object = None  # CAN backends: the simulated motors between hw and sim

    def advance(self, time_s: float, period: float) -> None:
        """Between ``hw.write`` and ``hw.read``: the simulated devices take the frames in and
        the physics runs (the MuJoCo backend does both inside its own ``write``)."""
        if self.plant is not None:
            self.plant.advance(time_s, period)

    def shutdown(self) -> None:
        try:
            if self.hw.state.value in ("inactive", "active", "unconfigured"):
                self.hw.shutdown()
        finally:
            if self.plant is not None:
                self.plant.shutdown()


def resolve_backend(backend: str, info: HardwareInfo) -> str:
    """The backend to run: ``backend`` when set, else the one the ``<ros2_control>`` tag's
    ``<hardware><plugin>`` names (ros2_control picks the hardware the same way)."""
    if backend:
        if backend not in BACKENDS:
            raise UnknownNameError("backend", backend, BACKENDS, "driver parameter 'backend'")
        return backend
    by_plugin = {plugin: name for name, plugin in PLUGINS.items()}
    if info.plugin not in by_plugin:
        raise UnknownNameError("hardware plugin", info.plugin, sorted(by_plugin), f"<ros2_control name='{info.name}'>")
    return by_plugin[info.plugin]


def default_hardware_config(robot: RobotModel, backend: str) -> Path:
    return share_dir() / "config" / "hardware" / f"{robot.config.name}_{backend.replace('-', '_')}.yaml"


def _step(what: str, result: CallbackReturn, hw: SystemInterface) -> None:
    if result is not CallbackReturn.SUCCESS:
        raise HumanoidControlError(f"hardware {what} failed: {getattr(hw, 'last_error', '') or result.value}")


def make_simulated_hardware(backend: str, robot: RobotModel, info: HardwareInfo, sim_params: SimParams,
                            hardware_config: str = "", seed: int = 0, rate_hz: float = 1000.0) -> SimulatedHardware:
    """Build, configure and activate the backend ``backend`` ('' = the URDF's plugin) on a
    simulated robot controlled at ``rate_hz`` (CAN backends refuse buses that cannot carry
    their motors' frames at it)."""
    backend = resolve_backend(backend, info)
    sim = MujocoSystem(robot, sim_params)
    _step("init", sim.init(info), sim)
    _step("configure", sim.configure(), sim)
    sim.read(0.0, sim.params.timestep)
    _step("activate", sim.activate(), sim)
    if backend == "mujoco":
        return SimulatedHardware(sim, sim, backend)

    hardware_config = hardware_config or info.hardware_parameters.get("hardware_config", "")
    path = resolve_resource(hardware_config) if hardware_config else default_hardware_config(robot, backend)
    if not path.is_file():
        raise ConfigError(f"hardware config for backend '{backend}' does not exist (set the driver parameter "
                          f"'hardware_config')", str(path))
    # Virtual channels private to this driver: concurrent drivers in one process never share a bus.
    if backend == "mit-can":
        from humanoid_control.hardware.can.mujoco_can_plant import MujocoMitCanPlant as Plant
        from humanoid_control.hardware.mit_can_system import MitCanSystem as System

        cfg = load_mit_can_config(path, sim.joint_names)
    else:
        from humanoid_control.hardware.can.cia402_config import load_cia402_config
        from humanoid_control.hardware.can.mujoco_can_plant import MujocoCia402Plant as Plant
        from humanoid_control.hardware.cia402_system import Cia402System as System

        cfg = load_cia402_config(path, sim.joint_names)
    cfg.check_bus_load(rate_hz)
    cfg = cfg.with_virtual_buses(f"hc{os.getpid()}-{next(_channels)}")
    plant = Plant(sim, cfg, seed=seed)
    hw = System(cfg, sensors=plant.fill_sensors, pump=plant.pump)
    try:
        _step("init", hw.init(info), hw)
        _step("configure", hw.configure(), hw)
        _step("activate", hw.activate(), hw)
    except HumanoidControlError:
        plant.shutdown()
        raise
    hw.read(0.0, sim.params.timestep)
    return SimulatedHardware(hw, sim, backend, plant)
