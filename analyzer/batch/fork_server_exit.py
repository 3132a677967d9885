"""Imported only by the fork server of a local batch (``forkserver.PRELOAD``, last): the server
ends without tearing its interpreter down, and ends when its driver dies.

Why: the server has spaCy, pyarrow and the analyser's modules loaded, and when the driver
exits it finalises all of them, ~0.3-0.5 s after the driver is gone, while still holding the
driver's output streams: anything reading the run's output through a pipe (``analyzer batch
... | tee log``, a benchmark) waited that long for it to close. The server holds nothing
that needs flushing or cleaning up (its workers are gone by then; they end with ``os._exit``
already), so at exit it ends at once. Workers forked from it do not run this handler: a
forked process that ends through ``os._exit`` runs no ``atexit`` handlers.

Why the watchdog: a driver killed with ``kill -9`` early in a run (while the server was
still loading) left the server and its workers running for as long as the driver's own
parent did not reap it, holding the run's output pipe open, so a script reading it hung
(researcher QA, 28 Nov 2026: still there after 10 minutes). A process is given a new parent
the moment its parent dies, zombie or not, so the server checks its parent's id; its
workers, whose parent it is, then see theirs change and end too (``worker._exit_with_driver``).
A forked worker inherits no thread, so the watchdog runs in the server only.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time

#: the driver that started this server
_DRIVER = os.getppid()


def _end_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


atexit.register(_end_now)


def _exit_with_driver() -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != _DRIVER:
            os._exit(0)


threading.Thread(target=_exit_with_driver, name="exit-with-driver", daemon=True).start()
