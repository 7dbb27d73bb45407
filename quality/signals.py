"""SIGTERM and SIGINT end a command quietly with 128 + the signal number.

Python's default turns Ctrl-C into KeyboardInterrupt, which click reports as
"Aborted!" with status 1 (our code for --fail-on), and SIGTERM (what `kill`,
Docker and Kubernetes send) kills the process without any clean-up. Inside
`exit_on_signals` both raise `Interrupted` instead: a BaseException, so no
`except Exception` of a record or document swallows it, and `finally` blocks
(temporary outputs removed, workers stopped) run. `quality filter` installs
its own finer handlers for its run, which keep what was finished.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

import click

HANDLED = (signal.SIGTERM, signal.SIGINT)


class Interrupted(BaseException):
    """A SIGTERM or SIGINT arrived."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_owner = os.getpid()


def _raise(signum: int, frame) -> None:
    if os.getpid() != _owner:  # a forked worker that has not reset its handlers yet: die quietly
        if signum == signal.SIGTERM:
            os._exit(128 + signum)
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def exit_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into `Interrupted`, then into click's exit with 128 + signal and one line."""
    global _owner
    _owner = os.getpid()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in HANDLED:
            previous[signum] = signal.signal(signum, _raise)
    try:
        yield
    except Interrupted as interrupt:
        name = signal.Signals(interrupt.signum).name
        print(f"stopped by {name}", file=sys.stderr, flush=True)
        raise click.exceptions.Exit(128 + interrupt.signum) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
