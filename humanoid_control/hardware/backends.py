"""The driver's hardware, by backend name: what it commands (a :class:`SystemInterface`)
and, in simulation, the MuJoCo physics behind it (ground truth, pushes) and for the CAN
backends the simulated devices on virtual buses in between.

Simulation (:func:`make_simulated_hardware`):

    mujoco        MujocoSystem: the driver commands the simulation directly (default)
    mit-can       MitCanSystem → python-can virtual buses → simulated MIT motors → MuJoCo
    cia402        Cia402System → canopen + virtual buses → simulated CiA 402 drives → MuJoCo

Hardware (:func:`make_hardware`, driver parameter ``simulation: false``): ``mit-can`` and
``cia402`` on the buses their hardware YAML names, ``mock`` (states follow commands) and
``topic-bridge`` (a robot served over ros2_control's topic contract).
"""
from __future__ import annotations


import itertools
import os
from dataclasses import dataclass, replace
from pathlib import Path

from humanoid_control.errors import ConfigError, HumanoidControlError, UnknownNameError
from humanoid_control.hardware.can.motor_config import load_mit_can_config
from humanoid_control.hardware.mujoco_system import MujocoSystem, SimParams
from humanoid_control.hardware.system_interface import CallbackReturn, SystemInterface
from humanoid_control.hardware.mock_system import ALIASES as MOCK_ALIASES
from humanoid_control.hardware.mock_system import MockSystem
from humanoid_control.hardware.topic_bridge import ALIASES as TOPIC_ALIASES
from humanoid_control.hardware.topic_bridge import TopicBridgeSystem
from humanoid_control.params import DRIVER_BACKENDS, HARDWARE_BACKENDS
from humanoid_control.paths import read_yaml_mapping, resolve_resource, share_dir
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import HardwareInfo

#: The ``<hardware><plugin>`` name of each backend in a ``<ros2_control>`` tag.
PLUGINS = {"mujoco": MujocoSystem.PLUGIN, "mit-can": "humanoid_control/MitCanSystem",
           "cia402": "humanoid_control/Cia402System", "mock": MockSystem.PLUGIN, "topic-bridge": TopicBridgeSystem.PLUGIN}
#: Other plugin names that select a backend (ros2_control's own names for the same contracts).
PLUGIN_ALIASES = {**{a: "mock" for a in MOCK_ALIASES}, **{a: "topic-bridge" for a in TOPIC_ALIASES}}
_channels = itertools.count()


@dataclass
class Hardware:
    hw: SystemInterface  # what the driver commands
    sim: MujocoSystem | None  # the physics (ground truth and pushes); None on hardware
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
        if backend not in DRIVER_BACKENDS:
            raise UnknownNameError("backend", backend, DRIVER_BACKENDS, "driver parameter 'backend'")
        return backend
    by_plugin = {**{plugin: name for name, plugin in PLUGINS.items()}, **PLUGIN_ALIASES}
    if info.plugin not in by_plugin:
        raise UnknownNameError("hardware plugin", info.plugin, sorted(by_plugin), f"<ros2_control name='{info.name}'>")
    return by_plugin[info.plugin]


def default_hardware_config(robot: RobotModel, backend: str) -> Path:
    return share_dir() / "config" / "hardware" / f"{robot.config.name}_{backend.replace('-', '_')}.yaml"


def _step(what: str, result: CallbackReturn, hw: SystemInterface) -> None:
    if result is not CallbackReturn.SUCCESS:
        raise HumanoidControlError(f"hardware {what} failed: {getattr(hw, 'last_error', '') or result.value}")


def _hardware_config_path(backend: str, robot: RobotModel, info: HardwareInfo, hardware_config: str) -> Path:
    hardware_config = hardware_config or info.hardware_parameters.get("hardware_config", "")
    path = resolve_resource(hardware_config) if hardware_config else default_hardware_config(robot, backend)
    if not path.is_file():
        raise ConfigError(f"hardware config for backend '{backend}' does not exist (set the driver parameter "
                          f"'hardware_config')", str(path))
    return path


def _load_can_config(backend: str, path: Path, joint_names, rate_hz: float):
    """(config, plant class, system class) of a CAN backend; the config refuses buses that
    cannot carry its devices' frames at ``rate_hz``."""
    if backend == "mit-can":
        from humanoid_control.hardware.can.mujoco_can_plant import MujocoMitCanPlant as Plant
        from humanoid_control.hardware.mit_can_system import MitCanSystem as System

        cfg = load_mit_can_config(path, joint_names)
    else:
        from humanoid_control.hardware.can.cia402_config import load_cia402_config
        from humanoid_control.hardware.can.mujoco_can_plant import MujocoCia402Plant as Plant
        from humanoid_control.hardware.cia402_system import Cia402System as System

        cfg = load_cia402_config(path, joint_names)
    cfg.check_bus_load(rate_hz)
    return cfg, Plant, System


def load_topic_bridge_config(path: str) -> dict:
    """The topic bridge's hardware parameters from a flat YAML file (they override the URDF's)."""
    from humanoid_control.hardware.topic_bridge import TopicBridgeParams

    file = Path(resolve_resource(path))
    data = read_yaml_mapping(file)
    known = set(TopicBridgeParams.__dataclass_fields__)
    if set(data) - known:
        unknown = sorted(set(data) - known)
        raise ConfigError(f"unknown topic bridge parameters {unknown}; valid: {sorted(known)}", str(file))
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in data.items()}


def make_hardware(backend: str, robot: RobotModel, info: HardwareInfo, hardware_config: str = "",
                  rate_hz: float = 1000.0, before_activate=None) -> Hardware:
    """Build, configure and activate the backend ``backend`` ('' = the URDF's plugin) on the
    real robot (``simulation: false``): CAN backends on the interfaces of their hardware YAML.
    ``before_activate(hw)`` runs between configure and activate (the topic bridge gets its
    transport there)."""
    backend = resolve_backend(backend, info)
    if backend not in HARDWARE_BACKENDS:
        raise ConfigError(f"backend '{backend}' is the simulation; on hardware use one of: "
                          f"{', '.join(HARDWARE_BACKENDS)}", "driver parameter 'backend'")
    if backend == "mock":
        hw = MockSystem()
    elif backend == "topic-bridge":
        hw = TopicBridgeSystem()
        if hardware_config:
            info = replace(info, hardware_parameters={
                **info.hardware_parameters, **load_topic_bridge_config(hardware_config)})
    else:
        cfg, _, System = _load_can_config(backend, _hardware_config_path(backend, robot, info, hardware_config),
                                          info.joint_names, rate_hz)
        hw = System(cfg)
    _step("init", hw.init(info), hw)
    _step("configure", hw.configure(), hw)
    if before_activate is not None:
        before_activate(hw)
    _step("activate", hw.activate(), hw)
    hw.read(0.0, 1.0 / rate_hz)
    return Hardware(hw, None, backend)


def make_simulated_hardware(backend: str, robot: RobotModel, info: HardwareInfo, sim_params: SimParams,
                            hardware_config: str = "", seed: int = 0, rate_hz: float = 1000.0) -> Hardware:
    """Build, configure and activate the backend ``backend`` ('' = the URDF's plugin) on a
    simulated robot controlled at ``rate_hz`` (CAN backends refuse buses that cannot carry
    their motors' frames at it)."""
    backend = resolve_backend(backend, info)
    if backend in ("mock", "topic-bridge"):
        raise ConfigError(f"backend '{backend}' has no physics to simulate; use it on hardware (driver parameter "
                          f"simulation: false)", "driver parameter 'backend'")
    sim = MujocoSystem(robot, sim_params)
    _step("init", sim.init(info), sim)
    _step("configure", sim.configure(), sim)
    sim.read(0.0, sim.params.timestep)
    _step("activate", sim.activate(), sim)
    if backend == "mujoco":
        return Hardware(sim, sim, backend)
    path = _hardware_config_path(backend, robot, info, hardware_config)
    cfg, Plant, System = _load_can_config(backend, path, sim.joint_names, rate_hz)
    # Virtual channels private to this driver: concurrent drivers in one process never share a bus.
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
    return Hardware(hw, sim, backend, plant)
