"""Imported only by multiprocessing's fork server (its ``preload``): end with hanji.

The fork server is started by the hanji process that first needs it and forks the helpers
and batch workers from there. It would otherwise outlive a killed hanji until its last child
closes the keep-alive pipe; with ``PR_SET_PDEATHSIG`` it ends (SIGKILL: it holds no files of
its own) as soon as the process that started it does. Never import this module elsewhere.
"""

from __future__ import annotations

import signal

from .lifetime import set_parent_death_signal

set_parent_death_signal(signal.SIGKILL)
