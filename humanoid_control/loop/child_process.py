"""Starting and stopping a helper process of the loop (the MPC worker, the topic mirror):
both are ``multiprocessing`` children that take commands as tuples on a pipe."""
from __future__ import annotations

import signal
import threading

#: [s] how long a child may take to exit after it was asked to
JOIN_TIMEOUT_S = 5.0


def stop_child(proc, conn, reply_timeout_s: float = 0.0):
    """Send ``("stop",)``; with ``reply_timeout_s`` > 0 wait that long for the child's last
    message and return it (else None); then join it (killed after JOIN_TIMEOUT_S) and close
    the pipe. A child that is already gone is fine."""
    reply = None
    try:
        conn.send(("stop",))
        if reply_timeout_s > 0 and conn.poll(reply_timeout_s):
            reply = conn.recv()
    except (OSError, EOFError, BrokenPipeError):
        pass
    proc.join(timeout=JOIN_TIMEOUT_S)
    if proc.is_alive():
        proc.kill()
        proc.join()
    conn.close()
    return reply


def start_child(proc) -> None:
    """``proc.start()`` with SIGINT ignored in the child from its first instruction: a Ctrl-C
    in the terminal reaches the whole process group, and a helper still importing would die
    of it; the loop stops its helpers itself. (An ignored signal stays ignored across the
    exec of the spawn start method, and Python keeps it so.)"""
    if threading.current_thread() is not threading.main_thread():
        proc.start()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc.start()
    finally:
        signal.signal(signal.SIGINT, previous)
