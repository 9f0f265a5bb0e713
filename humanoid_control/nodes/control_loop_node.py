"""``control_loop_node``: the composed 1-kHz loop as one ROS 2 executable — what the launch
file starts by default (``layout:=composed``) and what ``humanoid-control sim`` runs.

In this process: the control loop (driver → estimator → WBC → safety, plain calls in the
main thread, pinned to a CPU of its own in real time), its ROS shell
(:class:`~humanoid_control.nodes.loop_node.LoopNode`: /cmd_vel, /estop, /diagnostics) and, as
child processes, the MPC worker (``planner: worker``) and the topic mirror that publishes the
1-kHz topics with their standard types. Parameters (``config/control_loop.yaml``): robot,
mode (realtime | lockstep), planner (worker | topic | none), config_dir and driver_params
(the parts' own YAML files), duration_s (0: until Ctrl-C / SIGINT), report (a JSON report
on exit). Stopping it (Ctrl-C, ``ros2 launch`` shutting down) ends the loop between two
ticks and shuts the driver down: the hardware is deactivated (damping first on the CAN
backends).

    ros2 run humanoid_control control_loop_node --ros-args -p mode:=realtime
    humanoid-control node control_loop           # the same without a ROS 2 install
"""
from __future__ import annotations

import json
import sys

from humanoid_control import params as P
from humanoid_control.errors import HumanoidControlError


def read_parameters(args) -> dict:
    """The node's validated parameters from its ROS arguments (``-p name:=value``,
    ``--params-file``); a ConfigError names a bad or unknown one."""
    import rclpy
    from rclpy.signals import SignalHandlerOptions

    from humanoid_control.nodes.common import declare_from_schema

    ctx = rclpy.Context()
    rclpy.init(args=args, context=ctx, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = rclpy.create_node("control_loop", context=ctx)
        try:
            return declare_from_schema(node, P.CONTROL_LOOP)
        finally:
            node.destroy_node()
    finally:
        rclpy.try_shutdown(context=ctx)


def main(args=None) -> int:
    from humanoid_control.sim.stop_request import StopRequest

    stop = StopRequest().install()  # from here on Ctrl-C / SIGTERM ends the run cleanly, start-up included
    try:
        return _main(list(sys.argv if args is None else args), stop)
    except KeyboardInterrupt:  # a second Ctrl-C
        return 130
    finally:
        stop.restore()


def _main(args: list, stop) -> int:
    from humanoid_control.nodes.common import apply_process_scheduling, ensure_localhost_discovery
    from humanoid_control.robot.model import RobotModel
    from humanoid_control.sim.run_spec import RunSpec
    from humanoid_control.sim.runner import run

    ensure_localhost_discovery()
    try:
        values = read_parameters(args)
        robot = RobotModel.load(values["robot"])
        spec = RunSpec.for_control_loop_node(values, robot, ros_args=args)
        for warning in apply_process_scheduling():
            print(f"control_loop: warning: {warning}", file=sys.stderr)
    except HumanoidControlError as exc:
        print(f"control_loop: error: {exc}", file=sys.stderr)
        return 2
    print(f"control_loop: {values['robot']} in {spec.mode}, planner {values['planner']}, backend {spec.backend}"
          f"{'' if spec.duration_s == float('inf') else f', for {spec.duration_s:g} s'}; Ctrl-C stops", flush=True)
    result = run(spec, robot, stop, on_start=lambda: print("control_loop: running", flush=True))
    report = result.report
    if report is not None:
        verdict = "FELL" if report["fell"] else "stood"
        driver = report["nodes"].get("driver", {})
        print(f"control_loop: {verdict}; {report['sim_time_s']} s of plant time, missed ticks "
              f"{driver.get('missed_ticks', 0)}, latency p99 {driver.get('latency_p99_us', 0)} µs", flush=True)
        if spec.report_path is not None:
            spec.report_path.parent.mkdir(parents=True, exist_ok=True)
            spec.report_path.write_text(json.dumps(report, indent=2) + "\n")
    if result.error:
        print(f"control_loop: error: {result.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["main", "read_parameters"]
