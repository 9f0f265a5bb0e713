"""MCAP recording: schemas from the .msg definitions, messages read back by mcap-ros2-support."""
import pytest
from geometry_msgs.msg import PointStamped
from mcap_ros2.reader import read_ros2_messages
from rclpy.serialization import serialize_message

from humanoid_control.errors import HumanoidControlError
from humanoid_control.sim.mcap_recording import SEPARATOR, McapRecorder, RecordingError, message_definition


def test_a_definition_carries_every_nested_type_once_after_its_own_fields():
    text = message_definition("nav_msgs/msg/Odometry")
    assert text.startswith("# This represents an estimate")
    headers = [line for line in text.splitlines() if line.startswith("MSG: ")]
    assert len(headers) == len(set(headers))
    assert {"MSG: std_msgs/Header", "MSG: builtin_interfaces/Time", "MSG: geometry_msgs/PoseWithCovariance",
            "MSG: geometry_msgs/Pose", "MSG: geometry_msgs/Point", "MSG: geometry_msgs/Quaternion",
            "MSG: geometry_msgs/Vector3"} <= set(headers)
    assert text.count(SEPARATOR) == len(headers)


def test_our_own_messages_have_definitions_too():
    text = message_definition("humanoid_control_msgs/msg/JointCommand")
    assert "MSG: std_msgs/Header" in text


def test_an_unknown_type_is_named_with_where_it_was_looked_for():
    with pytest.raises(RecordingError, match="no message definition for 'nope_msgs/msg/Thing'") as info:
        message_definition("nope_msgs/msg/Thing")
    assert "share/nope_msgs/msg/Thing.msg" in str(info.value)
    assert isinstance(info.value, HumanoidControlError)


def test_written_messages_read_back_with_their_topic_time_and_content(tmp_path):
    path = tmp_path / "run.mcap"
    rec = McapRecorder(path)
    rec.add_topic("/ground_truth/com", "geometry_msgs/msg/PointStamped")
    for k in range(5):
        m = PointStamped()
        m.header.stamp.nanosec = k * 1_000_000
        m.point.x = 0.1 * k
        rec.write("/ground_truth/com", serialize_message(m), log_time_ns=k * 1_000_000)
    rec.close()
    got = list(read_ros2_messages(str(path)))
    assert [g.channel.topic for g in got] == ["/ground_truth/com"] * 5
    assert [g.log_time_ns for g in got] == [k * 1_000_000 for k in range(5)]
    assert [round(g.ros_msg.point.x, 6) for g in got] == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert got[0].schema.name == "geometry_msgs/PointStamped" and got[0].schema.encoding == "ros2msg"


def test_an_unwritable_path_is_refused_with_the_reason(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(RecordingError, match="cannot write"):
        McapRecorder(tmp_path / "file" / "run.mcap")
