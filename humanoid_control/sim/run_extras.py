"""What ``humanoid-control sim`` shows and keeps besides its report (CLI glue, rclpy side):
MuJoCo's viewer, the Foxglove live view, the MCAP recording (``--viewer``, ``--foxglove``,
``--record``), and afterwards the plots and the video (``--plots``, ``--video``), all listed
under the report's ``artifacts``.

:class:`RunExtras` is used the same way by every layout: ``open(ctx, executor, sim_time)``
before the nodes start (a Foxglove port in use then stops nothing that runs), ``tick(wall_s,
timing)`` on every turn of the run loop, ``end_views()`` when the simulation ends, ``close()``
in the ``finally``, then :func:`write_artifacts`.
"""
from __future__ import annotations

import sys

from humanoid_control.errors import HumanoidControlError


def new_recording(spec, robot):
    """A RunRecording when plots, a video, the viewer or the live view want one, else None."""
    if not spec.wants_recording:
        return None
    from humanoid_control.sim.recording import RunRecording
    return RunRecording(robot.joint_names, {s: f.frame for s, f in robot.config.feet.items()})


class McapRun:
    """``--record``: the recorder node, its topic discovery and its entry in the report."""

    DISCOVERY_PERIOD_S = 0.1  # [s] wall time between looks for new topics

    def __init__(self, path, ctx, sim_time: bool):
        from humanoid_control.nodes.common import GRAPH_TOPICS
        from humanoid_control.nodes.recorder_node import RecorderNode
        from humanoid_control.sim.mcap_recording import McapRecorder

        self.path = path
        self.mcap = McapRecorder(path)
        self.node = RecorderNode(self.mcap, sim_time, context=ctx)
        for topic, type_name in GRAPH_TOPICS.items():  # before the nodes start: nothing lost to discovery
            self.node.subscribe(topic, type_name)
        self._last = -1.0

    def poll(self, wall_s: float) -> None:
        if wall_s - self._last >= self.DISCOVERY_PERIOD_S:
            self._last = wall_s
            self.node.discover()

    @property
    def subscriptions(self) -> dict:
        """{topic: rclpy Subscription} the recorder holds."""
        return self.node.recorded_topics()

    def close(self) -> dict:
        self.mcap.close()
        self.node.destroy_node()
        return {"path": str(self.path), "messages": dict(sorted(self.mcap.counts.items())),
                "skipped": dict(self.node.skipped)}


class RunExtras:
    def __init__(self, spec, robot, recording=None):
        self.args, self.robot = spec, robot  # the RunSpec (its artifact flags)
        self.recording = recording  # the RunRecording the run fills (or None)
        self.viewer = self.live = self.mcap = None
        self.stop = None  # the run's StopRequest (loop_run), looked at between ticks
        self.artifacts = {}

    def open(self, ctx, executor, sim_time: bool) -> None:
        args = self.args
        if args.viewer:
            self.viewer = self._open_viewer()
        if args.foxglove is not None:
            from humanoid_control.viz.live_view import LiveView
            try:
                self.live = LiveView(self.robot, args.foxglove, args.foxglove_host)
            except (OSError, RuntimeError) as exc:  # port taken, address not available
                raise HumanoidControlError(f"--foxglove {args.foxglove}: cannot serve on "
                                           f"{args.foxglove_host}:{args.foxglove}: {exc}") from None
            print(f"foxglove: live view on {self.live.url} (Foxglove: Open connection -> Foxglove WebSocket)",
                  flush=True)
        if args.record:
            self.mcap = McapRun(args.record, ctx, sim_time)
            executor.add_node(self.mcap.node)
            self.mcap.poll(0.0)

    def _open_viewer(self):
        from humanoid_control.viz.viewer import LiveViewer, display_problem

        problem = display_problem()
        if problem:
            self.artifacts["viewer"] = f"not opened: {problem}"
            print(f"humanoid-control: --viewer: {problem}; the run goes on headless (--video FILE.mp4 records it)",
                  file=sys.stderr)
            return None
        try:
            viewer = LiveViewer(self.robot, self.args.terrain.text())
        except Exception as exc:  # GLFW / driver trouble: the run itself must not fail for it
            self.artifacts["viewer"] = f"not opened: {exc}"
            print(f"humanoid-control: --viewer: MuJoCo's viewer did not open ({exc}); the run goes on headless",
                  file=sys.stderr)
            return None
        self.artifacts["viewer"] = "opened"
        return viewer

    def tick(self, wall_s: float, timing: dict) -> None:
        if self.viewer is not None:
            self.viewer.update(self.recording, wall_s)
        if self.live is not None:
            self.live.update(self.recording, wall_s, timing)
        if self.mcap is not None:
            self.mcap.poll(wall_s)

    def end_views(self) -> None:
        """The simulation ended: close the viewer window."""
        if self.viewer is not None:
            self.viewer.close()
            self.viewer = None

    def close(self) -> None:
        self.end_views()
        if self.mcap is not None:
            self.artifacts["recording"] = summary = self.mcap.close()
            if not self.args.quiet:
                print(f"recording: {summary['path']} ({sum(summary['messages'].values())} messages on "
                      f"{len(summary['messages'])} topics)")
            self.mcap = None
        if self.live is not None:
            self.artifacts["foxglove"] = {"url": self.live.url, "updates": self.live.updates}
            self.live.close()
            self.live = None


def write_artifacts(report: dict, spec, extras, robot, friction: float) -> str:
    """Plots and video from the run's recording, and what the extras kept, under the report's
    ``artifacts``; '' or what went wrong (the report is still written). ``spec``: the RunSpec."""
    args = spec
    artifacts = dict(extras.artifacts) if extras is not None else {}
    if args.viewer and "viewer" not in artifacts:
        artifacts["viewer"] = "not opened"
    rec = extras.recording if extras is not None else None
    err = ""
    if rec is not None and (args.plots or args.video):
        arrays = rec.arrays()
        if args.plots:
            from humanoid_control.viz.plots import write_plots
            paths = write_plots(arrays, report, robot, args.plots, friction, args.commands)
            artifacts["plots"] = [str(p) for p in paths]
            if not args.quiet:
                print(f"plots: {args.plots}/ ({', '.join(p.name for p in paths)})")
        if args.video:
            from humanoid_control.viz.video import render_in_child
            if not args.quiet:
                print(f"rendering {args.video} ...", flush=True)
            try:
                v = render_in_child(arrays, args.robot_arg, args.video, terrain=spec.terrain.text())
                artifacts["video"] = {"path": v.path, "frames": v.frames, "fps": v.fps, "width": v.width,
                                      "height": v.height}
                if not args.quiet:
                    print(f"video: {v.path} ({v.frames} frames at {v.fps:g} fps)")
            except HumanoidControlError as exc:
                err = f"--video: {exc}"
    if artifacts:
        report["artifacts"] = artifacts
    return err
