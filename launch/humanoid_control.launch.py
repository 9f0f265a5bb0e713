"""ROS 2 launch file (needs a ROS 2 install with launch_ros). By default (``layout:=composed``)
one process runs the 1-kHz loop — driver, state estimator, whole-body QP and safety as plain
calls, the centroidal MPC in a worker process of it, the 1-kHz topics published by its
mirror process — the same as ``humanoid-control sim`` (``control_loop_node``, parameters in
config/control_loop.yaml). ``layout:=processes`` starts one process per node instead
(driver, estimator, wbc, mpc: the graph of ``humanoid-control sim --layout processes``; each
1-kHz message crosses DDS, which this Python stack cannot do at 1 kHz on two cores — README
"Performance"), e.g. to replace our estimator with yours (``estimator:=false``). Walk by
publishing geometry_msgs/Twist on /cmd_vel.

    ros2 launch humanoid_control humanoid_control.launch.py robot:=humanoid mode:=lockstep mpc:=true

On the real robot (no MuJoCo; the IMU on /hardware/imu, the foot F/T sensors on
/hardware/<side>_foot/wrench; README "Bring-up on hardware"):

    ros2 launch humanoid_control humanoid_control.launch.py mode:=realtime \
        driver_params:=/path/to/my_driver_on_hardware.yaml

(start from config/driver_on_hardware.yaml: simulation: false, backend, hardware_config).

Across two machines (README "Several machines"), e.g. the MPC on a second computer:

    # robot computer: the 1-kHz loop, plans from /centroidal_plan
    ros2 launch humanoid_control humanoid_control.launch.py mode:=realtime mpc:=false discovery:=subnet
    # second computer: the MPC only
    ros2 launch humanoid_control humanoid_control.launch.py mode:=realtime loop:=false discovery:=subnet

``discovery`` is localhost (default), subnet, system_default or off (then give
``static_peers:=HOST;HOST``); ``localhost_only:=false`` (older) leaves the environment's setting.
"""
import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, SetEnvironmentVariable
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration, PythonExpression
from launch_ros.actions import Node


def generate_launch_description():
    share = get_package_share_directory("humanoid_control")
    config = os.path.join(share, "config")
    robot = LaunchConfiguration("robot")
    mode = LaunchConfiguration("mode")
    sim_time = PythonExpression(["'", mode, "' == 'lockstep'"])
    common = {"robot": robot}
    discovery = LaunchConfiguration("discovery")
    layout, loop_on, mpc_on = LaunchConfiguration("layout"), LaunchConfiguration("loop"), LaunchConfiguration("mpc")

    def when(*terms):
        """An IfCondition on a Python expression of the launch arguments' text."""
        parts = []
        for t in terms:
            parts.extend(t if isinstance(t, list) else [t])
        return IfCondition(PythonExpression(parts))

    composed = ["'", layout, "' == 'composed'"]
    processes = ["'", layout, "' == 'processes'"]
    loop = when("(", processes, ") and '", loop_on, "' == 'true'")
    return LaunchDescription([
        DeclareLaunchArgument("robot", default_value="humanoid", description="humanoid, talos or a robot YAML path"),
        DeclareLaunchArgument("mode", default_value="lockstep", description="lockstep | realtime"),
        DeclareLaunchArgument("layout", default_value="composed",
                              description="composed (the loop in one process, the MPC in its worker) | processes "
                                          "(one process per node)"),
        DeclareLaunchArgument("localhost_only", default_value="true",
                              description="with discovery:=localhost: keep DDS discovery on loopback (false: leave "
                                          "the environment's ROS_AUTOMATIC_DISCOVERY_RANGE)"),
        DeclareLaunchArgument("discovery", default_value="localhost",
                              description="DDS discovery range: localhost | subnet | system_default | off"),
        DeclareLaunchArgument("static_peers", default_value="",
                              description="hosts to reach by unicast, ';'-separated (ROS_STATIC_PEERS)"),
        DeclareLaunchArgument("mpc", default_value="true", description="start the centroidal MPC (walking on /cmd_vel)"),
        DeclareLaunchArgument("loop", default_value="true",
                              description="start the 1-kHz loop: driver, state estimator, whole-body QP"),
        DeclareLaunchArgument("estimator", default_value="true",
                              description="layout:=processes: start our state estimator (false: your own node "
                                          "publishes /odom and /contact_states, stamped with the /joint_states stamp "
                                          "they answer)"),
        DeclareLaunchArgument("driver_params", default_value=os.path.join(config, "driver.yaml"),
                              description="driver parameters applied last, e.g. config/driver_on_hardware.yaml"),
        SetEnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST",
                               condition=IfCondition(PythonExpression(["'", discovery, "' == 'localhost' and '",
                                                                       LaunchConfiguration("localhost_only"),
                                                                       "' == 'true'"]))),
        SetEnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", PythonExpression(["'", discovery, "'.upper()"]),
                               condition=IfCondition(PythonExpression(["'", discovery, "' != 'localhost'"]))),
        SetEnvironmentVariable("ROS_STATIC_PEERS", LaunchConfiguration("static_peers"),
                               condition=IfCondition(PythonExpression(["'", LaunchConfiguration("static_peers"),
                                                                       "' != ''"]))),
        Node(package="humanoid_control", executable="control_loop_node", name="control_loop", output="screen",
             parameters=[os.path.join(config, "control_loop.yaml"),
                         {"robot": robot, "mode": mode, "driver_params": LaunchConfiguration("driver_params"),
                          "planner": PythonExpression(["'worker' if '", mpc_on, "' == 'true' else 'topic'"])}],
             condition=when("(", composed, ") and '", loop_on, "' == 'true'")),
        Node(package="humanoid_control", executable="driver_node", name="driver", output="screen",
             parameters=[os.path.join(config, "driver.yaml"), common, {"mode": mode},
                         LaunchConfiguration("driver_params")], condition=loop),
        Node(package="humanoid_control", executable="estimator_node", name="estimator", output="screen",
             parameters=[os.path.join(config, "estimator.yaml"), common, {"use_sim_time": sim_time}],
             condition=when("(", processes, ") and '", loop_on, "' == 'true' and '",
                            LaunchConfiguration("estimator"), "' == 'true'")),
        Node(package="humanoid_control", executable="wbc_node", name="wbc", output="screen",
             parameters=[os.path.join(config, "wbc.yaml"), common, {"use_sim_time": sim_time}], condition=loop),
        Node(package="humanoid_control", executable="mpc_node", name="mpc", output="screen",
             parameters=[os.path.join(config, "mpc.yaml"), common, {"use_sim_time": sim_time}],
             condition=when("'", mpc_on, "' == 'true' and (", processes, " or '", loop_on, "' == 'false')")),
    ])
