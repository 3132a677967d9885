"""Imported only by the fork server of a local batch (``forkserver.PRELOAD``, first): the
server ignores Ctrl-C from the start, and a worker it starts while the driver is already
tearing the pool down ends without a traceback.

Why: Ctrl-C at a terminal goes to every process of the run, the fork server too. Python's
fork server ignores it, but only once it has imported its preload modules (~1 s), so a
Ctrl-C in the first second printed a ``KeyboardInterrupt`` traceback from the server's
imports under the driver's own "interrupted" message (researcher QA, 28 Nov 2026). The
driver handles Ctrl-C for the whole run; workers ignore it as well (``worker.
init_pool_worker``).
"""

from __future__ import annotations

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)


def _quiet_when_the_pool_is_gone(main):
    """``spawn._main`` of the processes this server forks, ending in silence (code 1) when
    the semaphores a starting worker is handed are gone already: the driver tore the pool
    down (Ctrl-C in the first second) while the worker was being started, and the child
    printed a ``FileNotFoundError`` traceback from ``SemLock.__setstate__`` under the
    driver's "interrupted" message. Any other error is raised as before."""

    def quiet_main(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except FileNotFoundError as exc:
            tb = exc.__traceback__
            while tb.tb_next is not None:
                tb = tb.tb_next
            if tb.tb_frame.f_code.co_name == "__setstate__" and \
                    tb.tb_frame.f_code.co_filename.endswith("synchronize.py"):
                return 1
            raise

    return quiet_main


def _install() -> None:
    from multiprocessing import spawn

    spawn._main = _quiet_when_the_pool_is_gone(spawn._main)


_install()
