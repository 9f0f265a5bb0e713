"""What the terrain benches share: their case files and their pool of lockstep runs (each
worker in its own ROS domain, loopback only — ``campaign.pool_worker_init``)."""
from __future__ import annotations

import os


def read_cases(path: str) -> list:
    """Lines ``TERRAIN VX[,VY,WZ] NUMBER [ROBOT]`` (``#`` comments and blank lines skipped)
    -> [(terrain, "vx,vy,wz", number, robot)]; a bare speed is walked straight ahead."""
    out = []
    for line in open(path):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        cmd = parts[1] if "," in parts[1] else f"{parts[1]},0,0"
        out.append((parts[0], cmd, float(parts[2]), parts[3] if len(parts) > 3 else "humanoid"))
    return out


def run_pool(run_case, jobs: list, workers: int, domain_id: int) -> list:
    """``run_case`` over ``jobs`` in ``workers`` spawned processes, ROS domains ``domain_id`` on."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from humanoid_control.sim.campaign import pool_worker_init

    ctx = mp.get_context("spawn")
    domains = ctx.Queue()
    for k in range(workers):
        domains.put(domain_id + k)
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=pool_worker_init, initargs=(domains,)) as pool:
        return list(pool.map(run_case, jobs))


def run_walk(terrain: str, cmd: str, duration: float, robot: str, params=(), extra=()) -> dict:
    """The report of one ``humanoid-control sim`` run walking ``cmd`` ("vx,vy,wz") from 1 s over
    ``terrain`` for ``duration`` [s] with ``sim --param`` settings ``params`` and further CLI
    arguments ``extra``, through the CLI's spec and runner (this worker's ROS domain, loopback)."""
    from humanoid_control.cli import sim_spec_for_args
    from humanoid_control.sim.runner import run

    args = ["--quiet", "--robot", robot, "--terrain", terrain, "--duration", f"{duration:g}", "--cmd-vel", f"1:{cmd}",
            *extra]
    for p in params:
        args += ["--param", p]
    try:
        spec = sim_spec_for_args(args)
    except SystemExit:  # argparse said why on stderr; in a pool worker the exit would only break the pool
        raise RuntimeError(f"humanoid-control sim refused {' '.join(args)} (its message above)") from None
    result = run(*spec)
    if result.report is None:
        raise RuntimeError(f"{terrain} {cmd} {robot}: the run failed: {result.error}")
    return result.report


def default_domain_id() -> int:
    return int(os.environ.get("ROS_DOMAIN_ID", "40"))
