"""The suite's own isolation: concurrent pytest-xdist workers never share a ROS_DOMAIN_ID."""
import importlib.util
import os
from pathlib import Path

# By path: a bare "import conftest" finds whichever conftest.py is first on sys.path.
_spec = importlib.util.spec_from_file_location("suite_conftest", Path(__file__).with_name("conftest.py"))
_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
domain_for = _conftest.domain_for


def test_two_workers_never_draw_the_same_domain_id():
    first = {domain_for(i, (0, 2)) for i in range(500)}
    second = {domain_for(i, (1, 2)) for i in range(500)}
    assert first.isdisjoint(second)
    assert first | second <= set(range(1, 101))
    assert len(first) == len(second) == 50


def test_one_worker_cycles_through_every_domain_id_before_reusing_one():
    drawn = [domain_for(i, (0, 1)) for i in range(100)]
    assert sorted(drawn) == list(range(1, 101))


def test_the_ros_domain_fixture_sets_the_environment_for_loopback_discovery(ros_domain):
    assert os.environ["ROS_DOMAIN_ID"] == str(ros_domain)
    assert os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] == "LOCALHOST"
