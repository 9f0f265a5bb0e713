"""The CLI's bad-input contract: a clear message naming what is wrong, exit code 2, no traceback."""
import subprocess
import sys
from pathlib import Path

import pytest

from humanoid_control import cli


def _run(*args):
    return subprocess.run([sys.executable, "-m", "humanoid_control.cli", *args], capture_output=True, text=True,
                          timeout=120)


def test_an_unknown_robot_lists_the_shipped_ones():
    p = _run("sim", "--robot", "atlas", "--duration", "1")
    assert p.returncode == 2
    assert "unknown robot 'atlas'" in p.stderr and "humanoid" in p.stderr and "Traceback" not in p.stderr


def test_a_missing_urdf_file_is_named(tmp_path):
    cfg = tmp_path / "r.yaml"
    cfg.write_text("urdf: /nonexistent/robot.urdf\nbase_link: b\nimu_frame: i\nfeet:\n"
                   "  left: {frame: l, length: 0.2, width: 0.1}\n  right: {frame: r, length: 0.2, width: 0.1}\n")
    p = _run("sim", "--robot", str(cfg), "--duration", "1")
    assert p.returncode == 2 and "/nonexistent/robot.urdf: file does not exist" in p.stderr


def test_a_malformed_push_explains_the_format():
    p = _run("sim", "--push", "2:100:0.1", "--duration", "1")
    assert p.returncode == 2 and "T:FX,FY,FZ:DUR" in p.stderr


def test_an_out_of_range_parameter_in_a_config_file_is_named_with_file_and_bounds(tmp_path):
    import shutil
    from humanoid_control.paths import share_dir
    for n in ("driver", "estimator", "wbc"):
        shutil.copy(share_dir() / "config" / f"{n}.yaml", tmp_path)
    text = (tmp_path / "wbc.yaml").read_text().replace("dcm_gain: 1.5", "dcm_gain: 99.0")
    (tmp_path / "wbc.yaml").write_text(text)
    p = _run("sim", "--config-dir", str(tmp_path), "--duration", "1")
    assert p.returncode == 2 and "dcm_gain" in p.stderr and "[0.1, 10.0]" in p.stderr and "wbc.yaml" in p.stderr


def test_check_urdf_prints_joints_and_limits(capsys):
    assert cli.main(["check-urdf", "humanoid"]) == 0
    out = capsys.readouterr().out
    assert "left_knee" in out and "N·m" in out and "left sole: left_sole, 0.220 × 0.110 m" in out


def test_shipped_config_files_validate_against_the_node_schemas():
    from humanoid_control import params as P
    from humanoid_control.paths import share_dir
    for node, schema in P.SCHEMAS.items():
        values = P.load_yaml(share_dir() / "config" / f"{node}.yaml", node)
        assert set(values) == {p.name for p in schema}
        P.validate(values, schema)


def _fake_launch_modules(monkeypatch, started):
    """Stand-ins for launch / launch_ros (not on PyPI) that record what the file builds."""
    import types

    class Action:
        def __init__(self, *args, **kwargs):
            self.args, self.kwargs = args, kwargs

    class Node(Action):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            started.append(kwargs)

    mods = {name: types.ModuleType(name) for name in ("launch", "launch.actions", "launch.conditions",
                                                     "launch.substitutions", "launch.launch_description_sources",
                                                     "launch_ros", "launch_ros.actions")}
    mods["launch"].LaunchDescription = lambda actions: list(actions)
    for name in ("DeclareLaunchArgument", "SetEnvironmentVariable", "IncludeLaunchDescription"):
        setattr(mods["launch.actions"], name, type(name, (Action,), {}))
    mods["launch.launch_description_sources"].PythonLaunchDescriptionSource = type(
        "PythonLaunchDescriptionSource", (Action,), {})
    mods["launch.conditions"].IfCondition = type("IfCondition", (Action,), {})
    for name in ("LaunchConfiguration", "PythonExpression"):
        setattr(mods["launch.substitutions"], name, type(name, (Action,), {}))
    mods["launch_ros.actions"].Node = Node
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, name, mod)


def launch_actions(monkeypatch, launch_file: str):
    """(actions, started nodes' keyword arguments) of a shipped launch file, built with the
    stand-ins of :func:`_fake_launch_modules`."""
    import importlib.util

    from humanoid_control.paths import share_dir
    started = []
    _fake_launch_modules(monkeypatch, started)
    monkeypatch.setattr("ament_index_python.packages.get_package_share_directory", lambda pkg: str(share_dir()))
    spec = importlib.util.spec_from_file_location("launch_file", share_dir() / "launch" / launch_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_launch_description(), started


def test_launch_file_starts_the_node_executables_with_their_config_files(monkeypatch):
    import re

    import yaml
    actions, started = launch_actions(monkeypatch, "humanoid_control.launch.py")
    assert {type(a).__name__ for a in actions} >= {"DeclareLaunchArgument", "SetEnvironmentVariable"}
    setup_py = (Path(__file__).resolve().parents[1] / "setup.py").read_text()
    console_scripts = set(re.findall(r'"([\w-]+) = humanoid_control', setup_py))
    assert {n["executable"] for n in started} == {"control_loop_node", "driver_node", "estimator_node", "wbc_node",
                                                  "mpc_node"}
    for node in started:
        assert node["package"] == "humanoid_control" and node["executable"] in console_scripts
        yaml_file = Path(node["parameters"][0])
        assert yaml_file.is_file()
        assert list(yaml.safe_load(yaml_file.read_text())) == [node["name"]]  # the YAML's node key is this node


@pytest.mark.parametrize("bad", ["--duration=-1", "--domain-id=999"])
def test_out_of_range_cli_values_exit_2(bad):
    p = _run("sim", bad)
    assert p.returncode == 2 and "outside" in p.stderr


def test_the_shipped_parameter_files_are_exactly_what_the_schemas_render():
    from humanoid_control import params as P
    from humanoid_control.paths import share_dir
    for node, schema in P.SCHEMAS.items():
        assert (share_dir() / "config" / f"{node}.yaml").read_text() == P.render_yaml(node, schema), (
            f"config/{node}.yaml is stale: run python -m humanoid_control.params")


def test_the_driver_on_hardware_example_validates_and_names_a_shipped_hardware_config():
    from humanoid_control import params as P
    from humanoid_control.paths import resolve_resource, share_dir
    values = P.validate(P.load_yaml(share_dir() / "config" / "driver_on_hardware.yaml", "driver"), P.DRIVER)
    assert values["simulation"] is False and values["mode"] == "realtime" and values["backend"] in P.HARDWARE_BACKENDS
    assert resolve_resource(values["hardware_config"]).is_file()


def test_a_video_file_of_an_unknown_container_lists_the_supported_ones():
    p = _run("sim", "--duration", "1", "--video", "run.gif")
    assert p.returncode == 2 and "unknown container '.gif'" in p.stderr and ".mp4" in p.stderr


def test_a_recording_that_is_not_an_mcap_file_is_refused():
    p = _run("sim", "--duration", "1", "--record", "run.bag")
    assert p.returncode == 2 and "name it *.mcap" in p.stderr


def test_a_foxglove_port_out_of_range_is_refused():
    p = _run("sim", "--duration", "1", "--foxglove", "70000")
    assert p.returncode == 2 and "outside [0, 65535]" in p.stderr


def test_the_launch_file_splits_across_machines_by_arguments_and_defaults_to_loopback(monkeypatch):
    actions, started = launch_actions(monkeypatch, "humanoid_control.launch.py")
    declared = {a.args[0]: a.kwargs["default_value"] for a in actions if type(a).__name__ == "DeclareLaunchArgument"}
    assert declared["discovery"] == "localhost" and declared["static_peers"] == ""
    assert declared["loop"] == "true" and declared["mpc"] == "true"
    env = [a.args[0] for a in actions if type(a).__name__ == "SetEnvironmentVariable"]
    assert env.count("ROS_AUTOMATIC_DISCOVERY_RANGE") == 2 and "ROS_STATIC_PEERS" in env
    by_exe = {n["executable"]: n for n in started}
    for exe in ("control_loop_node", "driver_node", "estimator_node", "wbc_node", "mpc_node"):
        assert "condition" in by_exe[exe]  # each side of the split can be left out


def _evaluate(sub, values: dict) -> str:
    """A launch substitution of the stand-ins, evaluated for the launch arguments ``values``."""
    kind = type(sub).__name__
    if kind == "LaunchConfiguration":
        return values[sub.args[0]]
    if kind == "PythonExpression":
        return str(eval("".join(_evaluate(p, values) for p in sub.args[0])))
    return sub


def _started_with(monkeypatch, **given) -> dict:
    """{executable: its parameters, substitutions evaluated} of the nodes the launch file
    starts for these launch arguments (the rest at their defaults)."""
    actions, started = launch_actions(monkeypatch, "humanoid_control.launch.py")
    values = {a.args[0]: a.kwargs["default_value"] for a in actions if type(a).__name__ == "DeclareLaunchArgument"}
    values.update(given)
    out = {}
    for n in started:
        if "condition" in n and _evaluate(n["condition"].args[0], values).lower() not in ("true", "1"):
            continue
        out[n["executable"]] = [{k: _evaluate(v, values) for k, v in p.items()} if isinstance(p, dict)
                                else _evaluate(p, values) for p in n["parameters"]]
    return out


def test_the_launch_file_runs_the_composed_loop_by_default_and_one_process_per_node_on_request(monkeypatch):
    default = _started_with(monkeypatch)
    assert set(default) == {"control_loop_node"}  # the MPC is the loop's worker
    assert default["control_loop_node"][1]["planner"] == "worker"
    assert set(_started_with(monkeypatch, layout="processes")) == {"driver_node", "estimator_node", "wbc_node",
                                                                   "mpc_node"}
    assert set(_started_with(monkeypatch, layout="processes", estimator="false")) == {"driver_node", "wbc_node",
                                                                                       "mpc_node"}
    split = _started_with(monkeypatch, mpc="false")  # the robot computer of a two-machine split
    assert set(split) == {"control_loop_node"} and split["control_loop_node"][1]["planner"] == "topic"
    assert set(_started_with(monkeypatch, loop="false")) == {"mpc_node"}  # the second computer


def test_a_bad_discovery_range_lists_the_choices():
    p = _run("sim", "--duration", "1", "--discovery", "internet")
    assert p.returncode == 2 and "localhost" in p.stderr and "subnet" in p.stderr


def test_a_malformed_static_peer_is_named():
    p = _run("node", "mpc", "--static-peers", "bad host!")
    assert p.returncode == 2 and "static peer 'bad host!'" in p.stderr
