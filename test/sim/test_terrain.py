"""The simulated ground of --terrain: parsing, and MuJoCo's surface where Terrain.height_at says."""
import mujoco
import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.hardware.mujoco_model import build_mujoco_model
from humanoid_control.sim.terrain import Terrain

KINDS = ["flat", "slope:10", "slope:-10@1.5", "step:0.05", "step:-0.05@2", "stairs:0.05:0.25:4",
         "stairs:-0.04:0.3:3@0.8", "rough:0.01:3"]


@pytest.mark.parametrize("text", KINDS)
def test_the_text_of_a_parsed_terrain_parses_to_the_same_terrain(text):
    t = Terrain.parse(text)
    assert Terrain.parse(t.text()) == t


@pytest.mark.parametrize("bad, says", [("hill", "unknown terrain 'hill'; kinds: flat"),
                                       ("slope", "does not read as slope:DEG[@X]"),
                                       ("slope:45", "outside [-30, 30]"), ("step:0.5", "outside [-0.3, 0.3]"),
                                       ("stairs:0.05:0.25:2.5", "a whole number"), ("rough:0.01@2", "takes no @X"),
                                       ("step:0.05@0", "outside [0.3, 10]"), ("step:up", "not a number")])
def test_a_bad_terrain_is_refused_saying_what_is_wrong(bad, says):
    with pytest.raises(ConfigError, match="--terrain") as err:
        Terrain.parse(bad)
    assert says in str(err.value)


def _ray_height(model, data, x, y, robot_geoms) -> float:
    """[m] height of the first world surface below (x, y), the robot's geoms left out."""
    geomid = np.zeros(1, np.int32)
    group = np.ones(6, np.uint8)
    start = np.array([x, y, 2.0])
    d = mujoco.mj_ray(model, data, start, np.array([0.0, 0.0, -1.0]), group, 1, -1, geomid)
    while geomid[0] in robot_geoms:  # a ray through the robot: start again below it
        start[2] -= d + 1e-6
        d = mujoco.mj_ray(model, data, start, np.array([0.0, 0.0, -1.0]), group, 1, -1, geomid)
    return float(start[2] - d)


@pytest.mark.parametrize("text", KINDS)
def test_mujoco_s_ground_is_where_the_terrain_says(text, humanoid):
    t = Terrain.parse(text)
    model, h = build_mujoco_model(humanoid, humanoid.joint_names, terrain=t)
    data = mujoco.MjData(model)
    mujoco.mj_forward(model, data)
    robot = {g for g in range(model.ngeom) if model.geom_bodyid[g] != 0}
    rng = np.random.default_rng(1)
    # MuJoCo's height field is triangles, height_at interpolates bilinearly: they differ inside a cell
    tol = 0.6 * t.values[0] if t.kind == "rough" else 1e-3
    errors = []
    for x, y in [(0.0, 0.5), (0.9, -0.7), *zip(rng.uniform(0.5, 9.0, 60), rng.uniform(-2.5, 2.5, 60))]:
        if t.kind in ("step", "stairs") and min(abs(x - e) for seg in t.profile() for e in seg[::2]) < 0.01:
            continue  # at an edge
        errors.append(_ray_height(model, data, x, y, robot) - t.height_at(x, y))
        assert abs(errors[-1]) <= tol, (x, y, errors[-1])
    assert np.mean(np.abs(errors)) < 0.15 * (t.values[0] if t.kind == "rough" else 0.01)  # no shift, no mirror
