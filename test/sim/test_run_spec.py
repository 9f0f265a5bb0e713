"""The frozen run spec built once from the command line."""
import dataclasses

import pytest

from humanoid_control import cli
from humanoid_control.errors import ConfigError
from humanoid_control.sim.run_spec import RunSpec


def _spec(humanoid, *argv):
    args = cli._parser().parse_args(["sim", *argv])
    return RunSpec.from_args(args, humanoid)


def test_a_walking_run_gets_the_mpc_parameters_its_script_and_the_composed_layout(humanoid):
    spec = _spec(humanoid, "--duration", "3", "--cmd-vel", "1:0.3,0,0", "--push", "2:50,0,0:0.1", "--friction", "0.7")
    assert spec.layout == "composed" and spec.lockstep and spec.walking and not spec.external_mpc
    assert spec.params["mpc"]["cmd_vel_script"] == ["1:0.3,0,0"]
    assert spec.params["driver"]["friction"] == 0.7 and spec.params["wbc"]["wait_for_plan"] is True
    assert spec.commands == ((1.0, (0.3, 0.0, 0.0)),) and len(spec.pushes) == 1
    assert spec.backend == "mujoco" and not spec.wants_recording
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.layout = "processes"


def test_the_planner_runs_by_default_with_a_zero_command_and_planner_off_stands_without_it(humanoid):
    standing = _spec(humanoid)
    assert "mpc" in standing.params and standing.params["mpc"]["cmd_vel_script"] == [""]
    assert standing.params["wbc"]["wait_for_plan"] is True  # lockstep: the plans stay deterministic
    assert "mpc" not in _spec(humanoid, "--planner", "off", "--layout", "split").params
    assert not _spec(humanoid, "--planner", "off", "--layout", "split").external_mpc
    assert _spec(humanoid, "--planner", "off", "--layout", "split", "--cmd-vel", "1:0.2,0,0").external_mpc
    assert _spec(humanoid, "--layout", "split").external_mpc


@pytest.mark.parametrize("argv,flag", [(("--duration", "0"), "--duration"), (("--video", "a.gif"), "--video a.gif"),
                                       (("--record", "a.bag"), "--record a.bag"),
                                       (("--foxglove", "70000"), "--foxglove 70000")])
def test_a_bad_flag_is_named_in_the_error(humanoid, argv, flag):
    with pytest.raises(ConfigError, match=flag):
        _spec(humanoid, *argv)


def test_a_param_flag_overrides_one_node_parameter_and_the_mpc_rate_sets_the_wbc_plan_period(humanoid):
    spec = _spec(humanoid, "--cmd-vel", "1:0.3,0,0", "--param", "mpc.rate_hz=200", "--param", "wbc.com_weight=50")
    assert spec.params["mpc"]["rate_hz"] == 200 and spec.params["wbc"]["plan_period_s"] == pytest.approx(0.005)
    assert spec.params["wbc"]["com_weight"] == 50


def test_lockstep_runs_give_the_mpc_no_wall_clock_budget_and_real_time_runs_keep_it(humanoid):
    assert _spec(humanoid, "--cmd-vel", "1:0.3,0,0").params["mpc"]["max_solve_time_s"] == 0.0
    assert _spec(humanoid, "--cmd-vel", "1:0.3,0,0", "--mode", "realtime").params["mpc"].get(
        "max_solve_time_s", 0.006) > 0.0


@pytest.mark.parametrize("text,match", [("mpc.rate_hz", "NODE.NAME=VALUE"), ("planner.rate_hz=5", "valid nodes: driver"),
                                        ("mpc.rate_hz=5000", "rate_hz"), ("mpc.solver=qpoases", "riccati"),
                                        ("estimator.no_such=1", "no_such")])
def test_a_bad_param_flag_names_the_node_parameter_or_bound(humanoid, text, match):
    with pytest.raises(ConfigError, match=match) as err:
        _spec(humanoid, "--param", text)
    assert str(err.value).startswith(f"--param {text}: ")  # the flag is the source, not the node's file


def test_a_bad_choice_lists_the_parameters_valid_values(humanoid):
    with pytest.raises(ConfigError, match="unknown value of 'friction_cone' 'cone'; valid values of 'friction_cone': "
                                          "pyramid, octagon"):
        _spec(humanoid, "--param", "wbc.friction_cone=cone")


def test_terrain_known_gives_the_planner_and_the_estimator_the_terrain_as_their_map(humanoid):
    spec = _spec(humanoid, "--terrain", "stairs:0.05:0.25:4@1", "--terrain-known", "--cmd-vel", "1:0.3,0,0")
    assert spec.params["mpc"]["terrain_map"] == spec.params["estimator"]["terrain_map"] == "stairs:0.05:0.25:4@1"
    blind = _spec(humanoid, "--terrain", "stairs:0.05:0.25:4@1", "--cmd-vel", "1:0.3,0,0")
    assert blind.params["mpc"]["terrain_map"] == blind.params["estimator"]["terrain_map"] == ""  # blind by default
    with pytest.raises(ConfigError, match="--terrain-known.*rough"):
        _spec(humanoid, "--terrain", "rough:0.01:3", "--terrain-known")
