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
    """Wall-clock tests get the machine: a ``realtime`` or ``timed`` test holds a lock
    exclusively that every other test holds shared, so nothing runs beside a real-time run
    (a 1-kHz loop, its MPC worker and its mirror need both cores) or a gait run whose MPC
    solve times the session lists (a unit test on the second core preempted the MPC: 5.2 ms
    at p99 for 1.0 ms of CPU). What real time reaches on this machine is measured by make
    bench, not asserted."""
    exclusive = any(request.node.get_closest_marker(m) is not None for m in ("realtime", "timed"))
    with open(_CPU_LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
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


#: MPC figures of the suite's walking runs (one JSON line per report), shown at the end of the session
#: (the controller loads this file before it starts the xdist workers, which inherit the variable)
os.environ.setdefault("HUMANOID_CONTROL_TEST_SESSION", str(os.getpid()))
_MPC_LOG = Path(tempfile.gettempdir()) / f"humanoid_control_mpc_{os.environ['HUMANOID_CONTROL_TEST_SESSION']}.jsonl"


@pytest.fixture(autouse=True)
def _collect_mpc_figures(request):
    """After a sim test, the ``mpc`` entry of every report it wrote under its tmp_path goes to
    a session log; the terminal summary lists the solve p99 of the walking runs (a figure to
    read, not an assertion: timing belongs to make bench)."""
    if request.node.get_closest_marker("sim") is None or "tmp_path" not in request.fixturenames:
        yield
        return
    tmp_path = request.getfixturevalue("tmp_path")
    yield
    import json
    for path in tmp_path.rglob("*.json"):
        try:
            report = json.loads(path.read_text())
            mpc = report.get("mpc")
        except (ValueError, OSError, AttributeError):
            continue
        if mpc:
            with open(_MPC_LOG, "a") as f:
                f.write(json.dumps({"test": request.node.nodeid, "mode": report.get("mode"), **mpc}) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if os.environ.get("PYTEST_XDIST_WORKER") or not _MPC_LOG.exists():
        return
    import json
    rows = [json.loads(line) for line in _MPC_LOG.read_text().splitlines() if line.strip()]
    _MPC_LOG.unlink()
    rows = [r for r in rows if isinstance(r.get("solve_p99_ms"), (int, float)) and r["solve_p99_ms"] == r["solve_p99_ms"]]
    if not rows:
        return
    terminalreporter.write_sep("-", "MPC solve time in the walking runs (report mpc.solve_p99_ms)")
    for mode in sorted({r.get("mode") or "?" for r in rows}):
        runs = [r for r in rows if (r.get("mode") or "?") == mode]
        worst = max(runs, key=lambda r: r["solve_p99_ms"])
        cpu = [r["solve_cpu_p99_ms"] for r in runs if isinstance(r.get("solve_cpu_p99_ms"), (int, float))]
        terminalreporter.write_line(
            f"{mode}, {len(runs)} runs: p99 median {sorted(r['solve_p99_ms'] for r in runs)[len(runs) // 2]} ms, "
            f"largest {worst['solve_p99_ms']} ms ({worst['test']}); CPU-time p99 largest "
            f"{max(cpu, default=float('nan'))} ms; budget_exceeded total "
            f"{sum(int(r.get('budget_exceeded', 0)) for r in runs)}")
