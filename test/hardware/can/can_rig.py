"""The test rig of the CAN backends: a backend, its simulated devices on fresh virtual buses
and MuJoCo behind them, stepped the way the driver steps them."""
import itertools

from humanoid_control.hardware.mujoco_system import MujocoSystem
from humanoid_control.hardware.system_interface import CallbackReturn, LifecycleState
from humanoid_control.robot.ros2_control_tag import hardware_info_for

DT = 0.001  # [s] control tick
_ids = itertools.count()


class CanRig:
    def __init__(self, robot, load_config, path, plant_class, system_class):
        """``load_config(path, joint_names)`` reads the hardware YAML at ``path``."""
        self.info = hardware_info_for(robot.urdf_text, str(robot.config.urdf_path), robot.joint_names)
        self.sim = MujocoSystem(robot)
        self.sim.init(self.info)
        self.sim.configure()
        self.sim.read(0.0, DT)
        self.sim.activate()
        self.cfg = load_config(path, self.sim.joint_names).with_virtual_buses(f"rig-{next(_ids)}")
        self.plant = plant_class(self.sim, self.cfg)
        self.hw = system_class(self.cfg, sensors=self.plant.fill_sensors, pump=self.plant.pump)
        self.t = 0.0

    def start(self):
        assert self.hw.init(self.info) is CallbackReturn.SUCCESS
        assert self.hw.configure() is CallbackReturn.SUCCESS, self.hw.last_error
        assert self.hw.activate() is CallbackReturn.SUCCESS, self.hw.last_error
        self.q0 = self.hw.joint_state["position"].copy()
        return self

    def hold(self, ticks: int, kp=300.0, kd=8.0):
        """Joint PD on the start posture for ``ticks`` ticks; the write results."""
        results = []
        c = self.hw.joint_command
        for _ in range(ticks):
            if self.hw.state is LifecycleState.ACTIVE:
                c["position"][:], c["velocity"][:], c["effort"][:], c["kp"][:], c["kd"][:] = self.q0, 0.0, 0.0, kp, kd
            results.append(self.hw.write_checked(self.t, DT))
            self.plant.advance(self.t, DT)
            self.t += DT
            self.hw.read_checked(self.t, DT)
        return results

    def close(self):
        if self.hw.state is not LifecycleState.FINALIZED:
            self.hw.shutdown()
        self.plant.shutdown()
