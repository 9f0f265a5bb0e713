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
    """A flat rectangular foot. The sole frame sits at the centre of the rectangle, z up.

    The sole frame is either one of the URDF's frames (``frame`` alone) or made by the stack
    (``parent`` and ``offset``): a frame named ``frame`` fixed to link ``parent`` at
    ``offset`` [m] in the parent's axes — for vendor URDFs whose sole is an offset below the
    ankle link (:func:`add_sole_frames`)."""

    frame: str
    length: float  # [m] along the sole frame's x axis
    width: float  # [m] along the sole frame's y axis
    parent: str = ""  # link the sole frame is fixed to ('' : the URDF has the frame)
    offset: tuple = ()  # (3,) [m] the sole frame's origin in the parent link's frame

    @property
    def by_offset(self) -> bool:
        return bool(self.parent)

    def describe(self) -> str:
        where = f"{self.frame} (made: parent {self.parent}, offset {list(self.offset)} m)" if self.by_offset \
            else self.frame
        return f"{where}, {self.length:.3f} × {self.width:.3f} m"


MAX_SOLE_OFFSET_M = 0.5  # [m] per axis


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
    srdf_joints_ignored: tuple = ()  # joints of the SRDF's posture that the URDF does not have
    #: [-] walking straight or turning at the nominal cadence, the share of the point-foot pendulum's sideways
    #: sway the DCM stepping law expects (the mpc node's step_sway_share when that is -1), [0, 1]
    step_sway_share: float = 0.5

    @property
    def foot_sides(self) -> tuple:
        return tuple(self.feet.keys())


_KNOWN_KEYS = {"name", "urdf", "base_link", "imu_frame", "feet", "joint_order", "nominal_posture",
               "nominal_posture_srdf", "rotor_inertia", "mujoco", "step_sway_share"}


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
        raise ConfigError("'feet' must map exactly 'left' and 'right' to {frame, length, width} "
                          "or {parent, offset, length, width}", src)
    for side, f in data["feet"].items():
        try:
            if isinstance(f, dict) and "parent" in f:
                unknown_keys = set(f) - {"parent", "offset", "length", "width", "frame"}
                if unknown_keys:
                    raise UnknownNameError(f"feet.{side} key", sorted(unknown_keys)[0],
                                           ["parent", "offset", "length", "width", "frame"], src)
                offset = tuple(float(x) for x in f["offset"])
                if len(offset) != 3:
                    raise ValueError
                foot = FootConfig(str(f.get("frame", f"{side}_sole")), float(f["length"]), float(f["width"]),
                                  str(f["parent"]), offset)
            else:
                foot = FootConfig(str(f["frame"]), float(f["length"]), float(f["width"]))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"feet.{side} needs frame (str), length [m] and width [m] — or, for a sole at an "
                              f"offset from a link, parent (str), offset [x, y, z] [m], length and width", src) from None
        for x in foot.offset:
            if not abs(x) <= MAX_SOLE_OFFSET_M:
                raise ParameterRangeError(f"feet.{side}.offset", x, -MAX_SOLE_OFFSET_M, MAX_SOLE_OFFSET_M, "m", src)
        for dim in ("length", "width"):
            v = getattr(foot, dim)
            if not 0.02 <= v <= 1.0:
                raise ParameterRangeError(f"feet.{side}.{dim}", v, 0.02, 1.0, "m", src)
        feet[side] = foot
    urdf_path = resolve_resource(str(data["urdf"]), path.parent)
    posture = {}
    ignored = ()
    if "nominal_posture_srdf" in data:
        spec = data["nominal_posture_srdf"]
        state = read_srdf_group_state(resolve_resource(str(spec["file"]), path.parent), str(spec["state"]))
        # an SRDF written for a fuller model of the robot names joints a reduced URDF does not have
        joints = _urdf_joint_names(urdf_path)
        ignored = tuple(sorted(n for n in state if joints is not None and n not in joints))
        posture.update({n: v for n, v in state.items() if n not in ignored})
    for k, v in (data.get("nominal_posture") or {}).items():
        posture[str(k)] = float(v)
    rotor = float(data.get("rotor_inertia", 0.0))
    if not 0.0 <= rotor <= 1.0:
        raise ParameterRangeError("rotor_inertia", rotor, 0.0, 1.0, "kg·m²", src)
    sway = float(data.get("step_sway_share", 0.5))
    if not 0.0 <= sway <= 1.0:
        raise ParameterRangeError("step_sway_share", sway, 0.0, 1.0, "", src)
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
        srdf_joints_ignored=ignored,
        step_sway_share=sway,
    )


def _urdf_joint_names(urdf_path: Path):
    """The names of a URDF's movable joints (None when the file cannot be read here: the
    model's loader reports that with the file and line)."""
    try:
        root = ET.parse(urdf_path).getroot()
    except (OSError, ET.ParseError):
        return None
    return {j.get("name") for j in root.iter("joint") if j.get("type") != "fixed"}


def add_sole_frames(urdf_text: str, config: RobotConfig) -> str:
    """The URDF with a frame (a massless link on a fixed joint) for each foot given by
    ``parent`` + ``offset``; unchanged when every foot names an existing frame. The parent
    must be a link and the new frame's name must be free."""
    made = [(side, f) for side, f in config.feet.items() if f.by_offset]
    if not made:
        return urdf_text
    root = ET.fromstring(urdf_text)
    links = [link.get("name") for link in root.findall("link")]
    joints = {j.get("name") for j in root.findall("joint")}
    for side, f in made:
        if f.parent not in links:
            raise UnknownNameError("link", f.parent, links, f"{config.source} (feet.{side}.parent)")
        if f.frame in links:
            raise ConfigError(f"feet.{side}: the URDF has a link '{f.frame}' already; name the sole frame otherwise "
                              f"(frame: ...) or give 'frame: {f.frame}' alone to use it", config.source)
        # beside the parent in the document (the link after the parent link, the joint after the
        # joint the parent hangs from): the simulator's body order then matches a URDF that has it
        children = list(root)
        at_link = children.index(next(el for el in children if el.tag == "link" and el.get("name") == f.parent))
        link = ET.Element("link")
        link.set("name", f.frame)
        root.insert(at_link + 1, link)
        children = list(root)
        up = [i for i, el in enumerate(children) if el.tag == "joint" and el.find("child") is not None
              and el.find("child").get("link") == f.parent]
        joint = ET.Element("joint")
        root.insert((up[0] if up else children.index(link)) + 1, joint)
        name = f"{f.frame}_fixed"
        while name in joints:
            name += "_"
        joint.set("name", name)
        joint.set("type", "fixed")
        ET.SubElement(joint, "parent").set("link", f.parent)
        ET.SubElement(joint, "child").set("link", f.frame)
        ET.SubElement(joint, "origin").set("xyz", " ".join(repr(float(x)) for x in f.offset))
    return ET.tostring(root, encoding="unicode")


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
