"""Scripted faults (ROS-free): their text form, its errors, and what the injector does."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from humanoid_control.errors import ConfigError, UnknownNameError
from humanoid_control.safety.supervisor import CommandArrays, Mode, SafetySupervisor
from humanoid_control.sim.scenario import FaultInjector, check_faults, parse_fault


def test_a_fault_parses_and_prints_back():
    f = parse_fault("2.5:command-timeout:0.1")
    assert (f.t, f.kind, f.value(), f.needs_can) == (2.5, "command-timeout", 0.1, False)
    assert parse_fault(f.text()) == f
    assert parse_fault("1:motor-error:left_knee").needs_can


@pytest.mark.parametrize("text,message", [
    ("2:explode", "unknown kind 'explode'; valid kinds: command-timeout"),
    ("x:estop", "time 'x' is not a number"),
    ("1:estop:now", "'estop' takes no argument"),
    ("1:motor-error", "'motor-error' needs an argument (joint)"),
    ("1:frame-loss:1.5", "rate must be in [0, 1]"),
    ("1:command-timeout:0", "duration must be in (0, 60] s"),
    ("1", "is not T:KIND[:ARG]"),
])
def test_a_malformed_fault_says_what_is_wrong(text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_fault(text)


def test_faults_that_cannot_run_are_refused_before_the_run():
    with pytest.raises(ConfigError, match="needs a CAN backend"):
        check_faults([parse_fault("1:bus-off")], "mujoco", ["a"])
    with pytest.raises(UnknownNameError, match="unknown joint 'b'; valid joints: a"):
        check_faults([parse_fault("1:silent-motor:b")], "mit-can", ["a"])
    check_faults([parse_fault("1:silent-motor:a"), parse_fault("1:estop")], "mit-can", ["a"])


def _injector(*texts):
    n = 2
    safety = SafetySupervisor(["a", "b"], (np.full(n, -1.0), np.full(n, 1.0)), np.full(n, 10.0), np.full(n, 50.0),
                              (np.full(n, 500.0), np.full(n, 20.0)))
    motor = SimpleNamespace(error_code=0, temperature_c=30.0, silent=False)
    plant = SimpleNamespace(motor=lambda j: motor, buses={})
    return FaultInjector([parse_fault(t) for t in texts], safety, SimpleNamespace(plant=plant, hw=None), 100.0), motor


def _cmd():
    return CommandArrays(np.zeros(2), np.zeros(2), np.ones(2), np.zeros(2), np.ones(2))


def test_the_injector_mutes_commands_for_the_timeout_then_lets_them_through():
    inj, _ = _injector("1:command-timeout:0.5")
    inj.step(0.999)
    assert inj.filter_command(_cmd(), 0.999) is not None
    inj.step(1.0)
    assert inj.filter_command(_cmd(), 1.0) is None and inj.filter_command(_cmd(), 1.499) is None
    assert inj.filter_command(_cmd(), 1.5) is not None and inj.commands_muted == 2


def test_the_injector_spoils_exactly_the_next_command():
    inj, _ = _injector("1:nan-command", "2:out-of-range-command")
    inj.step(1.0)
    assert math.isnan(inj.filter_command(_cmd(), 1.0).effort[0])
    assert inj.filter_command(_cmd(), 1.001).effort[0] == 1.0
    inj.step(2.0)
    assert inj.filter_command(_cmd(), 2.0).effort[0] == 500.0  # 10 × the 50 N·m limit


def test_the_injector_presses_and_resets_the_estop_and_breaks_motors_on_time():
    inj, motor = _injector("1:estop", "1.5:estop-reset", "2:over-temperature:a", "3:motor-error:a")
    inj.step(1.0)
    assert inj.safety.mode is Mode.DAMPING
    inj.step(1.6)
    assert inj.safety.mode is Mode.NORMAL
    inj.step(2.5)
    assert motor.temperature_c == 100.0 and motor.error_code == 0
    inj.step(3.0)
    assert motor.error_code == 1
