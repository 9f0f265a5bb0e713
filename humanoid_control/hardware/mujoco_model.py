"""Compile a robot's URDF into a MuJoCo model — the URDF stays the single source of truth.

What is added on top of MuJoCo's URDF import: a free joint on the base, a floor, an IMU
site with orientation/gyro/accelerometer sensors, optional sole boxes (for robots whose
collision geometry is meshes), rotor inertia (armature) and the contact filter: robot
geoms touch the floor but not each other."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import mujoco
import numpy as np

from humanoid_control.errors import UrdfError
from humanoid_control.robot.model import RobotModel

ROBOT_CONTYPE, ROBOT_CONAFFINITY = 2, 1
FLOOR_CONTYPE, FLOOR_CONAFFINITY = 1, 2
SOLE_BOX_THICKNESS = 0.01  # [m]


@dataclass
class MujocoHandles:
    """Indices into the compiled model, each documented with its frame."""

    base_body: int
    imu_site: int
    imu_quat_adr: int  # sensordata slice start: framequat of the IMU site (wxyz, world)
    gyro_adr: int  # angular velocity of the IMU site [rad/s], IMU frame
    accel_adr: int  # proper acceleration of the IMU site [m/s²], IMU frame
    joint_qpos_adr: np.ndarray  # per hardware joint, index into qpos
    joint_dof_adr: np.ndarray  # per hardware joint, index into qvel / qfrc_applied
    foot_bodies: dict  # side -> body id of the sole frame
    foot_geoms: dict  # side -> set of geom ids that belong to the foot
    floor_geom: int


def _urdf_for_mujoco(robot: RobotModel) -> str:
    root = ET.fromstring(robot.urdf_text)
    for tag in ("ros2_control", "gazebo", "mujoco", "transmission"):
        for el in root.findall(tag):
            root.remove(el)
    for link in root.findall("link"):
        for vis in link.findall("visual"):
            link.remove(vis)
        for col in link.findall("collision"):
            geom = col.find("geometry")
            if geom is None or geom.find("mesh") is not None:
                link.remove(col)
    mj = ET.SubElement(root, "mujoco")
    comp = ET.SubElement(mj, "compiler")
    comp.set("fusestatic", "false")
    comp.set("discardvisual", "true")
    comp.set("strippath", "false")
    comp.set("balanceinertia", "true")
    return ET.tostring(root, encoding="unicode")


def set_qpos_from_pinocchio(qpos: np.ndarray, h: MujocoHandles, q_pin: np.ndarray, pin_index=None) -> None:
    """Write a Pinocchio configuration ``[p, quat xyzw, joints]`` into MuJoCo's ``qpos``
    (quaternion wxyz). ``pin_index`` picks the Pinocchio joint of each handle joint; None when
    the handles were built in Pinocchio's joint order."""
    qpos[0:3] = q_pin[0:3]
    qpos[3] = q_pin[6]
    qpos[4:7] = q_pin[3:6]
    qpos[h.joint_qpos_adr] = q_pin[7:] if pin_index is None else q_pin[7:][pin_index]


def _add_scenery(spec, floor) -> None:
    """Checkered floor (0.5-m squares), gradient sky, two lights and robot colours: pictures only."""
    spec.compiler.discardvisual = False  # keep the textures (the URDF's <visual> elements are gone already)
    for g in spec.geoms:
        g.rgba = [0.75, 0.78, 0.82, 1.0]
    checker = spec.add_texture(name="floor_checker", type=mujoco.mjtTexture.mjTEXTURE_2D,
                               builtin=mujoco.mjtBuiltin.mjBUILTIN_CHECKER, width=256, height=256,
                               rgb1=[0.32, 0.36, 0.42], rgb2=[0.22, 0.25, 0.3])
    spec.add_texture(name="sky", type=mujoco.mjtTexture.mjTEXTURE_SKYBOX, builtin=mujoco.mjtBuiltin.mjBUILTIN_GRADIENT,
                     width=256, height=256, rgb1=[0.55, 0.7, 0.9], rgb2=[0.1, 0.12, 0.18])
    mat = spec.add_material(name="floor_material", texrepeat=[2, 2], texuniform=True, reflectance=0.1)
    mat.textures[mujoco.mjtTextureRole.mjTEXROLE_RGB] = checker.name
    floor.material = mat.name
    floor.size = [0.0, 0.0, 0.05]
    for pos, directional in (([0, 0, 4], True), ([2, -2, 3], False)):
        light = spec.worldbody.add_light()
        light.pos = pos
        light.dir = [0, 0, -1]
        light.type = mujoco.mjtLightType.mjLIGHT_DIRECTIONAL if directional else mujoco.mjtLightType.mjLIGHT_SPOT


def build_mujoco_model(robot: RobotModel, joint_names, timestep: float = 0.001,
                       friction: float = 1.0, scenery: bool = False, terrain=None) -> tuple:
    """Return ``(MjModel, MujocoHandles)`` for the robot standing on a floor — flat, or shaped
    by ``terrain`` (a :class:`humanoid_control.sim.terrain.Terrain`).

    ``joint_names`` fixes the order of ``joint_qpos_adr``/``joint_dof_adr`` (the hardware's
    joint order). ``friction`` is the sliding friction coefficient of every contact.
    ``scenery`` adds what only pictures need (a checkered floor, a sky, lights); the
    physics is the same."""
    try:
        spec = mujoco.MjSpec.from_string(_urdf_for_mujoco(robot))
    except Exception as exc:  # mujoco raises ValueError with its own parser message
        raise UrdfError(str(robot.config.urdf_path), f"MuJoCo cannot import it: {exc}") from None
    spec.option.timestep = timestep
    spec.option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST
    # Elliptic friction cones with a high impedance ratio: soles stick instead of creeping
    # under large tangential loads (MuJoCo's soft-contact default lets feet slide slowly).
    spec.option.cone = mujoco.mjtCone.mjCONE_ELLIPTIC
    spec.option.impratio = 10.0
    base = spec.body(robot.config.base_link)
    if base is None:
        raise UrdfError(str(robot.config.urdf_path), f"MuJoCo has no body '{robot.config.base_link}'")
    base.add_freejoint(name="floating_base")

    for g in spec.geoms:
        g.contype, g.conaffinity = ROBOT_CONTYPE, ROBOT_CONAFFINITY
        g.friction = [friction, 0.01, 0.0001]
        g.condim = 3
    for side, foot in robot.config.feet.items():
        body = spec.body(foot.frame)
        if body is None:
            raise UrdfError(str(robot.config.urdf_path), f"MuJoCo has no body for foot frame '{foot.frame}'")
        if robot.config.add_sole_boxes:
            g = body.add_geom()
            g.name = f"{side}_sole_box"
            g.type = mujoco.mjtGeom.mjGEOM_BOX
            g.size = [foot.length / 2, foot.width / 2, SOLE_BOX_THICKNESS / 2]
            g.pos = [0.0, 0.0, SOLE_BOX_THICKNESS / 2]
            g.density = 0.0  # contact only: a sole frame without <inertial> must not gain the box's mass
            g.contype, g.conaffinity = ROBOT_CONTYPE, ROBOT_CONAFFINITY
            g.friction = [friction, 0.01, 0.0001]
    floor = spec.worldbody.add_geom()
    floor.name = "floor"
    floor.type = mujoco.mjtGeom.mjGEOM_PLANE
    floor.size = [0.0, 0.0, 0.05]
    floor.contype, floor.conaffinity = FLOOR_CONTYPE, FLOOR_CONAFFINITY
    floor.friction = [friction, 0.01, 0.0001]

    if scenery:
        _add_scenery(spec, floor)
    if terrain is not None:
        terrain.add_to_spec(spec, floor, FLOOR_CONTYPE, FLOOR_CONAFFINITY, friction)

    imu_body = spec.body(robot.config.imu_frame)
    if imu_body is None:
        raise UrdfError(str(robot.config.urdf_path), f"MuJoCo has no body for IMU frame '{robot.config.imu_frame}'")
    site = imu_body.add_site()
    site.name = "imu"
    for name, stype in (("imu_quat", mujoco.mjtSensor.mjSENS_FRAMEQUAT),
                        ("imu_gyro", mujoco.mjtSensor.mjSENS_GYRO),
                        ("imu_accel", mujoco.mjtSensor.mjSENS_ACCELEROMETER)):
        s = spec.add_sensor()
        s.name = name
        s.type = stype
        s.objtype = mujoco.mjtObj.mjOBJ_SITE
        s.objname = "imu"
    for j in spec.joints:
        if j.name != "floating_base":
            j.armature = robot.config.rotor_inertia
    try:
        model = spec.compile()
    except Exception as exc:
        raise UrdfError(str(robot.config.urdf_path), f"MuJoCo cannot compile it: {exc}") from None

    qpos_adr, dof_adr = [], []
    for n in joint_names:
        jid = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, n)
        if jid < 0:
            raise UrdfError(str(robot.config.urdf_path), f"MuJoCo has no joint '{n}'")
        qpos_adr.append(model.jnt_qposadr[jid])
        dof_adr.append(model.jnt_dofadr[jid])
    foot_bodies, foot_geoms = {}, {}
    for side, foot in robot.config.feet.items():
        bid = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, foot.frame)
        chain = {bid, int(model.body_parentid[bid])}
        foot_bodies[side] = bid
        foot_geoms[side] = {g for g in range(model.ngeom) if int(model.geom_bodyid[g]) in chain}
        if not foot_geoms[side]:
            raise UrdfError(str(robot.config.urdf_path),
                            f"foot '{foot.frame}' has no collision geometry; set mujoco.add_sole_boxes: true")
    handles = MujocoHandles(
        base_body=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, robot.config.base_link),
        imu_site=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_SITE, "imu"),
        imu_quat_adr=int(model.sensor_adr[mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_SENSOR, "imu_quat")]),
        gyro_adr=int(model.sensor_adr[mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_SENSOR, "imu_gyro")]),
        accel_adr=int(model.sensor_adr[mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_SENSOR, "imu_accel")]),
        joint_qpos_adr=np.array(qpos_adr, dtype=np.intp),
        joint_dof_adr=np.array(dof_adr, dtype=np.intp),
        foot_bodies=foot_bodies,
        foot_geoms=foot_geoms,
        floor_geom=mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_GEOM, "floor"),
    )
    return model, handles
