"""`jobcircle serve` / `demo`: one process, or N uvicorn workers sharing one memory-mapped index."""
from __future__ import annotations

import os
import sys

from matcher.settings import Settings


HEALTHCHECK_S = 120


def default_workers() -> int:
    """One worker per core, at most 4: ranking is CPU-bound Python, so more than the cores only queue."""
    return max(1, min(4, os.cpu_count() or 1))


def serve(service, settings: Settings, host: str, port: int, workers: int = 1) -> int:
    import uvicorn

    from api.serving import PROTOCOL

    banner = (f"jobcircle 已启动：工作台 http://{host}:{port}/  API 文档 http://{host}:{port}/docs  "
              f"（数据目录 {settings.data_dir}，{workers} 个工作进程）")
    if workers <= 1:
        from api.app import create_app

        app = create_app(settings, service=service)
        print(banner, file=sys.stderr, flush=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", http=PROTOCOL)
        return 0
    # The workers build nothing twice: the first to start builds a missing or stale index under the
    # index's file lock, the others wait for it and map the file. This process only migrates the
    # database and creates the secret key (once, before any worker opens them) and, for `demo`, saves
    # and releases what it loaded.
    if service is not None:
        from matcher.counsellor.desk import CounsellorDesk

        CounsellorDesk(service).start().stop()  # the seeker index too, so no worker builds it
        service.save_index()
        service.stop()
    else:
        from matcher.store import Database
        from matcher.text.privacy import load_or_create_secret

        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        Database(settings.database_url).open().close()
        load_or_create_secret(settings.secret_path)  # created here, never raced for by two workers
    # Workers read their settings from the environment: the same `JOBCIRCLE_*` this process read,
    # plus the worker count the rate limits are divided by.
    os.environ["JOBCIRCLE_WORKERS"] = str(workers)
    os.environ["JOBCIRCLE_DATA_DIR"] = str(settings.data_dir)
    print(banner, file=sys.stderr, flush=True)
    # A worker builds its posting catalog and lexical index in Python at start (minutes at 100k
    # postings on a loaded machine); uvicorn's default 5 s health check would take it for hung and
    # restart it over and over.
    from api.serving import run_workers

    config = uvicorn.Config("api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                            log_level="warning", timeout_worker_healthcheck=HEALTHCHECK_S, http=PROTOCOL)
    try:
        run_workers(config)  # one SO_REUSEPORT socket per worker: the kernel spreads the connections
    except KeyboardInterrupt:
        pass
    return 0
