"""Ctrl-C as a request: the first one is noted, the second one interrupts."""
import os
import signal

import pytest

from humanoid_control.sim.stop_request import StopRequest


def test_the_first_sigint_or_a_sigterm_only_requests_a_stop_and_a_second_sigint_interrupts():
    before = signal.getsignal(signal.SIGINT)
    stop = StopRequest().install()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.is_set()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        stop.restore()
    assert signal.getsignal(signal.SIGINT) is before
    fresh = StopRequest().install()
    try:
        os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C: no exception
        assert fresh.is_set()
    finally:
        fresh.restore()
