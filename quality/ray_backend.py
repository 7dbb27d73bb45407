"""The `quality filter --scheduler ray` backend: chunks analysed as Ray tasks, results in input order.

`ray` starts a local Ray with `--jobs` CPUs (0: every core), or uses the
Ray this process already started; `ray://HOST:PORT` connects to a cluster
through Ray Client. As with Dask, only the analysis (a pure function of the
record) runs on the workers: reading, order, counts, outputs and the dedup
index stay in this process, so the records come out as from one process.
Every worker machine needs the project installed and the same models.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from quality.filter_worker import AnalysisSettings, analyse_chunk, ordered_window


def _analyse_remote(chunk: list, settings: AnalysisSettings) -> list:
    # a module-level function, so Ray ships it by reference; each worker process keeps its own Detector
    return analyse_chunk(chunk, settings)


def _one_by_one(remote, item, settings: AnalysisSettings):
    import ray
    from ray.exceptions import NodeDiedError, OutOfMemoryError, WorkerCrashedError

    from quality.filter_worker import Failure
    from quality.filtering import WORKER_DIED
    from quality.jsonl_reader import InputLine

    if not isinstance(item, InputLine):
        return None
    try:
        return ray.get(remote.remote([item], settings))[0]
    except (WorkerCrashedError, OutOfMemoryError, NodeDiedError):
        return Failure(WORKER_DIED)


def connect(scheduler: str, jobs: int) -> bool:
    """Start or join Ray for `scheduler`; True when this call started it (and so must shut it down)."""
    import ray

    if ray.is_initialized():
        return False
    if scheduler == "ray":
        ray.init(address="local", num_cpus=jobs or os.cpu_count() or 1, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    else:
        ray.init(address=scheduler, log_to_driver=False)
    return True


def analyse_on_ray(chunks: Iterable[list], settings: AnalysisSettings, scheduler: str,
                   jobs: int = 1) -> Iterator[tuple[list, list]]:
    """Yield (chunk, results) in input order, with a bounded window of Ray tasks in flight."""
    import ray
    from ray.exceptions import NodeDiedError, OutOfMemoryError, WorkerCrashedError

    started = connect(scheduler, jobs)
    try:
        remote = ray.remote(num_cpus=1, max_retries=1)(_analyse_remote)
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)))

        def submit(chunk: list):
            return chunk, remote.remote(chunk, settings)

        def result(pending) -> list:
            chunk, ref = pending
            try:
                return ray.get(ref)
            except (WorkerCrashedError, OutOfMemoryError, NodeDiedError):
                # the task died twice (Ray retried it once): redo the chunk record by record,
                # so only a record that kills its worker again becomes an error
                return [_one_by_one(remote, item, settings) for item in chunk]

        yield from ordered_window(chunks, submit, result, workers)
    finally:
        if started:
            ray.shutdown()
