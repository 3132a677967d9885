"""Where the work runs: in this process, in a pool of local processes, or on a Dask cluster.

Every engine does the same thing: pull work items lazily from the driver (so input files are
read only as workers need more work, and memory stays bounded), keep a few in flight per
worker, and hand each result to ``on_result`` (which writes it to the chunk store) in
whatever order they finish. The tables do not depend on that order: they are assembled
later in input order. An item whose worker dies is run again; one that keeps killing its
workers becomes failure rows rather than stopping the run.
"""

from __future__ import annotations

import collections
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from ..errors import ClusterError, UsageError
from . import forkserver
from .plan import WorkItem
from .worker import (
    ItemResult,
    WorkerConfig,
    analyse_item,
    code_fingerprint,
    failed_item,
    init_pool_worker,
    model_info,
    raise_for_info,
    worker_identity,
)

OnResult = Callable[[ItemResult], None]

#: Attempts per item when workers die under it (out of memory, killed) before giving up.
MAX_ATTEMPTS = 3
#: Work items kept in flight per worker: one running, one waiting, so no worker idles.
IN_FLIGHT_PER_WORKER = 2

_CRASH_HINT = ("a worker process died while analysing these sessions (out of memory, or "
               "killed); rerun the same command to retry them")

def _crash_error(exc: BaseException) -> str:
    return f"worker lost: {type(exc).__name__}: {exc}"


class InProcessEngine:
    """Runs every item in this process: ``--workers 1``, no start-up cost, no copying."""

    name = "in-process"

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.workers = 1

    def model_info(self) -> dict:
        return raise_for_info(model_info(self.config))

    def close(self, kill: bool = False) -> None:
        pass

    def run(self, items: Iterator[WorkItem], on_result: OnResult) -> None:
        for item in items:
            on_result(analyse_item(item, self.config))


class LocalEngine:
    """A pool of ``workers`` local processes, each with its own ``Analyzer``.

    Processes start from a fork server (not a fork of the driver, which may hold threads
    and open files) that has the heavy libraries already imported.
    """

    name = "local"

    def __init__(self, config: WorkerConfig, workers: int) -> None:
        self.config = config
        self.workers = max(1, int(workers))
        self._context = forkserver.context()
        self._pool: ProcessPoolExecutor | None = self._new_pool()
        # start every worker now: they load the analyser while the driver plans the work.
        # One call per worker, because the pool starts a process only when a call finds
        # none idle: with one call, the second worker started (and loaded the analyser)
        # only once work came, ~0.35 s after the first.
        self._infos = [self._pool.submit(model_info, config) for _ in range(self.workers)]

    def model_info(self) -> dict:
        """The model the workers loaded (raises the worker's error if they could not)."""
        try:
            return raise_for_info(self._infos[0].result())
        except BrokenProcessPool:
            import __main__

            script = getattr(__main__, "__file__", None)
            if script and not getattr(__main__, "__spec__", None):
                # the workers' server imports the calling script again; without the guard
                # the script starts a second batch there and the workers die (Python API QA)
                raise UsageError(
                    "the batch's worker processes could not start",
                    hint=f"in a script ({script}), call run_batch under "
                         "`if __name__ == \"__main__\":`, or use workers=1") from None
            raise

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context,
                                   initializer=init_pool_worker,
                                   initargs=(self.config, os.getpid()))

    def run(self, items: Iterator[WorkItem], on_result: OnResult) -> None:
        limit = self.workers * IN_FLIGHT_PER_WORKER
        retry: collections.deque[tuple[WorkItem, int]] = collections.deque()
        pending: dict = {}
        source = iter(items)
        exhausted = False
        try:
            while True:
                while len(pending) < limit:
                    if retry:
                        item, attempts = retry.popleft()
                    elif not exhausted:
                        item = next(source, None)
                        if item is None:
                            exhausted = True
                            continue
                        attempts = 0
                    else:
                        break
                    pending[self._pool.submit(analyse_item, item, self.config)] = (item, attempts)
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                broken = None
                for future in done:
                    item, attempts = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool as exc:
                        broken = exc
                        self._retry(item, attempts, exc, retry, on_result)
                        continue
                    except Exception as exc:  # the worker could not even start on it
                        on_result(failed_item(item, _crash_error(exc), _CRASH_HINT))
                        continue
                    on_result(result)
                if broken is not None:  # every other item in flight died with the pool
                    for item, attempts in list(pending.values()):
                        self._retry(item, attempts, broken, retry, on_result)
                    pending.clear()
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
        except BaseException:
            self.close(kill=True)
            raise

    @staticmethod
    def _retry(item, attempts, exc, retry, on_result) -> None:
        if attempts + 1 < MAX_ATTEMPTS:
            retry.append((item, attempts + 1))
        else:
            on_result(failed_item(item, _crash_error(exc), _CRASH_HINT))

    def close(self, kill: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:  # Ctrl-C: do not wait for the items being analysed, they are redone later
            # (the executor has no public way to stop running tasks; its processes it has)
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


#: ``tcp://HOST:PORT`` (or ``HOST:PORT``): the other protocols need settings (a TLS
#: ``ssl_context``) that the command line cannot pass; "tls://..." failed with a traceback
#: after 40 s (cluster QA, 28 Nov 2026)
_ADDRESS = re.compile(r"^(?:(tcp)://)?(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d+)$")
#: How long to wait for the scheduler to answer before saying so (a port that is open but
#: is no scheduler, such as the dashboard's, hung the command for good)
CONNECT_SECONDS = 25.0


def scheduler_address_problem(address: str) -> str:
    """What is wrong with a scheduler address ("" if nothing): ``tcp://HOST:PORT``, or
    ``HOST:PORT``, with a port from 1 to 65535 (``127.0.0.1:8786x`` was a 40-second wait and
    a traceback: fresh user QA, 28 Nov 2026)."""
    match = _ADDRESS.match(address.strip())
    if match is None:
        return "not an address of the form tcp://HOST:PORT"
    if not 0 < int(match.group(3)) < 65536:
        return f"port {match.group(3)} is not between 1 and 65535"
    return ""


_SAME_CODE = ("install the same analyzer on every Dask worker as on this machine (the same "
              "version and files), then restart the workers")


def _mismatch(found: dict[str, dict], code: str) -> str:
    """The message for workers whose analyser differs from the driver's."""
    from .. import __version__

    names = "; ".join(f"{where}: analyzer {who.get('analyzer', '?')}, code {who.get('code')}"
                      for where, who in sorted(found.items()))
    return (f"{len(found)} Dask worker(s) run another analyser than this command "
            f"(analyzer {__version__}, code {code}): {names}")


def _connection_lost(exc: BaseException) -> bool:
    """Whether a task failed because the client lost its scheduler, not by its sessions."""
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(s in text for s in ("scheduler-connection-lost", "lost the connection to the "
                                   "scheduler", "commclosederror"))


def _connect(client_class, address: str):
    """A ``Client`` for ``address``, or a usage error within ``CONNECT_SECONDS``.

    Why a thread: ``Client(timeout=...)`` gives up on a closed port, but one that accepts
    the connection and never answers as a scheduler (a dashboard's HTTP port) kept it
    waiting for good; and a failed client takes another 40 s to close in ``__del__``."""
    import threading

    box: dict = {}

    def connect() -> None:
        try:
            box["client"] = client_class(address, timeout="20s", set_as_default=False)
        except Exception as exc:  # on purpose: reported below
            box["error"] = exc

    thread = threading.Thread(target=connect, daemon=True, name="dask-connect")
    thread.start()
    thread.join(CONNECT_SECONDS)
    hint = ("start one with `dask scheduler` and `dask worker tcp://HOST:PORT`, or leave out "
            "--scheduler")
    if "client" in box:
        return box["client"]
    if thread.is_alive():
        raise UsageError(f"no Dask scheduler answered at {address} within "
                         f"{CONNECT_SECONDS:.0f} s (is it the scheduler's port? the "
                         "dashboard's is another)", hint=hint)
    exc = box.get("error")
    raise UsageError(f"cannot reach the Dask scheduler at {address}: "
                     f"{type(exc).__name__}: {exc}", hint=hint)


class DaskEngine:
    """The same work on an existing ``dask.distributed`` cluster.

    Each Dask worker process keeps one ``Analyzer`` (built at its first task). Tasks carry
    their sessions and return rows; a worker that is lost has its tasks rerun elsewhere by
    the scheduler, and the driver writes each item once, keyed by its item key, so nothing is
    missing or duplicated.
    """

    name = "dask"

    def __init__(self, config: WorkerConfig, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # a partial install: a usage error, not a traceback
            raise UsageError("--scheduler needs dask.distributed, which is not installed",
                             hint="pip install 'dask[distributed]' (a dependency of "
                                  "analyzer: reinstall it with its dependencies)") from exc

        problem = scheduler_address_problem(address)
        if problem:  # before Client(): a failed one waits 40 s in __del__ to close
            raise UsageError(f"--scheduler {address}: {problem}",
                             hint="give the scheduler's address as tcp://HOST:PORT, e.g. "
                                  "tcp://127.0.0.1:8786")
        self.config = config
        self.address = address
        self.client = _connect(Client, address)
        self.code = code_fingerprint()
        self._check_workers()
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._info = self.client.submit(model_info, config, pure=False)

    def _check_workers(self) -> None:
        """Every worker runs this analyser (the same code), or a usage error naming the
        ones that do not: their rows would differ and be kept as if they were ours."""
        try:
            found = self.client.run(worker_identity)
        except Exception as exc:  # on purpose: an older analyser lacks the function
            self.client.close()
            raise UsageError(f"a Dask worker at {self.address} cannot run this analyser's "
                             f"code ({type(exc).__name__}: {exc})", hint=_SAME_CODE) from None
        odd = {addr: who for addr, who in found.items() if who.get("code") != self.code}
        if odd:
            self.client.close()
            raise UsageError(_mismatch(odd, self.code), hint=_SAME_CODE)

    def model_info(self) -> dict:
        """The model a Dask worker loaded (raises the worker's error if it could not)."""
        return raise_for_info(self._info.result())

    def run(self, items: Iterator[WorkItem], on_result: OnResult) -> None:
        from distributed import as_completed

        limit = max(2, self.workers * IN_FLIGHT_PER_WORKER)
        source = iter(items)
        in_flight: dict[str, WorkItem] = {}
        finished: set[str] = set()
        queue = as_completed(loop=self.client.loop)

        lost: BaseException | None = None
        mismatch: dict[str, dict] = {}

        def submit_next() -> bool:
            if self.client.status != "running":  # a closed client's futures never finish
                return False
            item = next(source, None)
            if item is None:
                return False
            future = self.client.submit(analyse_item, item, self.config, retries=2,
                                        pure=False, key=f"analyse-{item.key}-{os.urandom(4).hex()}")
            in_flight[future.key] = item
            queue.add(future)
            return True

        for _ in range(limit):
            if not submit_next():
                break
        for future in queue:
            item = in_flight.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # KilledWorker: it took several workers down with it
                if self.client.status != "running" or _connection_lost(exc):
                    lost = exc
                    break  # not the sessions' fault: left undone for the rerun
                result = failed_item(item, _crash_error(exc), _CRASH_HINT)
            finally:
                future.release()
            who = result.info.get("worker")
            if who is not None and who.get("code") != self.code:
                mismatch = {f"{who.get('host')} (process {who.get('pid')})": who}
                break  # a worker that joined with other code: its rows are not written
            if item.key not in finished:  # an item is written once, however often it ran
                finished.add(item.key)
                on_result(result)
            submit_next()
        if mismatch:
            raise ClusterError(_mismatch(mismatch, self.code),
                               hint=_SAME_CODE + "; the work finished before is kept: run "
                                                 "the same command again")
        if lost is not None or self.client.status != "running":
            raise ClusterError(f"lost the connection to the Dask scheduler at {self.address}"
                               + (f" ({type(lost).__name__})" if lost is not None else ""),
                               hint="the work finished before is kept: when the scheduler "
                                    "is back (or without --scheduler), run the same command "
                                    "again to finish the rest")

    def close(self, kill: bool = False) -> None:
        self.client.close()
