"""Nodes as child processes of a run (the ``processes`` layout, an MPC node in the ``split``
layout): parameter files, start, liveness with the dead node's last output, stop."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

#: node name -> the module its process runs (``python -m``)
NODE_MODULES = {"driver": "humanoid_control.nodes.driver_node", "estimator": "humanoid_control.nodes.estimator_node",
                "wbc": "humanoid_control.nodes.wbc_node", "mpc": "humanoid_control.nodes.mpc_node",
                "control_loop": "humanoid_control.nodes.control_loop_node"}
#: [s] wall time an external node has to come up (imports, solver build) before the run starts.
EXTERNAL_STARTUP_TIMEOUT_S = 120.0


def write_params_file(path: Path, name: str, values: dict) -> Path:
    """A ROS 2 parameter file ``{name: {ros__parameters: values}}`` (JSON is valid YAML)."""
    path.write_text(json.dumps({name: {"ros__parameters": values}}))
    return path


def spawn_node(name: str, values: dict, sim_time: bool, tmp: Path, logs: dict) -> subprocess.Popen:
    """Start one node as its own Python process with its parameters in a file under ``tmp``;
    its output goes to ``logs[name]`` (read back when it dies)."""
    pfile = write_params_file(tmp / f"{name}.yaml", name, {**values, "use_sim_time": sim_time and name != "driver"})
    logs[name] = open(tmp / f"{name}.log", "w+")
    cmd = [sys.executable, "-m", NODE_MODULES[name], "--ros-args", "--params-file", str(pfile)]
    return subprocess.Popen(cmd, stdout=logs[name], stderr=subprocess.STDOUT, env=os.environ.copy())


def dead_node(procs: dict, logs: dict) -> str:
    """'' while every node process runs, else what the first one that exited printed last."""
    for name, p in procs.items():
        if p.poll() is not None:
            logs[name].seek(0)
            tail = logs[name].read()[-2000:]
            return f"node '{name}' exited with code {p.returncode}:\n{tail}"
    return ""


def stop_nodes(procs: dict, logs: dict) -> None:
    """SIGINT every node process still running (SIGKILL after 10 s), close the logs."""
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs.values():
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for f in logs.values():
        f.close()


def wait_for_external(node, procs: dict, logs: dict) -> str:
    """Block until an MPC node's plan publisher is discovered by ``node`` (the MPC creates it
    after building its solver), so the loop's first state finds it ready; '' when it is,
    else why not."""
    t_end = time.monotonic() + EXTERNAL_STARTUP_TIMEOUT_S
    while node.count_publishers("/centroidal_plan") < 1:
        err = dead_node(procs, logs)
        if err:
            return err
        if time.monotonic() > t_end:
            return f"the MPC node did not come up within {EXTERNAL_STARTUP_TIMEOUT_S:.0f} s"
        time.sleep(0.05)
    time.sleep(0.2)  # let the MPC's subscriptions match too
    return ""
