"""Fixtures of the node tests: each test gets its own rclpy context on its own ROS_DOMAIN_ID."""
import pytest
import rclpy


@pytest.fixture
def ctx(ros_domain):
    c = rclpy.Context()
    rclpy.init(context=c, args=[])
    yield c
    rclpy.try_shutdown(context=c)
