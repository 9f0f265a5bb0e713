"""ROS 2 launch file for Gazebo (needs ROS 2 Jazzy/Kilted with launch_ros, Gazebo, ros_gz and
gz_ros2_control; none of them exists on this project's CI machines — README "Gazebo"):

    ros2 launch humanoid_control gazebo.launch.py            # world:=empty.sdf gui:=true mpc:=true

Gazebo simulates the robot of ``urdf/humanoid_gazebo.urdf`` (generated from the humanoid's
URDF by ``humanoid_control/robot/gazebo.py``) with ros2_control inside (gz_ros2_control):
``joint_state_broadcaster`` publishes ``/robot_joint_states`` and ``effort_controller`` takes
torques. ros_gz_bridge carries ``/clock``, the IMU and the ankle force-torque sensors. Our
nodes run on Gazebo's clock; the driver commands Gazebo through the topic contract of its
``topic-bridge`` backend (``config/gazebo/driver.yaml``): JointState commands on
``/robot_joint_command``, which ``effort_relay_node`` hands to ``effort_controller``.

The ``launch`` imports sit inside :func:`generate_launch_description`, so the module's
constants and :func:`robot_description` import (and are tested) without a ROS install.
"""
import os

ROBOT_NAME = "humanoid"
CONTROLLERS_PLACEHOLDER = "package://humanoid_control/config/gazebo/controllers.yaml"
#: controllers spawned in Gazebo's controller manager (config/gazebo/controllers.yaml)
CONTROLLERS = ("joint_state_broadcaster", "effort_controller")
#: ros_gz_bridge: (Gazebo topic, ROS type, Gazebo type, ROS topic); "[" = Gazebo to ROS
BRIDGED_TOPICS = (
    ("/clock", "rosgraph_msgs/msg/Clock", "gz.msgs.Clock", "/clock"),
    ("imu", "sensor_msgs/msg/Imu", "gz.msgs.IMU", "/hardware/imu"),
    ("left_foot/wrench", "geometry_msgs/msg/WrenchStamped", "gz.msgs.Wrench", "/hardware/left_foot/wrench"),
    ("right_foot/wrench", "geometry_msgs/msg/WrenchStamped", "gz.msgs.Wrench", "/hardware/right_foot/wrench"),
)
SPAWN_CLEARANCE_M = 0.01  # [m] the soles start this far above the floor


def robot_description(share: str) -> str:
    """The Gazebo URDF with the controllers file's installed path in the plugin tag."""
    with open(os.path.join(share, "urdf", "humanoid_gazebo.urdf")) as f:
        text = f.read()
    return text.replace(CONTROLLERS_PLACEHOLDER, os.path.join(share, "config", "gazebo", "controllers.yaml"))


def spawn_height_m() -> float:
    """Base height of the nominal standing posture plus the clearance [m]."""
    from humanoid_control.robot.model import RobotModel

    return float(RobotModel.load(ROBOT_NAME).nominal_configuration()[2]) + SPAWN_CLEARANCE_M


def generate_launch_description():
    from ament_index_python.packages import get_package_share_directory
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, SetEnvironmentVariable
    from launch.conditions import IfCondition
    from launch.launch_description_sources import PythonLaunchDescriptionSource
    from launch.substitutions import LaunchConfiguration, PythonExpression
    from launch_ros.actions import Node

    share = get_package_share_directory("humanoid_control")
    config = os.path.join(share, "config")
    sim_time = {"use_sim_time": True}
    common = {"robot": ROBOT_NAME, **sim_time}
    gz_args = PythonExpression(["'-r -v 1 ' + ('' if '", LaunchConfiguration("gui"), "' == 'true' else '-s ') + '",
                                LaunchConfiguration("world"), "'"])
    bridge_args = [f"{gz}@{ros_type}[{gz_type}" for gz, ros_type, gz_type, _ in BRIDGED_TOPICS]
    bridge_remaps = [(gz, ros) for gz, _, _, ros in BRIDGED_TOPICS if gz != ros]
    return LaunchDescription([
        DeclareLaunchArgument("world", default_value="empty.sdf", description="Gazebo world file"),
        DeclareLaunchArgument("gui", default_value="true", description="start Gazebo's GUI"),
        DeclareLaunchArgument("mpc", default_value="true", description="start the centroidal MPC (walking on /cmd_vel)"),
        DeclareLaunchArgument("localhost_only", default_value="true", description="keep DDS discovery on loopback"),
        SetEnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST",
                               condition=IfCondition(LaunchConfiguration("localhost_only"))),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(os.path.join(get_package_share_directory("ros_gz_sim"), "launch",
                                                       "gz_sim.launch.py")),
            launch_arguments={"gz_args": gz_args}.items()),
        Node(package="robot_state_publisher", executable="robot_state_publisher", output="screen",
             parameters=[{"robot_description": robot_description(share), **sim_time}]),
        Node(package="ros_gz_sim", executable="create", output="screen",
             arguments=["-topic", "robot_description", "-name", ROBOT_NAME, "-z", f"{spawn_height_m():.3f}"]),
        Node(package="ros_gz_bridge", executable="parameter_bridge", output="screen", arguments=bridge_args,
             remappings=bridge_remaps),
        Node(package="controller_manager", executable="spawner", output="screen",
             arguments=[*CONTROLLERS, "--param-file", os.path.join(config, "gazebo", "controllers.yaml")]),
        Node(package="humanoid_control", executable="effort_relay_node", name="effort_relay", output="screen",
             parameters=[sim_time]),
        Node(package="humanoid_control", executable="driver_node", name="driver", output="screen",
             parameters=[os.path.join(config, "driver.yaml"), common, os.path.join(config, "gazebo", "driver.yaml")]),
        Node(package="humanoid_control", executable="estimator_node", name="estimator", output="screen",
             parameters=[os.path.join(config, "estimator.yaml"), common]),
        Node(package="humanoid_control", executable="wbc_node", name="wbc", output="screen",
             parameters=[os.path.join(config, "wbc.yaml"), common]),
        Node(package="humanoid_control", executable="mpc_node", name="mpc", output="screen",
             parameters=[os.path.join(config, "mpc.yaml"), common], condition=IfCondition(LaunchConfiguration("mpc"))),
    ])
