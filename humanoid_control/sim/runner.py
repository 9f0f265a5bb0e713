"""One ``humanoid-control sim`` run from its :class:`~humanoid_control.sim.run_spec.RunSpec`:
the layout's runner, then the report's run keys and the artifacts (plots, video)."""
from __future__ import annotations

from humanoid_control.sim.loop_run import RunResult


def run(spec, robot, stop=None, on_start=None) -> RunResult:
    """Run ``spec`` on the loaded ``robot``; the result's report (None when the run could not
    start) carries mode, layout, backend, executor and, with the flags, artifacts.
    ``on_start()`` (composed and split layouts) is called just before the first tick."""
    from humanoid_control.sim.run_extras import new_recording, write_artifacts

    recording = new_recording(spec, robot)
    if spec.layout in ("composed", "split"):
        from humanoid_control.sim.loop_run import run_loop
        result = run_loop(spec, robot, recording, stop, on_start)
    else:
        from humanoid_control.sim.processes_run import run_processes
        result = run_processes(spec, robot, recording)
    if result.report is None:
        return result
    result.report.update(mode=spec.mode, layout=spec.layout, backend=spec.backend, executor=spec.executor,
                         terrain=spec.terrain.text(), terrain_map=spec.params.get("mpc", {}).get("terrain_map", ""))
    from humanoid_control import params as P

    friction = P.validate(spec.params["driver"], P.DRIVER)["friction"]
    artifact_err = write_artifacts(result.report, spec, result.extras, robot, friction)
    if artifact_err and not result.error:
        result.error = artifact_err
    return result
