"""bench/terrain_sweep.py: its neighbour cases and case files (the runs themselves are the bench's)."""
import pytest

from bench_module import load_bench
from humanoid_control.sim.terrain import Terrain


@pytest.fixture(scope="module")
def sweep():
    return load_bench("terrain_sweep")


def test_the_built_in_cases_are_neighbours_of_the_suite_s_ramps_steps_and_rough_ground_on_shipped_robots(sweep):
    kinds = {Terrain.parse(terrain).kind for terrain, _, _, _ in sweep.CASES}
    assert kinds == {"slope", "step", "rough"}
    for terrain, cmd, distance, robot in sweep.CASES:
        assert len([float(c) for c in cmd.split(",")]) == 3 and float(cmd.split(",")[0]) > 0.0
        assert robot in ("humanoid", "talos")
        t = Terrain.parse(terrain)
        if t.kind in ("slope", "step"):  # the distance to travel takes the walk past the feature
            assert distance > t.start_x
    downhill = [c for c in sweep.CASES if Terrain.parse(c[0]).kind in ("slope", "step") and Terrain.parse(c[0]).values[0] < 0]
    assert len(downhill) >= 10  # descents: ramps down and steps down, several sizes and places


def test_a_case_file_gives_the_distance_to_travel_and_fills_in_the_command_and_the_robot(sweep, tmp_path):
    f = tmp_path / "cases.txt"
    f.write_text("# terrain speed distance robot\nslope:-12@1 0.4 4\n\nstep:-0.05@1 0.3,0.02,0 2.2 talos\n")
    assert sweep.read_cases(str(f)) == [("slope:-12@1", "0.4,0,0", 4.0, "humanoid"),
                                        ("step:-0.05@1", "0.3,0.02,0", 2.2, "talos")]
