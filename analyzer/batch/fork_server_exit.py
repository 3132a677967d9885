"""Imported only by the fork server of a local batch (``forkserver.PRELOAD``, last): the server
ends without tearing its interpreter down.

Why: the server has spaCy, pyarrow and the analyser's modules loaded, and when the driver
exits it finalises all of them, ~0.3-0.5 s after the driver is gone, while still holding the
driver's output streams: anything reading the run's output through a pipe (``analyzer batch
... | tee log``, a benchmark) waited that long for it to close. The server holds nothing
that needs flushing or cleaning up (its workers are gone by then; they end with ``os._exit``
already), so at exit it ends at once. Workers forked from it do not run this handler: a
forked process that ends through ``os._exit`` runs no ``atexit`` handlers.
"""

from __future__ import annotations

import atexit
import os
import sys


def _end_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


atexit.register(_end_now)
