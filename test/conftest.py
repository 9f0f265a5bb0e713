"""Every rclpy process of the suite stays on loopback and gets its own ROS_DOMAIN_ID."""
import itertools
import os

import pytest

os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"

_ids = itertools.count()


@pytest.fixture
def ros_domain(monkeypatch):
    """A ROS_DOMAIN_ID no other concurrently running test of this session uses."""
    domain = 1 + (os.getpid() * 7 + next(_ids)) % 100
    monkeypatch.setenv("ROS_DOMAIN_ID", str(domain))
    monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    return domain


@pytest.fixture(scope="session")
def humanoid():
    from humanoid_control.robot.model import RobotModel
    return RobotModel.load("humanoid")


@pytest.fixture(scope="session")
def talos():
    from humanoid_control.robot.model import RobotModel
    return RobotModel.load("talos")
