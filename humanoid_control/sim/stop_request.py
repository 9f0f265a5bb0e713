"""Ctrl-C and SIGTERM as a stop request for a run (ROS-free, light to import: a node
installs it before its heavy imports)."""
from __future__ import annotations

import signal
import threading


class StopRequest:
    """Ctrl-C (SIGINT) and SIGTERM as a request, not an exception: the first one lets start-up
    finish and ends the run between two ticks (the report is still written, ``interrupted``);
    a second SIGINT raises KeyboardInterrupt at once. Installed for a run from the main
    thread (signal handlers can only be set there); elsewhere it is inert."""

    def __init__(self):
        self.event = threading.Event()
        self._previous = {}

    def install(self) -> "StopRequest":
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._on_signal)
        return self

    def _on_signal(self, signum, frame) -> None:
        if self.event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.event.set()

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    def is_set(self) -> bool:
        return self.event.is_set()


__all__ = ["StopRequest"]
