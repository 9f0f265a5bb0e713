"""Campaign trials as Ray tasks (``humanoid-control campaign --ray local|auto|ADDRESS``).

Ray is optional (``pip install .[ray]`` or ``requirements-ray.txt``). ``local`` starts a Ray
of this machine bound to 127.0.0.1 (no dashboard, no usage statistics), ``auto`` joins the
cluster this machine belongs to, anything else is a cluster's address. Each task runs one
trial (:func:`humanoid_control.sim.campaign.run_trial`) in the ROS domain ``domains[index mod
len(domains)]`` with loopback discovery, the task's environment carrying the ROS variables."""
from __future__ import annotations

import os

from humanoid_control.sim.campaign import CampaignError, run_trial

INSTALL_HINT = "pip install '.[ray]' (or pip install -r requirements-ray.txt) in the environment that runs it"
#: ROS variables a trial's process needs, passed to the tasks' environment when set here
LOCAL_ONLY_VAR = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
ROS_ENV = ("AMENT_PREFIX_PATH", "RMW_IMPLEMENTATION", "ROS_STATIC_PEERS", "PYTHONPATH", "LD_LIBRARY_PATH")

def _trial_task(domain: int, robot: str, seed: int, index: int, scenario: str, config_dir: str | None,
                params: tuple = ()) -> dict:
    os.environ["ROS_DOMAIN_ID"] = str(domain)
    os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
    return run_trial(robot, seed, index, scenario, config_dir, params)


def import_ray(local: bool = False):
    """``import ray`` without usage reports to the internet; ``local``: a Ray of this machine
    only — Ray otherwise swaps 127.0.0.1 for the machine's outward address (so that other
    nodes could join) and listens there."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if local:  # Ray's switch to keep a node on the loopback: read at import here, from the environment
        os.environ[LOCAL_ONLY_VAR] = "0"  # by the processes ray.init starts
    try:
        import ray
        from ray._private import ray_constants
    except ImportError:
        raise CampaignError(f"--ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    if local:  # (imported before this call: the module's constant is what it reads)
        ray_constants.ENABLE_RAY_CLUSTER = False
    return ray


def run_on_ray(address: str, robot: str, seed: int, trials: int, scenario: str, config_dir, workers: int,
               domains: list, on_done, params: tuple = ()) -> list:
    """Run the trials as Ray tasks; ``on_done(entry)`` as each finishes. Returns the entries."""
    local = address == "local"
    ray = import_ray(local)
    env = {k: os.environ[k] for k in ROS_ENV if k in os.environ}
    env.update(RAY_USAGE_STATS_ENABLED="0", ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
    if local:
        env[LOCAL_ONLY_VAR] = "0"
    kwargs = dict(runtime_env={"env_vars": env}, log_to_driver=False, ignore_reinit_error=False)
    if local:
        kwargs.update(address="local", _node_ip_address="127.0.0.1", include_dashboard=False, num_cpus=workers)
    else:
        kwargs.update(address=address)
    try:
        ray.init(**kwargs)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError … with its own text
        raise CampaignError(f"--ray {address}: Ray did not start or connect: {exc}") from None
    try:
        task = ray.remote(num_cpus=1)(_trial_task)
        pending = [task.remote(domains[i % len(domains)], robot, seed, i, scenario, config_dir, params)
                   for i in range(trials)]
        out = []
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            entry = ray.get(done[0])
            out.append(entry)
            on_done(entry)
        return out
    finally:
        ray.shutdown()
