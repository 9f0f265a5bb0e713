"""Soles by offset: a foot given as {parent, offset, length, width} gets a sole frame the
stack makes; Talos with its soles given that way is the same robot as with its own."""
import json
import xml.etree.ElementTree as ET

import mujoco
import numpy as np
import pinocchio as pin
import pytest

from humanoid_control import cli
from humanoid_control.errors import ConfigError, UnknownNameError
from humanoid_control.hardware.mujoco_model import build_mujoco_model
from humanoid_control.paths import share_dir
from humanoid_control.robot.config import load_robot_config
from humanoid_control.robot.model import RobotModel

TALOS_SOLE_OFFSET = [0.0, 0.0, -0.107]  # [m] left/right_sole_link below leg_*_6_link in talos_reduced.urdf


def _vendor_talos(tmp_path, feet: str | None = None) -> str:
    """Talos as a vendor would ship it: its URDF without sole frames (the sole links renamed,
    their mass kept), its YAML giving each sole as parent + offset under the old names."""
    cfg = load_robot_config("talos")
    root = ET.fromstring(cfg.urdf_path.read_text())
    for el in root:
        child = el.find("child") if el.tag == "joint" else None
        if el.tag == "link" and el.get("name") in ("left_sole_link", "right_sole_link"):
            el.set("name", el.get("name").replace("_sole_link", "_sole_mass"))
        elif child is not None and child.get("link") in ("left_sole_link", "right_sole_link"):
            child.set("link", child.get("link").replace("_sole_link", "_sole_mass"))
    (tmp_path / "talos_vendor.urdf").write_text(ET.tostring(root, encoding="unicode"))
    text = (share_dir() / "config" / "robots" / "talos.yaml").read_text()
    text = text.replace("package://example-robot-data/robots/talos_data/robots/talos_reduced.urdf", "talos_vendor.urdf")
    for side in ("left", "right"):
        own = f"{{frame: {side}_sole_link,{' ' if side == 'left' else ''} length: 0.20, width: 0.12}}"
        assert own in text
        text = text.replace(own, feet.format(side=side) if feet else
                            f"{{parent: leg_{side}_6_link, offset: {TALOS_SOLE_OFFSET}, frame: {side}_sole_link, "
                            f"length: 0.20, width: 0.12}}")
    path = tmp_path / "talos_vendor.yaml"
    path.write_text(text)
    return str(path)


def test_a_sole_given_by_parent_and_offset_is_a_frame_at_that_offset(tmp_path, talos):
    vendor = RobotModel.load(_vendor_talos(tmp_path))
    assert vendor.config.feet["left"].by_offset and not talos.config.feet["left"].by_offset
    q = talos.nominal_configuration()
    for robot in (talos, vendor):
        data = robot.model.createData()
        pin.framesForwardKinematics(robot.model, data, q)
        robot._soles = {s: data.oMf[f] for s, f in robot.foot_frame_ids.items()}
    for side in ("left", "right"):
        assert np.allclose(vendor._soles[side].homogeneous, talos._soles[side].homogeneous, atol=1e-12)
    assert vendor.mass == pytest.approx(talos.mass, abs=1e-12)


def test_the_simulation_stands_the_made_soles_on_their_contact_boxes(tmp_path, talos):
    vendor = RobotModel.load(_vendor_talos(tmp_path))
    (ma, ha), (mb, hb) = build_mujoco_model(talos, talos.joint_names), build_mujoco_model(vendor, vendor.joint_names)
    assert sum(ma.body_mass) == pytest.approx(sum(mb.body_mass))  # the boxes add no mass
    for side in ("left", "right"):
        ga, gb = sorted(ha.foot_geoms[side]), sorted(hb.foot_geoms[side])
        assert np.allclose(ma.geom_size[ga], mb.geom_size[gb])
        da, db = mujoco.MjData(ma), mujoco.MjData(mb)
        for m, d in ((ma, da), (mb, db)):
            mujoco.mj_forward(m, d)
        assert np.allclose(da.geom_xpos[ga], db.geom_xpos[gb], atol=1e-9)


def test_check_urdf_prints_the_sole_it_uses(tmp_path, capsys):
    assert cli.main(["check-urdf", _vendor_talos(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "left sole: left_sole_link (made: parent leg_left_6_link, offset [0.0, 0.0, -0.107] m), 0.200 × 0.120 m" in out


@pytest.mark.parametrize("feet, error, says", [
    ("{{parent: leg_{side}_7_link, offset: [0, 0, -0.1], length: 0.2, width: 0.12}}", UnknownNameError,
     "unknown link 'leg_left_7_link'; valid links: "),
    ("{{parent: leg_{side}_6_link, offset: [0, -0.1], length: 0.2, width: 0.12}}", ConfigError,
     "feet.left needs frame (str), length [m] and width [m] — or, for a sole at an offset"),
    ("{{parent: leg_{side}_6_link, offset: [0, 0, -0.9], length: 0.2, width: 0.12}}", ConfigError,
     "feet.left.offset"),
    ("{{parent: leg_{side}_6_link, offset: [0, 0, -0.1], frame: leg_{side}_5_link, length: 0.2, width: 0.12}}",
     ConfigError, "the URDF has a link 'leg_left_5_link' already"),
    ("{{parent: leg_{side}_6_link, offset: [0, 0, -0.1], length: 0.2, width: 0.12, heigth: 1}}", UnknownNameError,
     "unknown feet.left key 'heigth'"),
])
def test_a_bad_sole_offset_is_refused_naming_the_foot(tmp_path, feet, error, says):
    with pytest.raises(error) as err:
        RobotModel.load(_vendor_talos(tmp_path, feet))
    assert says in str(err.value)


@pytest.mark.sim
def test_talos_with_its_soles_by_offset_walks_the_same_run_as_with_its_own(tmp_path, ros_domain):
    """Not bit for bit: MuJoCo has two more (massless) bodies, so its sums run in another order
    and the 1e-15 differences grow over a walk to millimetres."""
    reports = []
    for robot in ("talos", _vendor_talos(tmp_path)):
        path = tmp_path / f"{len(reports)}.json"
        assert cli.main(["sim", "--robot", robot, "--duration", "4", "--cmd-vel", "1:0.3,0,0", "--quiet",
                         "--report", str(path)]) == 0
        reports.append(json.loads(path.read_text()))
    own, vendor = reports
    assert own["fell"] is vendor["fell"] is False and own["steps_taken"] == vendor["steps_taken"]
    assert vendor["base_height_min_m"] == pytest.approx(own["base_height_min_m"], abs=0.003)
    assert vendor["distance_m"] == pytest.approx(own["distance_m"], abs=0.02)
    assert vendor["velocity_tracking_error"] == pytest.approx(own["velocity_tracking_error"], abs=0.02)
