"""The package's exception family: data carried, choices listed, and picklable across processes."""
import pickle

import pytest

from humanoid_control import errors as E


@pytest.mark.parametrize("err", [
    E.ConfigError("must be positive", "config/wbc.yaml:12"),
    E.ParameterRangeError("dt", 2.0, 0.0001, 0.01, "s", "wbc"),
    E.UnknownNameError("joint", "knee", ["left_knee", "right_knee"], "--joint"),
    E.UrdfError("urdf/robot.urdf", "no <robot> element", line=3),
    E.SolverError("the QP failed", "PRIMAL_INFEASIBLE"),
    E.LifecycleError("write() before activate()"),
], ids=lambda e: type(e).__name__)
def test_every_error_survives_a_trip_between_processes_with_its_message_and_its_data(err):
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and str(back) == str(err)
    assert back.__dict__ == err.__dict__


def test_an_unknown_name_lists_the_valid_ones_after_the_trip_too():
    back = pickle.loads(pickle.dumps(E.UnknownNameError("robot", "atlas", ["humanoid", "talos"])))
    assert back.valid == ["humanoid", "talos"] and "valid robots: humanoid, talos" in str(back)
