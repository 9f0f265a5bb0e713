"""The ``processes`` layout of ``humanoid-control sim``: one process per node over DDS, a
monitor node here builds the report from the topics."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from humanoid_control.sim.loop_run import RunResult, progress_line
from humanoid_control.sim.node_processes import dead_node, spawn_node, stop_nodes
from humanoid_control.timing import CpuShares

#: [s] wall time without simulation progress after which the start-up counts as failed
STARTUP_TIMEOUT_S = 120.0


def run_processes(spec, robot, recording=None) -> RunResult:
    import rclpy

    from humanoid_control.nodes.common import make_executor
    from humanoid_control.nodes.monitor_node import MonitorNode
    from humanoid_control.sim.report import report_builder_for
    from humanoid_control.sim.run_extras import RunExtras

    tmp = Path(tempfile.mkdtemp(prefix="humanoid_control_"))
    ctx = rclpy.Context()
    rclpy.init(context=ctx, args=[])
    rb = report_builder_for(spec, robot)
    monitor = MonitorNode(rb, stamps_from_zero=spec.lockstep, recording=recording, context=ctx)
    ex = make_executor(spec.executor, ctx)
    ex.add_node(monitor)
    extras = RunExtras(spec, robot, recording)
    procs, logs = {}, {}
    err = ""
    last = [0.0]
    end_ns = int(spec.duration_s * 1e9)
    try:
        extras.open(ctx, ex, spec.lockstep)  # before the nodes start: nothing lost to discovery, nothing to stop
        for name, values in spec.params.items():
            procs[name] = spawn_node(name, values, spec.lockstep, tmp, logs)
        t0 = time.monotonic()
        cpu = None  # from the first simulated tick on: start-up (imports, JIT loading) left out
        while monitor.sim_ns < end_ns:
            if cpu is None and monitor.sim_ns > 0:
                cpu = CpuShares({"monitor": None, **{name: p.pid for name, p in procs.items()}}).start()
            ex.spin_once(timeout_sec=0.05)
            wall = time.monotonic() - t0
            err = dead_node(procs, logs)
            if err:
                break
            if monitor.sim_ns == 0 and wall > STARTUP_TIMEOUT_S:
                err = f"no simulation progress within {STARTUP_TIMEOUT_S:.0f} s of start-up"
                break
            if not spec.quiet and wall - last[0] >= 5.0:
                last[0] = wall
                print(progress_line(spec, monitor.sim_ns, wall), flush=True)
            extras.tick(wall, rb.nodes)
        wall = time.monotonic() - t0
        if cpu is not None:
            rb.cpu_cores = cpu.stop()
        extras.end_views()
        # Let the nodes' last periodic diagnostics arrive (they publish every diagnostics_period_s of sim time).
        t_end = time.monotonic() + 0.3
        while time.monotonic() < t_end:
            ex.spin_once(timeout_sec=0.02)
        return RunResult(rb.build(wall, spec.pushes), wall, err, extras)
    finally:
        stop_nodes(procs, logs)
        extras.close()
        monitor.destroy_node()
        rclpy.try_shutdown(context=ctx)
