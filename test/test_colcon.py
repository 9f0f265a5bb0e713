"""The path of a user with a ROS 2 install: ``colcon build`` and ``colcon test`` the package
(colcon from PyPI, the ROS 2 wheels as the underlay), in a scratch workspace."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.colcon

REPO = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", ".git", "build", "install", "log", "reports", "__pycache__", "*.egg-info",
                              ".pytest_cache")


def _bash(cmd: str, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    ws = tmp_path_factory.mktemp("colcon_ws")
    shutil.copytree(REPO, ws / "src" / "humanoid_control", ignore=SKIP)
    env = dict(os.environ)
    env.update(AMENT_PREFIX_PATH=sys.prefix, CMAKE_PREFIX_PATH=sys.prefix, PATH=f"{sys.prefix}/bin:{env['PATH']}",
               ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST", COLCON_HOME=str(ws / ".colcon"))
    env.pop("PYTHONPATH", None)
    build = _bash("colcon build --base-paths src src/humanoid_control/humanoid_control_msgs", ws, env, 600)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return ws, env


def test_colcon_build_installs_the_executables_ros2_run_expects(workspace):
    ws, _ = workspace
    lib = ws / "install" / "humanoid_control" / "lib" / "humanoid_control"
    for exe in ("driver_node", "estimator_node", "wbc_node", "mpc_node", "humanoid-control"):
        assert os.access(lib / exe, os.X_OK), f"{exe} missing from {lib}"


def test_colcon_build_installs_launch_config_urdf_and_the_ament_index(workspace):
    ws, env = workspace
    share = ws / "install" / "humanoid_control" / "share"
    for rel in ("humanoid_control/launch/humanoid_control.launch.py", "humanoid_control/config/wbc.yaml",
                "humanoid_control/config/robots/talos.yaml", "humanoid_control/urdf/humanoid.urdf",
                "humanoid_control/package.xml", "ament_index/resource_index/packages/humanoid_control"):
        assert (share / rel).is_file(), rel
    probe = _bash("source install/setup.bash && cd / && python -c \"import humanoid_control, humanoid_control_msgs.msg;"
                  "from ament_index_python.packages import get_package_share_directory as g;"
                  "print(humanoid_control.__file__); print(g('humanoid_control'))\"", ws, env, 120)
    assert probe.returncode == 0, probe.stderr
    module_file, share_dir = probe.stdout.split()
    assert module_file.startswith(str(ws / "install")), "the installed package, not the source tree, is imported"
    assert share_dir == str(share / "humanoid_control")


def test_colcon_test_runs_the_suite_and_reports_failures(workspace):
    ws, env = workspace
    # A subset (the whole suite already runs outside colcon): ROS-free and node tests.
    test = _bash("source install/setup.bash && colcon test --packages-select humanoid_control "
                 "--return-code-on-test-failure --pytest-args -m 'not sim and not colcon' -k 'joint_map or supervisor "
                 "or lifecycle'", ws, env, 600)
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-3000:]
    result = _bash("colcon test-result --test-result-base build/humanoid_control", ws, env, 60)
    summary = [line for line in result.stdout.splitlines() if line.startswith("Summary:")]
    assert summary, result.stdout
    n_tests = int(summary[0].split()[1])
    assert n_tests >= 10 and "0 errors, 0 failures" in summary[0], summary[0]
