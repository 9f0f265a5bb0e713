"""Every rclpy process of the suite stays on loopback and gets its own ROS_DOMAIN_ID.

`make test` runs the suite on two pytest-xdist workers. Worker k of n takes the domain IDs
1 + k, 1 + k + n, 1 + k + 2n, … so two tests running at the same time never share a domain,
whatever the process IDs are. The full-stack sim suites are handed out first: they are the
long ones, and scheduling them early keeps one worker from idling at the end.
"""
import fcntl
import itertools
import os
import tempfile
from pathlib import Path

import pytest

os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"

_ids = itertools.count()
_DOMAINS = 100  # IDs 1..100: all of them valid for LOCALHOST discovery


def _worker():
    """(index, count) of this pytest-xdist worker; (0, 1) without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return int(name.removeprefix("gw") or 0), max(count, 1)


def domain_for(serial, worker=None):
    """The ROS_DOMAIN_ID of the ``serial``-th test of ``worker`` = (index, count)."""
    index, count = worker or _worker()
    slots = _DOMAINS // count
    return 1 + index + count * (serial % slots)


@pytest.fixture
def ros_domain(monkeypatch):
    """A ROS_DOMAIN_ID no other concurrently running test of this session uses."""
    domain = domain_for(next(_ids))
    monkeypatch.setenv("ROS_DOMAIN_ID", str(domain))
    monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    return domain


#: one lock file per test session (the xdist workers share the controller's environment)
_CPU_LOCK = Path(tempfile.gettempdir()) / f"humanoid_control_cpu_{os.environ.get('PYTEST_XDIST_TESTRUNUID', os.getpid())}.lock"


@pytest.fixture(autouse=True)
def _cpu_share(request):
    """Wall-clock tests get the machine: a test marked ``realtime`` holds an exclusive lock
    that every ``sim`` test holds shared, so on two xdist workers no other simulation runs
    beside a real-time one (a 1-kHz loop, its MPC worker and its mirror need both cores;
    what they reach there is measured by make bench, not asserted). Other tests run freely."""
    realtime = request.node.get_closest_marker("realtime") is not None
    if not realtime and request.node.get_closest_marker("sim") is None:
        yield
        return
    with open(_CPU_LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX if realtime else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def pytest_collection_modifyitems(config, items):
    """The sim suites first (stable order otherwise): the longest tests start earliest."""
    items.sort(key=lambda item: item.get_closest_marker("sim") is None)


@pytest.fixture(scope="session")
def humanoid():
    from humanoid_control.robot.model import RobotModel
    return RobotModel.load("humanoid")


@pytest.fixture(scope="session")
def talos():
    from humanoid_control.robot.model import RobotModel
    return RobotModel.load("talos")
