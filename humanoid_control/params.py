"""Node parameters: one schema per node (name, default, unit, bounds, description), loaded
from ``config/<node>.yaml`` (``<node>: ros__parameters: {...}``), overridable, and validated
at start-up with errors that name the parameter, the file and the bounds."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from humanoid_control.errors import ConfigError, ParameterRangeError, UnknownNameError
from humanoid_control.paths import read_yaml_mapping


#: Hardware backends of the driver (humanoid_control/hardware/backends.py).
BACKENDS = ("mujoco", "mit-can", "cia402")  # what the simulated robot can run on (the CLI's --backend)
HARDWARE_BACKENDS = ("mit-can", "cia402", "mock", "topic-bridge")  # on the real robot (simulation: false)
DRIVER_BACKENDS = BACKENDS + ("mock", "topic-bridge")


@dataclass(frozen=True)
class Param:
    name: str
    default: object
    unit: str = ""
    lower: float | None = None
    upper: float | None = None
    choices: tuple = ()
    description: str = ""

    def check(self, value, source: str = ""):
        d = self.default
        if isinstance(d, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"parameter '{self.name}' must be true or false, got {value!r}", source)
            return value
        if isinstance(d, (int, float)) and not isinstance(d, bool):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"parameter '{self.name}' must be a number [{self.unit}], got {value!r}", source)
            value = float(value) if isinstance(d, float) else int(value)
            if value != value:  # NaN
                raise ConfigError(f"parameter '{self.name}' is NaN", source)
            if (self.lower is not None and value < self.lower) or (self.upper is not None and value > self.upper):
                raise ParameterRangeError(self.name, value, self.lower, self.upper, self.unit, source)
            return value
        if isinstance(d, str):
            if not isinstance(value, str):
                raise ConfigError(f"parameter '{self.name}' must be a string, got {value!r}", source)
            if self.choices and value not in self.choices:
                raise UnknownNameError(f"value of '{self.name}'", value, self.choices, source,
                                       plural=f"values of '{self.name}'")
            return value
        if isinstance(d, (list, tuple)):
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"parameter '{self.name}' must be a list, got {value!r}", source)
            return list(value)
        return value


def schema_dict(schema) -> dict:
    return {p.name: p for p in schema}


def validate(values: dict, schema, source: str = "") -> dict:
    """Defaults overlaid with ``values``; unknown names and bad values raise ConfigError."""
    specs = schema_dict(schema)
    out = {p.name: p.default for p in schema}
    for k, v in values.items():
        if k in ("use_sim_time",):
            continue
        if k not in specs:
            raise UnknownNameError("parameter", k, sorted(specs), source)
        out[k] = specs[k].check(v, source)
    return out


def load_yaml(path: Path, node_name: str) -> dict:
    """The ``ros__parameters`` of ``node_name`` (or of ``/**``) in a ROS 2 parameter file."""
    path = Path(path)
    data = read_yaml_mapping(path, "parameter file does not exist")
    out = {}
    for key in ("/**", node_name, "/" + node_name):
        section = data.get(key)
        if isinstance(section, dict):
            params = section.get("ros__parameters")
            if not isinstance(params, dict):
                raise ConfigError(f"section '{key}' has no 'ros__parameters' mapping", str(path))
            out.update(params)
    return out


DRIVER = (
    Param("robot", "humanoid", description="robot name (config/robots) or path to a robot YAML"),
    Param("simulation", True,
          description="false: the real robot — no MuJoCo; the backend (mit-can, cia402 on the buses of hardware_config; mock; topic-bridge) drives the hardware, the IMU and foot wrenches come from imu_input_topic and foot_wrench_input_prefix; needs mode: realtime"),
    Param("backend", "", choices=("",) + DRIVER_BACKENDS,
          description="hardware backend; '' = the URDF's <ros2_control><hardware><plugin> (in simulation, mit-can / cia402 run simulated MIT motors / CiA 402 drives on virtual CAN buses, physics in MuJoCo)"),
    Param("hardware_config", "", description="CAN backends: hardware YAML (buses, motors or drives); '' = the URDF's <hardware> param hardware_config, else config/hardware/<robot>_<backend>.yaml"),
    Param("mode", "lockstep", choices=("lockstep", "realtime"), description="clock"),
    Param("rate_hz", 1000.0, "Hz", 100.0, 2000.0, description="control rate"),
    Param("lockstep_timeout_s", 0.5, "s", 0.001, 30.0, description="wall time to wait for a command before stepping without one"),
    Param("startup_timeout_s", 60.0, "s", 1.0, 600.0, description="wall time to wait for the first command"),
    Param("command_timeout_s", 0.02, "s", 0.002, 1.0,
          description="watchdog: a controlled stop (hold, then damping) after this long without a valid command"),
    Param("hold_timeout_s", 1.0, "s", 0.0, 10.0,
          description="controlled stop: the posture at the time-out held with joint PD (power kept) this long, then "
                      "damping; a valid command meanwhile resumes control; 0 = damping at once"),
    Param("hold_deflection_rad", 0.1, "rad", 0.01, 5.0,
          description="controlled stop stiffness: each joint's kp = its effort limit / this deflection (within the "
                      "interface's gain bounds). With 0.5 a swing leg held mid-step drifted 9 cm inwards under the "
                      "last torque in 0.3 s and the robot fell after control resumed: bench/dropout_sweep.py, 0.3-s "
                      "drop-outs walking at 0.3 / 0.5 m/s at four points of a step, turning, sideways, Talos: 3 of 14 "
                      "fell with 0.5, none with 0.1 (0.05: the same); at 0.8 m/s 4 of 4 and 3 of 4"),
    Param("hold_damping_s", 0.05, "s", 0.0, 1.0, description="controlled stop damping: kd = kp · this"),
    Param("damping_kd", 5.0, "N·m·s/rad", 0.01, 100.0, description="damping-mode gain"),
    Param("max_tilt_rad", 0.8, "rad", 0.1, 1.57, description="fall detection: base tilt limit"),
    Param("min_base_height_ratio", 0.5, "", 0.0, 1.0,
          description="fall detection: base above the lowest sole (kinematics) below this share of standing height; 0 = off"),
    Param("estop_action", "damping", choices=("damping", "torque_off"), description="e-stop stop category"),
    Param("soft_start_s", 0.0, "s", 0.0, 10.0, description="gain and torque ramp after enabling or a reset (0 = off)"),
    Param("motor_derate_temperature_c", 70.0, "°C", 20.0, 200.0, description="motor torque limit shrinks from here"),
    Param("motor_max_temperature_c", 90.0, "°C", 20.0, 200.0, description="motor torque off + robot damping from here"),
    Param("friction", 1.0, "", 0.05, 3.0, description="simulated floor friction coefficient"),
    Param("terrain", "flat",
          description="simulated ground: flat | slope:DEG[@X] | step:HEIGHT[@X] | stairs:RISE:RUN:N[@X] | "
                      "rough:AMPLITUDE[:SEED] (humanoid-control sim --terrain)"),
    Param("imu_gyro_noise_std", 0.002, "rad/s", 0.0, 1.0),
    Param("imu_accel_noise_std", 0.02, "m/s²", 0.0, 5.0),
    Param("imu_orientation_noise_std", 0.0005, "rad", 0.0, 0.1),
    Param("joint_velocity_noise_std", 0.005, "rad/s", 0.0, 1.0),
    Param("joint_position_noise_std", 0.0, "rad", 0.0, 0.01),
    Param("imu_gyro_bias", [0.0, 0.0, 0.0], "rad/s", description="simulation: the gyro's constant bias (x, y, z)"),
    Param("link_mass_scale", [""], description="simulation: the simulated robot's link masses (and inertias) "
                                                "differ from the model's: 'LINK:FACTOR' entries, each in [0.5, 1.5]"),
    Param("link_com_offset", [""], description="simulation: the simulated links' centres of mass moved: "
                                                "'LINK:X,Y,Z' entries [m] in the link frame, each within ±0.05"),
    Param("torque_constant_scale", [""],
          description="simulation: motors make FACTOR × the commanded torque (the effort read back is the command): "
                      "'JOINT:FACTOR' entries, each in [0.5, 1.5]"),
    Param("joint_friction", 0.0, "N·m", 0.0, 10.0, description="simulation: Coulomb friction of every joint"),
    Param("sensor_delay_s", 0.0, "s", 0.0, 0.02,
          description="simulation: joint states, IMU and foot wrenches reach the controller this late (whole periods)"),
    Param("actuation_delay_s", 0.0, "s", 0.0, 0.02,
          description="simulation: commands act this late at the joints (whole periods)"),
    Param("seed", 0, "", 0, 2 ** 31 - 1),
    Param("publish_ground_truth", True, description="publish /ground_truth/* (simulation only)"),
    Param("pushes", [""], description="pushes 'T:FX,FY,FZ:DUR' [s, N, s], world frame, at the base"),
    Param("faults", [""], description="simulation: injected faults 'T:KIND[:ARG]' (humanoid-control sim --fault)"),
    Param("diagnostics_period_s", 1.0, "s", 0.05, 60.0),
    Param("imu_input_topic", "/hardware/imu",
          description="simulation: false: sensor_msgs/Imu of the robot's IMU (orientation xyzw, gyro, accelerometer, IMU frame)"),
    Param("foot_wrench_input_prefix", "/hardware",
          description="simulation: false: each foot's F/T sensor as geometry_msgs/WrenchStamped on <prefix>/<side>_foot/wrench (sole frame)"),
    Param("sensor_timeout_s", 0.05, "s", 0.002, 1.0,
          description="simulation: false: once commands flow, damping when the IMU has been silent this long"),
)

ESTIMATOR = (
    Param("robot", "humanoid"),
    Param("contact_on_N", 50.0, "N", 0.0, 5000.0, description="normal force above which a foot is in contact"),
    Param("contact_off_N", 20.0, "N", 0.0, 5000.0, description="normal force below which contact ends"),
    Param("accel_noise", 0.5, "m/s²", 1e-4, 100.0),
    Param("kinematics_noise", 0.002, "m", 1e-5, 1.0),
    Param("velocity_noise", 0.05, "m/s", 1e-4, 10.0),
    Param("slip_gate_mps", 0.0, "m/s", 0.0, 10.0,
          description="opt-in (0 = off): a stance foot whose leg puts the base's velocity this far off the filter's "
                      "prediction (IMU) is sliding or dragged: its velocity is set aside like a swinging foot's, for "
                      "at most slip_gate_max_s in a row. Off, the humanoid walks a μ 0.4 floor at 0.4, 0.6 and "
                      "1 m/s and diagonally (the estimator's rolling soles; they fell before those, when 0.3 made "
                      "them walk); with 0.3 it falls at 1 m/s on μ 0.4 and on the suite's blind four-stair flight "
                      "(session 39): not the default. Normal walking reads at most 0.09 m/s, a 15° ramp 0.24"),
    Param("slip_gate_max_s", 0.1, "s", 0.0, 2.0,
          description="the longest a foot's velocity is set aside in a row; then it is believed again (the "
                      "prediction may be what is wrong)"),
    Param("rolling_sole_mps", 0.05, "m/s", 0.0, 10.0,
          description="a stance sole whose centre's velocity puts the base this far off the filter's prediction may "
                      "be rolling on its toe, heel or an edge (pushing off, a straddled nosing, a ramp): the velocity of "
                      "the sole's point (edge middles, corners) that agrees best with the prediction is taken instead; "
                      "0 = off (before session 37). Blind 5-cm stairs, fresh set: 19 climb / 4 fall (14 / 8 off); "
                      "mu 0.4 at 0.65 m/s and mu 0.5 at 1 m/s walk (fell); 0.15: 18 / 4 and a 15-deg descent falls"),
    Param("foot_height_noise", 0.005, "m", 1e-4, 10.0,
          description="std of the ground-height prior (z = 0) on a stance foot per sample: small pulls stance feet to a "
                      "flat floor, large lets the estimate follow steps and stairs"),
    Param("terrain_map", "",
          description="the known ground (the MPC's terrain_map grammar: flat, slope:DEG[@X], step:HEIGHT[@X], "
                      "stairs:RISE:RUN:N[@X] along x from where the odometry starts): the stance feet's height prior "
                      "is its height there instead of z = 0; '' = a flat floor"),
    Param("stale_timeout_s", 0.05, "s", 0.001, 10.0, description="inputs older than this are rejected"),
    Param("diagnostics_period_s", 1.0, "s", 0.05, 60.0),
)

WBC = (
    Param("robot", "humanoid"),
    Param("friction_coefficient", 0.5, "", 0.05, 2.0,
          description="μ used by the QP's friction cone; keep it below the floor's (with 0.6, 5 of the 7 failed "
                      "randomized walking pushes of a 60-trial campaign stood on floors of μ 0.50-0.59; 0.5: 55/60 "
                      "instead of 53/60)"),
    Param("friction_cone", "pyramid", choices=("pyramid", "octagon"),
          description="the QP's linearised friction cone: pyramid (|fx|, |fy| <= μ fz; a diagonal force reaches "
                      "1.41 μ fz) or octagon (inscribed in |f_t| <= μ fz: walking diagonally on a μ 0.4 floor, which "
                      "falls with the pyramid; but the ±15° ramps then need friction_coefficient 0.7)"),
    Param("yaw_friction_arm_m", 0.04, "m", 0.0, 0.2,
          description="the QP bounds each sole's yaw torque by friction_coefficient · this · fz (its torsional "
                      "friction, which shrinks with the floor's μ; a fixed 0.02 m · fz before: on a μ 0.4 floor with "
                      "both friction_coefficients set to 0.4 the stance soles spun pushing off at 0.65-1 m/s and the "
                      "robot fell). 0.02 walks those with μ left at 0.5, but drifts and slows on stairs"),
    Param("slip_friction_gap", 0.0, "", 0.0, 1.0,
          description="opt-in slip reading (0 = off): a settled, loaded stance sole whose force sensor reads a "
                      "tangential/normal ratio this far below the one the QP commanded, for 20 ms, is slipping: the "
                      "QP's μ drops to 0.9 × the measured ratio and creeps back (0.05 per s) after 2 s without a slip "
                      "(wbc/friction_estimate.py). With 0.1 the humanoid walks a μ 0.3 floor at 0.3 / 0.4 m/s and a "
                      "μ 0.4 floor at 0.6 / 0.65 m/s and diagonally (all fell with μ 0.5); but without a sliding "
                      "speed to confirm it, hard pushes and steep ramps read slips too (the 15° ramp up at 0.4 m/s "
                      "ran 85 % slow): not the default"),
    Param("com_weight", 100.0, "", 0.0, 1e6),
    Param("com_kp_z", 100.0, "1/s²", 0.0, 1e4),
    Param("com_kd_z", 20.0, "1/s", 0.0, 1e3),
    Param("dcm_gain", 1.5, "", 0.1, 10.0),
    Param("cop_margin_m", 0.015, "m", 0.0, 0.1),
    Param("cop_support_fraction", 0.6, "", 0.3, 1.0,
          description="share of each sole's length and width the QP's centre of pressure may use while stepping (standing: "
                      "0.85; a blind foot often rests on an edge: 0.85 let stance soles tip 5-28 degrees on ±1 cm rough "
                      "ground)"),
    Param("orientation_weight", 30.0, "", 0.0, 1e6),
    Param("orientation_kp", 100.0, "1/s²", 0.0, 1e4),
    Param("orientation_kd", 20.0, "1/s", 0.0, 1e3),
    Param("posture_weight", 1.0, "", 0.0, 1e6),
    Param("posture_kp", 30.0, "1/s²", 0.0, 1e4),
    Param("posture_kd", 10.0, "1/s", 0.0, 1e3),
    Param("swing_kp", 400.0, "1/s²", 0.0, 1e4, description="swing-foot task stiffness"),
    Param("swing_kd", 40.0, "1/s", 0.0, 1e3, description="swing-foot task damping"),
    Param("swing_kp_z_uneven", 1000.0, "1/s²", 0.0, 1e4,
          description="its vertical stiffness for lift-first swings (planned in uneven-ground mode or over a map's "
                      "edge; not a stumble's re-lift): they rise 8-10 cm in a third of the swing and with 400 the foot "
                      "lagged 5-7 cm and its toe met the next riser. 84 blind 5-cm stair flights: 29 fell with 400, "
                      "19 with 1000; 56 mapped ones: 4 fell and 0 (session 30)"),
    Param("swing_kd_z_uneven", 63.0, "1/s", 0.0, 1e3,
          description="its vertical damping for those swings (63 with 1000: critically damped)"),
    Param("wrench_weight", 1e-4, "", 0.0, 1e3,
          description="on the contact wrenches' deviation from their reference (standing, recovery steps)"),
    Param("wrench_weight_walking", 0.1, "", 0.0, 1e3,
          description="the same while the plan walks on a command: the QP follows the MPC's wrenches and centre of "
                      "pressure (with 1e-4, randomized actuator errors moved the CoP 5 cm off the plan and the robot "
                      "walked 0.29 m/s at 0.1 commanded; 0.13 with 0.1); standing and recovery steps keep "
                      "wrench_weight (the QP's own CoM feedback catches a shove)"),
    Param("wrench_weight_ramp_s", 0.2, "s", 0.0, 1.0,
          description="the wrench weight moves between wrench_weight and wrench_weight_walking geometrically over "
                      "this long (0: at once; switched at once, a rough-ground walk fell when it was handed back "
                      "mid-sway)"),
    Param("contact_kd", 10.0, "1/s", 0.0, 1e3),
    Param("torque_limit_scale", 1.0, "", 0.1, 1.0),
    Param("joint_kp", 0.0, "N·m/rad", 0.0, 500.0),
    Param("joint_kd", 2.0, "N·m·s/rad", 0.0, 20.0),
    Param("com_kp_xy", 40.0, "1/s²", 0.0, 1e4, description="CoM position feedback around a plan"),
    Param("com_kd_track_xy", 10.0, "1/s", 0.0, 1e3, description="CoM velocity feedback around a plan"),
    Param("touchdown_load_fraction", 0.1, "", 0.02, 0.5,
          description="a foot carrying this share of the robot's weight is on the ground (early/late touch-down)"),
    Param("slope_landing_max_deg", 20.0, "deg", 0.0, 45.0,
          description="walking up a uniform ramp (three footholds in a row tilted alike within 3 deg, not in blind "
                      "uneven-ground mode), a swing sole lands parallel to the stance sole when that one is tilted 4 deg "
                      "up to this much; 0: level "
                      "landings (a level sole met a 10 deg ramp toe first: Talos's landings pitched 25-33 deg and it "
                      "fell at 0.3 and 0.35 m/s)"),
    Param("early_touchdown", True,
          description="a swing foot loaded after 75 % of its swing takes its contact at once (wbc/touchdown.py)"),
    Param("max_late_touchdown_s", 0.0, "s", 0.0, 0.2,
          description="a planned landing keeps reaching down for the ground at most this long (0: off; 0.06 made the "
                      "10° downhill walk fall: the gait does not wait for the late foot yet)"),
    Param("wait_for_plan", False, description="lockstep with an MPC node: wait for the plan at its ticks"),
    Param("plan_period_s", 0.01, "s", 0.001, 0.1, description="MPC period (plans are expected at multiples of it)"),
    Param("plan_timeout_s", 0.1, "s", 0.01, 1.0, description="a plan older than this is missing: stand and report"),
    Param("stale_timeout_s", 0.05, "s", 0.001, 10.0, description="inputs older than this are rejected"),
    Param("diagnostics_period_s", 1.0, "s", 0.05, 60.0),
)

MPC = (
    Param("robot", "humanoid"),
    Param("rate_hz", 100.0, "Hz", 10.0, 500.0, description="planning rate (plans are stamped with the state they start from)"),
    Param("horizon_s", 0.8, "s", 0.5, 2.0, description="MPC horizon"),
    Param("knots", 16, "", 5, 50, description="MPC intervals over the horizon"),
    Param("friction_coefficient", 0.5, "", 0.05, 2.0,
          description="μ of the MPC's friction pyramids; keep it below the floor's (as wbc.friction_coefficient)"),
    Param("solver", "riccati", choices=("riccati", "dense"),
          description="riccati: interior point with Riccati recursions, time linear in the knots; dense: the condensed "
                      "QP by ProxSuite (reference)"),
    Param("max_solve_time_s", 0.006, "s", 0.0, 1.0,
          description="wall-clock budget of one solve, at most 80 % of the MPC period; a solve that runs out returns "
                      "its best plan so far (riccati: always feasible), counted as budget_exceeded; 0: no limit "
                      "(lockstep runs of the sim CLI use 0, so they stay deterministic)"),
    Param("max_iterations", 50, "", 1, 1000, description="solver iterations per solve"),
    Param("step_period_s", 0.4, "s", 0.2, 2.0, description="one step: double + single support"),
    Param("double_support_ratio", 0.2, "", 0.05, 0.8),
    Param("step_height_m", 0.06, "m", 0.01, 0.2, description="swing apex above the ground"),
    Param("speed_feedback_gain", 0.5, "", 0.0, 1.0,
          description="share of a gait cycle's forward speed error fed back into the MPC's reference"),
    Param("speed_feedback_gain_lateral", 0.5, "", 0.0, 1.0,
          description="the same sideways, used when walking sideways, turning or slower than "
                      "speed_feedback_lateral_below_mps"),
    Param("speed_feedback_disturbance_mps", 0.15, "m/s", 0.001, 2.0,
          description="a gait cycle further off the command is a disturbance (a push), not fed back, except on "
                      "the axes where its error repeats those of the two cycles before within 0.05 m/s (0.25 fed back the "
                      "cycles after a push from behind: the robot slowed to 0.3 of 0.5 m/s)"),
    Param("speed_feedback_min_command_share", 0.25, "", 0.0, 1.0,
          description="the corrected command keeps at least this share of each commanded component in its "
                      "direction: near standstill the chain's speed answers its reference steeply and in whichever "
                      "direction it walks, and a bias that reversed the reference walked the humanoid forward at "
                      "0.2 m/s on a 0.1-m/s backward command"),
    Param("speed_feedback_lateral_below_mps", 0.15, "m/s", 0.0, 1.0,
          description="sideways speed is also fed back when the forward command is slower than this (0: only "
                      "when walking sideways or turning): a randomized robot drifted 0.02 m/s sideways against a "
                      "0.018-m/s command"),
    Param("stumble_tilt_deg", 15.0, "deg", 0.0, 45.0,
          description="stumble reflex: a swing foot tilted more than this by an edge (while walking as commanded) "
                      "starts its swing again, up first, and the next swings lift first; 0 = off (a 1.6-cm step "
                      "met with the toe 1 cm from the riser spun the robot 57° without it)"),
    Param("straddle_tilt_deg", 15.0, "deg", 0.0, 45.0,
          description="blind (no terrain_map): a foot on the ground pitched toe-up by more than this along the "
                      "walking direction (its sole on a nosing, the heel below) turns uneven-ground mode on at once "
                      "(lift-first swings, uneven_max_speed_mps); 0 = off. Blind 5-cm stair flights, 84 neighbours: "
                      "18 fell without it, 10 with it; ramps up to 12° keep their speed (13° slowed a 12° ramp up)"),
    Param("uneven_max_speed_mps", 0.25, "m/s", 0.0, 2.0,
          description="blind uneven-ground mode (feet standing at two heights, a stumble or a straddled nosing; no terrain_map): the commanded "
                      "horizontal speed is scaled down to at most this, and the QP drops the plan's wrenches at once; "
                      "0 = no cap (blind 5-cm stairs at 0.3 m/s: 28 of 56 neighbour flights fell without both, 16 "
                      "with them)"),
    Param("sway_reference", 0.0, "", 0.0, 1.0,
          description="walking straight, the MPC's CoM reference adds this share of the nominal gait's sideways "
                      "sway to the command (0: the command alone). 1 removed the humanoid's sideways lurch after "
                      "a shove from the side and raised the seed-0 campaigns to 92/100 (humanoid, from 90) and "
                      "50/50 (Talos, from 46), but 5 of 48 neighbour shoves fell instead of 3: opt-in"),
    Param("step_sway_share", -1.0, "", -1.0, 1.0,
          description="walking straight or turning at the nominal cadence, the share of the point-foot pendulum's sideways sway "
                      "the DCM stepping law expects (at least sway_reference; it rises to 1 at the fastest cadence); "
                      "-1: the robot config's step_sway_share (default 0.5). The MPC holds the CoM near the middle "
                      "of the stance (the DCM showed 0.45-0.64 of the sway), and with 1 the law wanted the feet "
                      "closer than the soles allow, lost its sideways feedback and a shove from the side left a "
                      "lurch for 6 s"),
    Param("terrain_map", "",
          description="the ground ahead when known (perception, a surveyed rig), in the sim's --terrain grammar along "
                      "x from where the odometry starts: flat, slope:DEG[@X], step:HEIGHT[@X], stairs:RISE:RUN:N[@X]; "
                      "each landing rests on one tread (climbing: 3 cm behind a riser, over an edge by at most 20 % "
                      "of the sole; going down: the whole sole on the tread) at its height, swings over an edge lift "
                      "first, a lift-off up an edge waits for the DCM to be over the foot that stays; '' = blind, the "
                      "default (10 of 84 neighbour 5-cm stair flights fall blind, 1 of 56 with their map)"),
    # the defaults are what the project humanoid walks without falling, each on its own axis
    # (lockstep, 10 s, within 10 %; docs/walking_limits.md): forward 1.0, backward 0.5, sideways 0.4
    # (with the lateral cadence; 0.25 fell before it), turning 1.0 rad/s
    Param("max_vx", 1.0, "m/s", 0.0, 3.0, description="forward speed limit (backward: max_vx_backward)"),
    Param("max_vx_backward", 0.5, "m/s", 0.0, 3.0, description="backward speed limit"),
    Param("max_vy", 0.4, "m/s", 0.0, 1.0, description="lateral speed limit"),
    Param("max_wz", 1.0, "rad/s", 0.0, 3.0, description="turning rate limit"),
    Param("command_envelope", "ellipsoid", choices=("ellipsoid", "box"),
          description="box: each axis limited alone; ellipsoid: a command using two or three axes is also scaled "
                      "down (direction kept) into the ellipsoid through the limits, sum (v_i/max_i)^2 <= 1 (each "
                      "axis alone walks to its limit, at once they fell: (0.9, 0, 0.7), (0.95, 0.1, 0.7), "
                      "(0.93, -0.34, -0.24); 16 directions on the ellipsoid walk, docs/walking_limits.md)"),
    Param("max_acc_xy", 1.0, "m/s²", 0.05, 10.0, description="linear acceleration limit of the command"),
    Param("max_acc_wz", 2.0, "rad/s²", 0.05, 20.0, description="angular acceleration limit of the command"),
    Param("cmd_vel_timeout_s", 0.5, "s", 0.05, 10.0, description="a /cmd_vel older than this counts as zero"),
    Param("cmd_vel_script", [""], description="scripted commands 'T:VX,VY,WZ' [s; m/s, m/s, rad/s] on the node's clock"),
    Param("stale_timeout_s", 0.05, "s", 0.001, 10.0, description="inputs older than this are rejected"),
    Param("diagnostics_period_s", 1.0, "s", 0.05, 60.0),
)

#: the composed loop as one ROS 2 executable (nodes/control_loop_node.py): which parts and
#: files; the parts' own parameters stay in driver/estimator/wbc/mpc.yaml
CONTROL_LOOP = (
    Param("robot", "humanoid", description="robot name (config/robots) or path to a robot YAML"),
    Param("mode", "realtime", choices=("realtime", "lockstep"),
          description="realtime: 1-kHz wall-clock ticks; lockstep: simulation time as fast as the loop runs, on /clock"),
    Param("planner", "worker", choices=("worker", "topic", "none"),
          description="worker: the centroidal MPC in a worker process of the loop (walk on /cmd_vel); topic: plans "
                      "from /centroidal_plan (an mpc_node elsewhere); none: stand"),
    Param("config_dir", "", description="folder with driver/estimator/wbc/mpc.yaml ('': the shipped config)"),
    Param("driver_params", "", description="a driver parameter file applied on top, e.g. config/driver_on_hardware.yaml"),
    Param("duration_s", 0.0, "s", 0.0, 1e9, description="stop after this much plant time (0: run until stopped)"),
    Param("report", "", description="write the run's JSON report (as humanoid-control sim --report) here on exit"),
)

SCHEMAS = {"driver": DRIVER, "estimator": ESTIMATOR, "wbc": WBC, "mpc": MPC, "control_loop": CONTROL_LOOP}


def node_params(config_dir: Path, node: str, overrides: dict | None = None) -> dict:
    """A node's validated parameters: ``<config_dir>/<node>.yaml`` with ``overrides`` on top
    (a ConfigError names the file and the parameter)."""
    path = Path(config_dir) / f"{node}.yaml"
    values = load_yaml(path, node)
    values.update(overrides or {})
    return validate(values, SCHEMAS[node], str(path))


def render_yaml(node: str, schema) -> str:
    """The shipped ``config/<node>.yaml``: every parameter with its default, unit, bounds
    and meaning (``python -m humanoid_control.params`` rewrites the files; a test keeps
    them in step with the schemas)."""
    lines = [f"# Parameters of the {node} node (ros__parameters). Each line: value  # [unit] bounds — meaning.",
             "# Validated at start-up: unknown names and out-of-range values stop the node with an error.",
             f"{node}:", "  ros__parameters:"]
    for p in schema:
        v = p.default
        if isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, str):
            text = f'"{v}"'
        elif isinstance(v, (list, tuple)):
            text = "[" + ", ".join(f'"{x}"' if isinstance(x, str) else repr(x) for x in v) + "]"
        else:
            text = repr(v)
        parts = [f"[{p.unit}]" if p.unit else "",
                 f"[{p.lower:g}, {p.upper:g}]" if p.lower is not None and p.upper is not None else "",
                 "one of: " + ", ".join(p.choices) if p.choices else ""]
        comment = " ".join(x for x in parts if x)
        if p.description:
            comment = f"{comment} — {p.description}" if comment else p.description
        lines.append(f"    {p.name}: {text}" + (f"  # {comment}" if comment else ""))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from humanoid_control.paths import share_dir

    for name, schema in SCHEMAS.items():
        (share_dir() / "config" / f"{name}.yaml").write_text(render_yaml(name, schema))
