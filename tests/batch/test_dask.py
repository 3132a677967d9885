"""A real Dask cluster on 127.0.0.1 (two worker processes) gives the same tables as the local
in-process engine, even though one of its workers is killed in the middle of the run."""

from __future__ import annotations

import os
import signal

import pandas as pd
import pytest

from analyzer.batch import BatchOptions, run_batch

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(repo):
    distributed = pytest.importorskip("distributed")
    old = os.environ.get("PYTHONPATH")
    # workers are new processes: make the repository importable there too
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), old]))
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=None,
                                      silence_logs=50) as local:
            yield local
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def test_a_lost_dask_worker_loses_nothing_and_duplicates_nothing(cluster, batch_inputs,
                                                                 plain_batch, tmp_path,
                                                                 same_tables):
    from distributed import Client

    killed: list[tuple[str, int]] = []
    with Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker(state) -> None:
            # after a few items, the worker analysing one right now is killed
            if killed or state.sessions_done < 8:
                return
            busy = [(w, len(keys)) for w, keys in client.processing().items() if keys]
            if busy:
                os.kill(pids[busy[0][0]], signal.SIGKILL)
                killed.append(busy[0])

        out = tmp_path / "dask"
        result = run_batch(batch_inputs, out, BatchOptions(scheduler=cluster.scheduler_address,
                                                           chunk_size=4),
                           progress=kill_a_busy_worker)
    assert result.manifest["engine"] == {"name": "dask", "workers": 2}
    assert result.failures > 0  # the broken files are in the batch too
    assert killed and killed[0][1] >= 1, "a worker with work in hand was killed"
    sessions = pd.read_parquet(out / "sessions.parquet")
    assert not sessions.duplicated(["source", "session_id"]).any()
    same_tables(plain_batch, out)


def test_a_malformed_scheduler_address_is_refused_at_once(tmp_path):
    """``127.0.0.1:8786x`` waited 40 s and printed a traceback from ``Client.__del__``, and
    left ``.parts`` behind (fresh user QA, 28 Nov 2026); now a usage error before anything."""
    import time

    from typer.testing import CliRunner

    from analyzer.batch.engines import scheduler_address_problem
    from analyzer.cli import app

    assert scheduler_address_problem("tcp://127.0.0.1:8786") == ""
    assert scheduler_address_problem("10.0.0.5:8786") == ""
    assert scheduler_address_problem("tcp://[::1]:8786") == ""
    assert "form" in scheduler_address_problem("127.0.0.1:8786x")
    assert "port 70000" in scheduler_address_problem("tcp://host:70000")
    began = time.monotonic()
    res = CliRunner().invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "o"),
                                   "--scheduler", "127.0.0.1:8786x"])
    assert res.exit_code == 2 and "tcp://HOST:PORT" in res.output
    assert time.monotonic() - began < 10 and not (tmp_path / "o").exists()


def test_workers_running_other_code_are_refused_before_any_work(cluster, batch_inputs,
                                                                 tmp_path):
    """Cluster QA, 28 Nov 2026: a worker with an older analyser went unnoticed, its rows
    were kept, and a rerun reused them. Every worker's code is checked first."""
    from distributed import Client

    from analyzer.batch import engines
    from analyzer.errors import UsageError

    def pretend_other_code():
        from analyzer.batch import worker

        worker.code_fingerprint()
        real, worker._STATE["code"] = worker._STATE["code"], "0123456789abcdef"
        return real

    with Client(cluster.scheduler_address) as client:
        real = client.run(pretend_other_code)
        try:
            with pytest.raises(UsageError) as caught:
                run_batch(batch_inputs, tmp_path / "o",
                          BatchOptions(scheduler=cluster.scheduler_address))
        finally:
            code = next(iter(real.values()))
            client.run(lambda: __import__("analyzer.batch.worker").batch.worker._STATE.update(
                code=code))
    assert "2 Dask worker(s) run another analyser" in str(caught.value)
    assert "0123456789abcdef" in str(caught.value) and "same analyzer" in caught.value.hint
    assert engines.code_fingerprint() == code


def test_a_lost_scheduler_ends_the_run_and_a_rerun_finishes_it(batch_inputs, plain_batch,
                                                                tmp_path, subprocess_env,
                                                                same_tables):
    """Cluster QA, 28 Nov 2026: with the scheduler killed mid-run the driver wrote the items
    in flight as failures and then waited for good on tasks a closed client never ran. Now
    it stops with a cluster error, keeps what was done, and a rerun finishes the tables."""
    import socket
    import subprocess
    import sys
    import time

    from analyzer.errors import ClusterError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [sys.executable, "-c", "from distributed.cli.dask_scheduler import main; main()",
         "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
        env=subprocess_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen(
        [sys.executable, "-c", "from distributed.cli.dask_worker import main; main()",
         address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
        env=subprocess_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:  # until the worker has joined
            try:
                with Client(address, timeout="5s") as client:
                    if client.nthreads():
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the Dask cluster did not start"
            time.sleep(0.5)

        def kill_the_scheduler(state) -> None:
            if state.sessions_done >= 8 and scheduler.poll() is None:
                scheduler.kill()

        out = tmp_path / "dask"
        began = time.monotonic()
        with pytest.raises(ClusterError) as caught:
            run_batch(batch_inputs, out, BatchOptions(scheduler=address, chunk_size=4),
                      progress=kill_the_scheduler)
        assert time.monotonic() - began < 90
        assert "lost the connection to the Dask scheduler" in str(caught.value)
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait()
    result = run_batch(batch_inputs, out, BatchOptions(workers=1, chunk_size=4))
    assert result.manifest["counts"]["sessions_reused"] > 0  # the work done before the loss
    same_tables(plain_batch, out)
