"""Uncaught exceptions: record the traceback and mark the run failed.

``sys.excepthook`` and ``threading.excepthook`` are wrapped once per process (the hooks that
were installed before keep running after ours, so the traceback is still printed). Every run
that captures failures registers a callback; an uncaught exception calls each of them.
``SystemExit`` never reaches these hooks, so ``sys.exit(0)`` leaves a run unfailed.
"""

from __future__ import annotations

import sys
import threading
import traceback as tb_module
from collections.abc import Callable

OnException = Callable[[list[str]], None]

_listeners: dict[int, OnException] = {}
_lock = threading.Lock()
_installed = False
_previous_sys_hook = None
_previous_thread_hook = None


def format_exception(exc_type, exc, tb) -> list[str]:
    """The traceback as lines, as Python prints it."""
    text = "".join(tb_module.format_exception(exc_type, exc, tb))
    return text.rstrip("\n").split("\n")


def _notify(exc_type, exc, tb) -> None:
    if exc_type is None or issubclass(exc_type, SystemExit):
        return
    with _lock:
        listeners = list(_listeners.values())
    if not listeners:
        return
    try:
        lines = format_exception(exc_type, exc, tb)
    except Exception:
        lines = [f"{getattr(exc_type, '__name__', exc_type)}: {exc}"]
    for listener in listeners:
        try:
            listener(lines)
        except Exception:
            pass


def _sys_hook(exc_type, exc, tb) -> None:
    _notify(exc_type, exc, tb)
    previous = _previous_sys_hook or sys.__excepthook__
    previous(exc_type, exc, tb)


def _thread_hook(args) -> None:
    _notify(args.exc_type, args.exc_value, args.exc_traceback)
    previous = _previous_thread_hook or threading.__excepthook__
    previous(args)


def _install() -> None:
    global _installed, _previous_sys_hook, _previous_thread_hook
    if _installed:
        return
    _previous_sys_hook = sys.excepthook
    _previous_thread_hook = threading.excepthook
    sys.excepthook = _sys_hook
    threading.excepthook = _thread_hook
    _installed = True


def subscribe(key: int, on_exception: OnException) -> None:
    """Call ``on_exception(traceback_lines)`` on every uncaught exception until unsubscribed."""
    with _lock:
        _install()
        _listeners[key] = on_exception


def unsubscribe(key: int) -> None:
    """Forget the listener; the hooks stay installed (a hook installed after ours may have
    chained to it) and simply pass exceptions on when nobody listens."""
    with _lock:
        _listeners.pop(key, None)
