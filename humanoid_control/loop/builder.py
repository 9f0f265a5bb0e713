"""The control loop from the nodes' validated parameters (``params.DRIVER``, ``ESTIMATOR``,
``WBC`` and, when walking, ``MPC``): one robot model shared by the parts."""
from __future__ import annotations

from humanoid_control.loop.control_loop import ControlLoop
from humanoid_control.loop.driver_core import DriverCore
from humanoid_control.loop.estimator_core import EstimatorCore
from humanoid_control.loop.plan_source import InlinePlanner, PlanSource, WorkerPlanner
from humanoid_control.loop.wbc_core import WbcCore
from humanoid_control.robot.model import RobotModel

#: How the MPC runs beside the loop: ``worker`` (its own process, one MPC period of planning
#: latency in lockstep), ``inline`` (in the loop's thread, no latency, stalls the loop).
MPC_MODES = ("worker", "inline")


def build_loop(params: dict, robot: RobotModel | None = None, mpc: str = "worker",
               plans: PlanSource | None = None) -> ControlLoop:
    """``params``: node name -> parameter dict (validated here; defaults fill what is
    missing). With ``params['mpc']`` the loop walks with a
    planner run as ``mpc`` (see MPC_MODES) unless ``plans`` gives the source. In lockstep
    the MPC gets no wall-clock budget (``max_solve_time_s`` 0), so runs stay deterministic."""
    from humanoid_control.errors import UnknownNameError

    from humanoid_control import params as P

    if mpc not in MPC_MODES:
        raise UnknownNameError("MPC mode", mpc, MPC_MODES)
    params = {name: P.validate(values, P.SCHEMAS[name], f"{name} parameters") for name, values in params.items()}
    robot = robot if robot is not None else RobotModel.load(params["driver"]["robot"])
    lockstep = params["driver"]["mode"] == "lockstep"
    if lockstep and "mpc" in params:  # a wall-clock budget would make the run depend on the machine's load
        params["mpc"] = {**params["mpc"], "max_solve_time_s": 0.0}
    if plans is None and "mpc" in params:
        plans = WorkerPlanner(params["mpc"], wait=lockstep) if mpc == "worker" else \
            InlinePlanner(params["mpc"], robot, lockstep)
    try:
        driver = DriverCore(params["driver"], robot)
        return ControlLoop(driver, EstimatorCore(params["estimator"], robot), WbcCore(params["wbc"], robot), plans)
    except BaseException:
        if plans is not None:
            plans.close()
        raise
