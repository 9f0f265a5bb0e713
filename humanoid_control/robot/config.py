"""Robot description config: which URDF, which frames are the feet and the IMU, the joint
order of ROS messages and the nominal standing posture. Any humanoid plugs in through one
such YAML file (see ``config/robots/*.yaml``)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from humanoid_control.errors import ConfigError, ParameterRangeError, UnknownNameError
from humanoid_control.paths import read_yaml_mapping, resolve_resource, share_dir


@dataclass(frozen=True)
class FootConfig:
    """A flat rectangular foot. The sole frame sits at the centre of the rectangle, z up."""

    frame: str
    length: float  # [m] along the sole frame's x axis
    width: float  # [m] along the sole frame's y axis


@dataclass(frozen=True)
class RobotConfig:
    """Everything that makes a URDF usable by the stack.

    ``joint_order`` is the order of joints in ROS messages (empty: the URDF/Pinocchio
    order). ``nominal_posture`` maps joint names to angles [rad]; joints not named are 0."""

    name: str
    urdf_path: Path
    base_link: str
    imu_frame: str
    feet: dict  # side ("left"/"right") -> FootConfig
    joint_order: tuple = ()
    nominal_posture: dict = field(default_factory=dict)
    rotor_inertia: float = 0.0  # [kg·m²] reflected rotor inertia (armature) per joint
    add_sole_boxes: bool = False  # MuJoCo: add a contact box at each sole (for mesh robots)
    source: str = ""

    @property
    def foot_sides(self) -> tuple:
        return tuple(self.feet.keys())


_KNOWN_KEYS = {"name", "urdf", "base_link", "imu_frame", "feet", "joint_order", "nominal_posture",
               "nominal_posture_srdf", "rotor_inertia", "mujoco"}


def available_robots() -> list:
    """Names of the robots shipped in ``config/robots``."""
    return sorted(p.stem for p in (share_dir() / "config" / "robots").glob("*.yaml"))


def load_robot_config(robot: str) -> RobotConfig:
    """Load a robot config by shipped name (``humanoid``, ``talos``) or by YAML path.

    A path to a ``.urdf`` file is accepted too: the URDF's own ``<ros2_control>``-free
    defaults cannot name the feet, so such a file must sit next to a YAML of the same stem."""
    p = Path(robot).expanduser()
    if p.suffix.lower() == ".urdf":
        yaml_path = p.with_suffix(".yaml")
        if not yaml_path.exists():
            raise ConfigError(f"a URDF alone does not say which frames are the feet and the IMU; "
                              f"write {yaml_path} (see config/robots/humanoid.yaml)", str(p))
        p = yaml_path
    elif p.suffix.lower() not in (".yaml", ".yml"):
        shipped = share_dir() / "config" / "robots" / f"{robot}.yaml"
        if not shipped.exists():
            raise UnknownNameError("robot", robot, available_robots() + ["<path/to/robot.yaml>"])
        p = shipped
    return parse_robot_config(read_yaml_mapping(p, "robot config file does not exist"), p)


def parse_robot_config(data, path: Path) -> RobotConfig:
    src = str(path)
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", src)
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise UnknownNameError("robot config key", sorted(unknown)[0], sorted(_KNOWN_KEYS), src)
    for key in ("urdf", "base_link", "imu_frame", "feet"):
        if key not in data:
            raise ConfigError(f"missing required key '{key}'", src)
    feet = {}
    if not isinstance(data["feet"], dict) or set(data["feet"]) != {"left", "right"}:
        raise ConfigError("'feet' must map exactly 'left' and 'right' to {frame, length, width}", src)
    for side, f in data["feet"].items():
        try:
            foot = FootConfig(str(f["frame"]), float(f["length"]), float(f["width"]))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"feet.{side} needs frame (str), length [m] and width [m]", src) from None
        for dim in ("length", "width"):
            v = getattr(foot, dim)
            if not 0.02 <= v <= 1.0:
                raise ParameterRangeError(f"feet.{side}.{dim}", v, 0.02, 1.0, "m", src)
        feet[side] = foot
    urdf_path = resolve_resource(str(data["urdf"]), path.parent)
    posture = {}
    if "nominal_posture_srdf" in data:
        spec = data["nominal_posture_srdf"]
        posture.update(read_srdf_group_state(resolve_resource(str(spec["file"]), path.parent), str(spec["state"])))
    for k, v in (data.get("nominal_posture") or {}).items():
        posture[str(k)] = float(v)
    rotor = float(data.get("rotor_inertia", 0.0))
    if not 0.0 <= rotor <= 1.0:
        raise ParameterRangeError("rotor_inertia", rotor, 0.0, 1.0, "kg·m²", src)
    mj = data.get("mujoco") or {}
    return RobotConfig(
        name=str(data.get("name", path.stem)),
        urdf_path=urdf_path,
        base_link=str(data["base_link"]),
        imu_frame=str(data["imu_frame"]),
        feet=feet,
        joint_order=tuple(str(j) for j in (data.get("joint_order") or ())),
        nominal_posture=posture,
        rotor_inertia=rotor,
        add_sole_boxes=bool(mj.get("add_sole_boxes", False)),
        source=src,
    )


def read_srdf_group_state(srdf: Path, state: str) -> dict:
    """Joint angles [rad] of a named ``<group_state>`` in an SRDF (single-value joints only)."""
    try:
        root = ET.parse(srdf).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ConfigError(f"cannot read SRDF: {exc}", str(srdf)) from None
    states = {g.get("name"): g for g in root.iter("group_state")}
    if state not in states:
        raise UnknownNameError("SRDF group_state", state, sorted(states), str(srdf))
    out = {}
    for j in states[state].iter("joint"):
        values = j.get("value", "").split()
        if len(values) == 1:
            out[j.get("name")] = float(values[0])
    return out
