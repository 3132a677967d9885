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
