"""Imported only by multiprocessing's fork server (its ``preload``): end with hanji.

The fork server is started by the hanji process that first needs it and forks the helpers
and batch workers from there. It would otherwise outlive a killed hanji until its last child
closes the keep-alive pipe; with ``PR_SET_PDEATHSIG`` it ends (SIGKILL: it holds no files of
its own) as soon as the process that started it does.

The server imports hanji (its preload) for a second or more; a hanji killed meanwhile would
leave it importing, and then serving, with no one to signal it. So hanji starts the server
with its own pid in :data:`~converter.lifetime.FORK_SERVER_PARENT`, and ``converter``'s
``__init__`` imports this module first thing when that variable is set: the signal is armed
before the slow imports, and a server whose hanji is already gone ends at once. Never import
this module elsewhere.
"""

from __future__ import annotations

import os
import signal

from .lifetime import FORK_SERVER_PARENT, set_parent_death_signal

_parent = os.environ.pop(FORK_SERVER_PARENT, "")  # the workers it forks must not see it
set_parent_death_signal(signal.SIGKILL)
if _parent.isdigit() and os.getppid() != int(_parent):  # hanji died before it was armed
    os._exit(1)
