"""End-to-end load benchmark: `GET /seekers/{id}/matches?k=10` through a running uvicorn server.

    python -m benchmarks.load_bench [--postings 100000] [--requests 3000] [--clients 4] [--out DIR]

1. Prepare a data directory with N synthetic postings (`evaluation.synthetic`) and 200 seekers, all
   through `JobCircle.upsert_postings` / `upsert_seekers`. Encoding 100k texts would take ~15 minutes
   on 2 cores, so, as in `benchmarks.bench_matching`, the first 2,000 postings get real m3e-small
   vectors and later ones reuse one of them plus small noise (`bench_matching._ReuseEncoder`); seekers
   are encoded with the real model. A prepared directory is reused when `--data-dir` is given.
2. Create an admin user and token through `matcher.counsellor.access` (the API requires tokens), unless
   `--no-auth` runs the server with `JOBCIRCLE_AUTH_REQUIRED=false` instead.
3. Start `uvicorn` on 127.0.0.1 (a free port) serving `api.app.create_app(Settings())` in a
   subprocess, wait for `/ready`.
4. Drive it with a bounded load generator (httpx, threads): first one client alone (unloaded
   latency), then `--clients` concurrent clients; each phase stops at its request count or time cap.
   Reports requests/s and latency p50/p95/p99 (client-side, loopback only).

Target (issue 6): p50 < 20 ms and >= 300 requests/s at 100k postings on the 2-core machine. The load
generator runs on the same 2 cores as the server, so it takes CPU from it; that is part of the figure.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from evaluation import report, synthetic
from benchmarks.bench_matching import _ReuseEncoder

TARGET_P50_MS = 20.0
TARGET_RPS = 300.0
REAL_VECTORS = 2000
BATCH = 5000


class _SwitchableEncoder:
    """Delegates to the reuse encoder for postings, or to the real model while seekers are encoded."""

    def __init__(self, real, reuse):
        self.real, self.reuse = real, reuse
        self.name, self.dim = real.name, real.dim
        self.active = reuse

    def encode_queries(self, texts):
        return self.real.encode_queries(texts)

    def encode_documents(self, texts, *, show_progress=False):
        return self.active.encode_documents(texts)


def server_app():
    """uvicorn factory: the product's app built from `JOBCIRCLE_*` environment settings."""
    from api.app import create_app
    from matcher.settings import Settings

    return create_app(Settings())


def prepare(data_dir: Path, n_postings: int, n_seekers: int = 200, *, encoder=None, auth: bool = True,
            log=print) -> dict:
    """Fill `data_dir` up to `n_postings` open postings and `n_seekers` seekers; returns seeker ids,
    the admin token (when `auth`) and timings. Existing postings/seekers in the directory are kept."""
    from sqlalchemy import select

    from data.schema import Seeker
    from matcher.counsellor import access
    from matcher.inputs import PostingInput, SeekerInput
    from matcher.service import JobCircle
    from matcher.settings import Settings

    if encoder is None:
        from models.registry import load_encoder

        encoder = load_encoder("m3e-small")
    switch = _SwitchableEncoder(encoder, _ReuseEncoder(encoder, base=REAL_VECTORS))
    settings = Settings(data_dir=data_dir, occupation_coding=False, refresh_interval_s=3600)
    service = JobCircle(settings, switch).start()
    started = time.perf_counter()
    try:
        with service.db.session() as session:
            seeker_ids = list(session.scalars(select(Seeker.id).order_by(Seeker.id)))
        if len(seeker_ids) < n_seekers:
            switch.active = encoder
            rows = [SeekerInput.model_validate(s.row | {"external_id": f"LOAD-S{n}"})
                    for n, s in enumerate(synthetic.iter_seekers(n_seekers - len(seeker_ids), seed=77), len(seeker_ids))]
            seeker_ids += service.upsert_seekers(rows)
            switch.active = switch.reuse
        total = service.stats()["postings_open"]
        batch_no = total // BATCH
        while total < n_postings:
            step = min(BATCH, n_postings - total)
            rows = [PostingInput.model_validate(p.row)
                    for p in synthetic.iter_postings(step, seed=5000 + batch_no, start=total)]
            service.upsert_postings(rows)
            total += step
            batch_no += 1
            log(f"  ... {total:,} postings ({time.perf_counter() - started:.0f}s)", flush=True)
        build_s = time.perf_counter() - started
        service.rebuild_index()  # the index type the settings choose for this size, saved for the server
        token = None
        if auth:
            with service.db.session() as session, session.begin():
                _, token = access.add_user(session, name="压测管理员", role="admin")
        factory = service.factory
    finally:
        service.stop()
    return {"seeker_ids": seeker_ids[:n_seekers], "token": token, "ingest_s": build_s, "factory": factory,
            "postings": total}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, *, auth: bool, workers: int = 1, timeout_s: float = 900.0, log=print):
    """Start uvicorn in a subprocess and wait until `/ready` answers 200; returns (process, base URL)."""
    import httpx

    port = _free_port()
    env = os.environ | {"JOBCIRCLE_DATA_DIR": str(data_dir), "JOBCIRCLE_OCCUPATION_CODING": "false",
                        "JOBCIRCLE_AUTH_REQUIRED": "true" if auth else "false",
                        # one client and one token drive the whole load: lift the rate limits for it
                        "JOBCIRCLE_RATE_LIMIT_PER_TOKEN": "1000000/minute", "JOBCIRCLE_RATE_LIMIT_PER_CLIENT": "1000000/minute"}
    command = [sys.executable, "-m", "uvicorn", "benchmarks.load_bench:server_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[1])
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with code {process.returncode} before it was ready")
        try:
            if httpx.get(f"{base}/ready", timeout=2.0).status_code == 200:
                log(f"  server ready after {time.perf_counter() - started:.1f}s on {base}")
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise TimeoutError(f"server not ready after {timeout_s:.0f}s")


def stop_server(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def drive(base: str, seeker_ids: Sequence[int], *, clients: int, requests: int, time_cap_s: float,
          token: str | None, k: int = 10) -> dict:
    """`requests` GETs spread over `clients` threads (or until `time_cap_s`); latency percentiles, req/s."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.perf_counter() + time_cap_s

    def worker():
        with httpx.Client(base_url=base, headers=headers, timeout=30.0) as client:
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                seeker = seeker_ids[n % len(seeker_ids)]
                started = time.perf_counter()
                status = client.get(f"/seekers/{seeker}/matches", params={"k": k}).status_code
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 200:
                        latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    arr = np.asarray(latencies, dtype=float)
    pct = (lambda q: round(float(np.percentile(arr, q)), 2)) if arr.size else (lambda q: None)
    return {"clients": clients, "requests_ok": int(arr.size), "requests_failed": sum(statuses.values()) - int(arr.size),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}, "wall_s": round(wall, 2),
            "req_per_s": round(arr.size / wall, 1) if wall > 0 else None,
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "mean_ms": round(float(arr.mean()), 2) if arr.size else None}


COLUMNS = ("postings", "index", "workers", "auth", "clients", "requests_ok", "requests_failed", "req_per_s",
           "p50_ms", "p95_ms", "p99_ms", "load_avg_1m")


def run(out: str | os.PathLike | None = None, *, n_postings: int = 100_000, requests: int = 3000,
        clients: int = 4, time_cap_s: float = 120.0, data_dir: Path | None = None, auth: bool = True,
        workers: int = 1, encoder=None) -> Path:
    """Prepare, serve, load; writes load.json / load.csv / load.md into the run folder and returns it."""
    run_dir = report.make_run_dir("load", out)
    info = report.machine_info()
    with tempfile.TemporaryDirectory(prefix="jobcircle-load-") as tmp:
        directory = Path(data_dir) if data_dir else Path(tmp)
        print(f"preparing {n_postings:,} postings in {directory} ...", flush=True)
        prepared = prepare(directory, n_postings, encoder=encoder, auth=auth)
        print(f"  ready: {prepared['postings']:,} postings, index {prepared['factory']} "
              f"({prepared['ingest_s']:.0f}s to ingest)", flush=True)
        process, base = start_server(directory, auth=auth, workers=workers)
        rows = []
        try:
            warm = drive(base, prepared["seeker_ids"], clients=1, requests=20, time_cap_s=60, token=prepared["token"])
            if warm["requests_ok"] == 0:
                raise RuntimeError(f"the server answered no request successfully: {warm['statuses']}")
            for n_clients, n_requests in ((1, max(50, requests // 4)), (clients, requests)):
                load_avg = report.load_average()
                result = drive(base, prepared["seeker_ids"], clients=n_clients, requests=n_requests,
                               time_cap_s=time_cap_s, token=prepared["token"])
                rows.append({"postings": prepared["postings"], "index": prepared["factory"], "workers": workers,
                             "auth": "admin token" if auth else "JOBCIRCLE_AUTH_REQUIRED=false",
                             **result, "load_avg_1m": load_avg})
                print(f"  {n_clients} client(s): {result['req_per_s']} req/s, p50 {result['p50_ms']} ms, "
                      f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, statuses {result['statuses']}", flush=True)
        finally:
            stop_server(process)
    meets = [r for r in rows if r["p50_ms"] is not None and r["p50_ms"] < TARGET_P50_MS and r["req_per_s"] >= TARGET_RPS]
    verdict = (f"Target (p50 < {TARGET_P50_MS:.0f} ms and >= {TARGET_RPS:.0f} req/s) "
               + ("met" if meets else "NOT met") + f" at {prepared['postings']:,} postings.")
    settings = {"n_postings": prepared["postings"], "requests": requests, "clients": clients, "time_cap_s": time_cap_s,
                "workers": workers, "auth": auth, "ingest_s": round(prepared["ingest_s"], 1),
                "vectors": f"first {REAL_VECTORS} postings real m3e-small vectors, later ones reuse them + N(0, 0.02) "
                           "noise; seekers real", "data": synthetic.SYNTHETIC_NOTE,
                "endpoint": "GET /seekers/{id}/matches?k=10 over 127.0.0.1"}
    report.write_json(run_dir, "load.json", {"settings": settings, "machine": info, "results": rows, "verdict": verdict})
    report.write_csv(run_dir, "load.csv", rows)
    text = ("# HTTP load benchmark\n\n" + report.machine_markdown(info) + "\n"
            + f"`GET /seekers/{{id}}/matches?k=10` through uvicorn ({workers} worker(s)) on 127.0.0.1; "
              f"{prepared['postings']:,} SYNTHETIC postings ({settings['vectors']}); load generator: httpx in threads "
              f"on the same machine; first 1 client alone, then {clients} concurrent.\n\n"
            + report.markdown_table(rows, COLUMNS, digits=None) + "\n" + verdict + "\n")
    report.write_markdown(run_dir, "load.md", text)
    return run_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="HTTP load benchmark of GET /seekers/{id}/matches")
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=3000, help="requests in the concurrent phase")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--time-cap", type=float, default=120.0, help="seconds per phase at most")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--data-dir", type=Path, default=None, help="prepared data directory to reuse (kept)")
    parser.add_argument("--no-auth", action="store_true", help="serve with JOBCIRCLE_AUTH_REQUIRED=false")
    parser.add_argument("--quick", action="store_true", help="5,000 postings, 300 requests")
    parser.add_argument("--out", default=None, help="run folder (default reports/load-<timestamp>/)")
    args = parser.parse_args(argv)
    n_postings, requests = (5000, 300) if args.quick else (args.postings, args.requests)
    run_dir = run(args.out, n_postings=n_postings, requests=requests, clients=args.clients, time_cap_s=args.time_cap,
                  data_dir=args.data_dir, auth=not args.no_auth, workers=args.workers)
    print()
    print((run_dir / "load.md").read_text(encoding="utf-8"))
    print(f"Written to {run_dir}/ (load.json, load.csv, load.md)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
