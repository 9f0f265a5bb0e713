"""Parse the ``<ros2_control>`` tag of a URDF the way ros2_control reads it into its
``HardwareInfo``: hardware plugin and parameters, joints, sensors and GPIOs with their
command/state interfaces (``min``, ``max``, ``initial_value`` and free parameters)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from humanoid_control.errors import ConfigError, UrdfError


@dataclass(frozen=True)
class InterfaceInfo:
    """One command or state interface (``position``, ``velocity``, ``effort``, ...)."""

    name: str
    min: float | None = None
    max: float | None = None
    initial_value: float | None = None
    parameters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ComponentInfo:
    """A ``<joint>``, ``<sensor>`` or ``<gpio>`` element."""

    name: str
    type: str  # "joint" | "sensor" | "gpio"
    command_interfaces: tuple = ()
    state_interfaces: tuple = ()
    parameters: dict = field(default_factory=dict)

    def command(self, name: str) -> InterfaceInfo | None:
        return next((i for i in self.command_interfaces if i.name == name), None)


@dataclass(frozen=True)
class HardwareInfo:
    """The content of one ``<ros2_control>`` tag."""

    name: str
    type: str  # "system" | "actuator" | "sensor"
    plugin: str
    hardware_parameters: dict
    joints: tuple
    sensors: tuple
    gpios: tuple

    @property
    def joint_names(self) -> list:
        return [j.name for j in self.joints]


def _float_or_none(text: str | None, what: str, path: str) -> float | None:
    if text is None:
        return None
    t = text.strip()
    if t.lower() in ("inf", "+inf", ".inf"):
        return float("inf")
    if t.lower() in ("-inf", "-.inf"):
        return float("-inf")
    try:
        return float(t)
    except ValueError:
        raise UrdfError(path, f"{what}: '{text}' is not a number") from None


def _params(el: ET.Element) -> dict:
    return {p.get("name"): (p.text or "").strip() for p in el.findall("param")}


def _interface(el: ET.Element, owner: str, path: str) -> InterfaceInfo:
    name = el.get("name")
    if not name:
        raise UrdfError(path, f"an interface of '{owner}' has no name attribute")
    params = _params(el)
    # ros2_control accepts min/max/initial_value as <param> children; initial_value also as a tag.
    init_el = el.find("initial_value")
    init_text = init_el.text if init_el is not None else params.pop("initial_value", None)
    lo = _float_or_none(params.pop("min", None), f"{owner}/{name} min", path)
    hi = _float_or_none(params.pop("max", None), f"{owner}/{name} max", path)
    if lo is not None and hi is not None and lo > hi:
        raise UrdfError(path, f"{owner}/{name}: min {lo} > max {hi}")
    return InterfaceInfo(name, lo, hi, _float_or_none(init_text, f"{owner}/{name} initial_value", path), params)


def _component(el: ET.Element, kind: str, path: str) -> ComponentInfo:
    name = el.get("name")
    if not name:
        raise UrdfError(path, f"a <{kind}> inside <ros2_control> has no name attribute")
    return ComponentInfo(
        name=name,
        type=kind,
        command_interfaces=tuple(_interface(c, name, path) for c in el.findall("command_interface")),
        state_interfaces=tuple(_interface(s, name, path) for s in el.findall("state_interface")),
        parameters=_params(el),
    )


def parse_ros2_control(urdf_text: str, path: str = "<urdf>") -> list:
    """All ``<ros2_control>`` tags of a URDF as :class:`HardwareInfo` (may be empty)."""
    try:
        root = ET.fromstring(urdf_text)
    except ET.ParseError as exc:
        raise UrdfError(path, f"invalid XML: {exc.msg}", exc.position[0]) from None
    out = []
    for tag in root.findall("ros2_control"):
        hw = tag.find("hardware")
        if hw is None:
            raise UrdfError(path, f"<ros2_control name='{tag.get('name')}'> has no <hardware>")
        plugin_el = hw.find("plugin")
        if plugin_el is None or not (plugin_el.text or "").strip():
            raise UrdfError(path, f"<ros2_control name='{tag.get('name')}'> has no <hardware><plugin>")
        out.append(HardwareInfo(
            name=tag.get("name", ""),
            type=tag.get("type", "system").lower(),
            plugin=plugin_el.text.strip(),
            hardware_parameters=_params(hw),
            joints=tuple(_component(j, "joint", path) for j in tag.findall("joint")),
            sensors=tuple(_component(s, "sensor", path) for s in tag.findall("sensor")),
            gpios=tuple(_component(g, "gpio", path) for g in tag.findall("gpio")),
        ))
    return out


def hardware_info_for(urdf_text: str, path: str, joint_names) -> HardwareInfo:
    """The single system tag of the URDF, or a default one (position/velocity/effort/kp/kd
    commands and position/velocity/effort states for every joint) when the URDF has none,
    e.g. Talos from example-robot-data."""
    infos = parse_ros2_control(urdf_text, path)
    systems = [i for i in infos if i.type == "system"]
    if len(systems) > 1:
        raise ConfigError(f"{len(systems)} <ros2_control type='system'> tags; expected one", path)
    if systems:
        return systems[0]
    joints = tuple(
        ComponentInfo(n, "joint",
                      tuple(InterfaceInfo(c) for c in ("position", "velocity", "effort", "kp", "kd")),
                      tuple(InterfaceInfo(s) for s in ("position", "velocity", "effort")))
        for n in joint_names)
    imu = ComponentInfo("imu", "sensor", (), tuple(InterfaceInfo(n) for n in (
        "orientation.x", "orientation.y", "orientation.z", "orientation.w", "angular_velocity.x",
        "angular_velocity.y", "angular_velocity.z", "linear_acceleration.x", "linear_acceleration.y",
        "linear_acceleration.z")))
    wrenches = tuple(ComponentInfo(f"{side}_foot_wrench", "sensor", (), tuple(InterfaceInfo(n) for n in (
        "force.x", "force.y", "force.z", "torque.x", "torque.y", "torque.z"))) for side in ("left", "right"))
    return HardwareInfo("default_system", "system", "humanoid_control/MujocoSystem", {}, joints, (imu,) + wrenches, ())
