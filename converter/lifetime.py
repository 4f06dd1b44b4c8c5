"""How long a hanji child process lives, and how much it may take.

* :func:`die_with_parent` makes a child end when the process that started it dies for any
  reason, SIGKILL included (Linux ``PR_SET_PDEATHSIG``; a pidfd watch for a child of the fork
  server and where the kernel cannot): a killed conversion leaves no helper behind. The child
  is sent SIGTERM, which unwinds it (the temporary files of a job in progress are removed),
  and it ends at most :data:`STOP_GRACE` seconds later whatever catches the unwinding.
* :func:`killed_with_us` does the same for a program hanji runs (Chromium for diagrams).
* :func:`limit_memory` caps a worker's address space (``resource.RLIMIT_AS``), so one huge post
  fails with a ``MemoryError`` instead of taking the machine.

Knows nothing about conversions: :mod:`converter.processes` and the batch use it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

#: Seconds a stopped process has to unwind (and remove its temporary files) before it ends
#: regardless: a process pool's worker catches the SystemExit and would wait for more work.
STOP_GRACE = 1.0


def _stop(signum: int, frame: object) -> None:
    timer = threading.Timer(STOP_GRACE, os._exit, (1,))
    timer.daemon = True
    timer.start()
    raise SystemExit(1)


#: Environment variable naming the hanji process that starts multiprocessing's fork server
#: (:func:`converter.processes.fork_server_context`), read by :mod:`converter._forkserver`.
FORK_SERVER_PARENT = "HANJI_FORK_SERVER_OF"

#: ``prctl`` option: the signal this process gets when its parent (thread) ends.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None, watch: int | None = None,
                    kernel: bool = True) -> None:
    """Have this process ended (SIGTERM) when ``parent`` (default: its current parent) dies,
    or when the process ``watch`` dies.

    Call it first thing in a child. On Linux the kernel signals the death of the parent
    (``PR_SET_PDEATHSIG``); a daemon thread waits for ``watch`` (a pidfd, else polling twice
    a second), and for the parent where the kernel cannot. ``watch`` is for a child of the
    fork server: its parent, the server, lives as long as any of its children holds the
    server's keep-alive pipe, so the process that asked for the child is watched instead.
    If the process is already gone, the signal is raised at once. SIGTERM is handled here as
    :class:`SystemExit` unless the child installed its own handler.

    ``kernel=False`` for a child started from a thread other than the main one: Linux signals
    the end of the parent *thread*, which may end long before the process (a server's worker
    thread); the parent is then watched by pid instead.
    """
    parent = os.getppid() if parent is None else parent
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _stop)
    if not (kernel and set_parent_death_signal(signal.SIGTERM)):
        _watch(parent)
    if watch is not None and watch != parent:
        _watch(watch)
    if os.getppid() != parent:  # died before the signal was armed
        os.kill(os.getpid(), signal.SIGTERM)


def set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent ends; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def killed_with_us() -> Callable[[], None] | None:
    """A ``preexec_fn`` for :class:`subprocess.Popen` that has Linux SIGKILL the child (a
    program such as Chromium, which arms nothing itself) when the thread starting it ends, so
    a killed hanji leaves no such program behind; None where the platform cannot. The thread
    must wait for the child (``communicate``), as :func:`converter.diagrams` does."""
    if not sys.platform.startswith("linux"):
        return None
    try:  # looked up here: the forked child only calls it
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").prctl
    except (OSError, AttributeError):
        return None

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)

    return arm


def _watch(pid: int) -> None:
    """Send SIGTERM to this process when ``pid`` ends (from a daemon thread)."""
    try:
        handle: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        os.kill(os.getpid(), signal.SIGTERM)
        return
    except (AttributeError, OSError):  # no pidfd on this platform or kernel: poll
        handle = None
    threading.Thread(target=_wait_for, args=(pid, handle), daemon=True,
                     name="hanji-parent-watch").start()


def _wait_for(pid: int, handle: int | None) -> None:
    if handle is not None:
        select.select([handle], [], [])  # a pidfd becomes readable when the process ends
    else:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
            time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` (0: no cap; no-op where the platform
    has no ``RLIMIT_AS``). Only ever lowers the limit."""
    if megabytes <= 0:
        return
    try:
        import resource
    except ImportError:  # not on this platform
        return
    limit = megabytes * 1024 * 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError) as exc:
        log.debug("memory limit not set: %s", exc)
