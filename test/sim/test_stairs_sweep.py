"""bench/stairs_sweep.py: its neighbour cases and case files (the runs themselves are the bench's)."""
import pytest

from bench_module import load_bench
from humanoid_control.sim.terrain import Terrain


@pytest.fixture(scope="module")
def sweep():
    return load_bench("stairs_sweep")


def test_every_built_in_case_is_a_flight_of_stairs_with_a_three_axis_command_on_a_shipped_robot(sweep):
    assert len(sweep.CASES) >= 20
    for terrain, cmd, duration, robot in sweep.CASES:
        t = Terrain.parse(terrain)
        assert t.kind == "stairs"
        assert len([float(c) for c in cmd.split(",")]) == 3
        assert robot in ("humanoid", "talos")
        # walking from 1 s at the commanded speed, the CoM would end 0.1 m past the top riser
        assert float(cmd.split(",")[0]) * (duration - 1.0) > sweep.top_of(terrain) + 0.1


def test_the_top_riser_of_four_stairs_of_a_quarter_metre_from_one_metre_is_at_one_point_seven_five(sweep):
    assert sweep.top_of("stairs:0.05:0.25:4@1") == pytest.approx(1.75)


def test_a_case_file_reads_comments_away_and_fills_in_the_command_and_the_robot(sweep, tmp_path):
    f = tmp_path / "cases.txt"
    f.write_text("# terrain speed duration robot\nstairs:0.05:0.3:4@1 0.3 11\n\nstairs:0.04:0.25:3 0.2,0.02,0 12 talos\n")
    assert sweep.read_cases(str(f)) == [("stairs:0.05:0.3:4@1", "0.3,0,0", 11.0, "humanoid"),
                                        ("stairs:0.04:0.25:3", "0.2,0.02,0", 12.0, "talos")]


@pytest.mark.parametrize("fell, x, y, last_vx, outcome", [
    (True, 2.0, 0.0, 0.3, "fell"),
    (False, 1.9, 0.05, 0.0, "climbed"),  # 0.15 m past the top riser (1.75)
    (False, 1.5, 0.0, 0.01, "stalled"),  # short of the top and standing at a riser
    (False, 1.5, 0.0, 0.2, "out of time"),  # short of the top and still walking up
    (False, 1.2, 2.2, 0.2, "out of time"),  # 2.5 m from the start, but wandered off sideways
])
def test_a_flight_short_of_the_top_is_told_stalled_or_out_of_time_by_its_last_second(sweep, fell, x, y, last_vx,
                                                                                    outcome):
    segment = {"t_start_s": 1.0, "command": [0.3, 0.0, 0.0], "mean": [0.25, 0.0, 0.0]}
    report = {"fell": fell, "com_drift_xy_m": (x * x + y * y) ** 0.5, "com_displacement_xy_m": [x, y],
              "velocity_segments": [segment, {**segment, "t_start_s": 7.0, "mean": [last_vx, 0.0, 0.0]}]}
    assert sweep.outcome(report, "stairs:0.05:0.25:4@1") == outcome


@pytest.mark.parametrize("name", ["stairs_cases_2.txt", "stairs_cases_3.txt", "stairs_cases_4.txt",
                                  "stairs_cases_5.txt", "stairs_cases_down.txt", "stairs_cases_down_2.txt"])
def test_the_shipped_case_files_are_28_flights_each_with_time_to_reach_the_top(sweep, name):
    from pathlib import Path
    cases = sweep.read_cases(str(Path(__file__).parents[2] / "bench" / name))
    assert len(cases) == 28
    for terrain, cmd, duration, robot in cases:
        assert Terrain.parse(terrain).kind == "stairs" and robot in ("humanoid", "talos")
        assert float(cmd.split(",")[0]) * (duration - 1.0) > sweep.top_of(terrain) + 0.1



def test_a_setting_the_sim_refuses_reaches_the_sweep_as_that_error_not_as_a_broken_worker_pool(sweep, ros_domain):
    import sweep_common

    from humanoid_control.errors import UnknownNameError

    job = ("stairs:0.05:0.25:4@1", "0.3,0,0", 5.0, "humanoid", False, ("mpc.no_such_setting=0",))
    with pytest.raises(UnknownNameError, match="unknown parameter 'no_such_setting'") as e:
        sweep_common.run_pool(sweep.run_case, [job], 1, ros_domain)
    assert "terrain_map" in e.value.valid  # the valid ones listed
