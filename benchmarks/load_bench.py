"""HTTP load benchmark (issue 16 item 2): `GET /seekers/{id}/matches?k=10` at 100k postings.

    python -m benchmarks.load_bench [--postings 100000] [--workers 2] [--clients 8] [--duration 20]
                                    [--data-dir DIR] [--out DIR]

1. Prepare a data directory (kept and reused with `--data-dir`): the synthetic Hongkou demo set through
   the product's own ingest (`cli.main.seed_demo`: 41 stations, 520 postings and 240 seekers encoded by
   the default model, occupation coding on), then `grow()` copies those 520 encoded posting rows up to
   `--postings`, each copy with its vector plus N(0, 0.02) noise (re-normalised, as
   `benchmarks.bench_matching` does) and its place moved by up to ~300 m, written in bulk with change
   numbers from `Database.take_seq`, as the product stores postings. The index is rebuilt once (`auto`:
   HNSW32 at 100k) and saved; an admin token is issued.
2. For 1 worker and for `--workers` N: start `python -m cli.main serve --workers K` (the product
   command; the N workers map the one saved index file) on a free port and wait until every worker has
   finished starting.
3. Drive it from a separate process (raw asyncio sockets, HTTP/1.1 keep-alive, fixed concurrency and
   fixed duration, so the client never queues unbounded work and never shares the server's GIL):
   - `GET /health` with `--clients` connections: the framework's ceiling on this machine;
   - the matches endpoint with one client (unloaded latency);
   - the matches endpoint with `--clients` connections (throughput).
   Seekers are cycled; every request carries the admin token (the token cache is exercised).
4. Print req/s, p50/p95/p99 and the 1-minute load average next to every row; write load.json / load.csv /
   load.md to the run folder. `--serialization` also times the response serialisers on a real answer.

The load generator runs on the same cores as the server and takes CPU from it; that is part of the
figure. On a shared machine the absolute numbers follow the load average printed with them.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET_RPS = 500.0
TARGET_P50_MS = 10.0
NOISE = 0.02
JITTER_DEG = 0.003  # ~300 m
BULK = 10_000
TOKEN_FILE = "load-bench-token.txt"


# ---------------------------------------------------------------------------- the load generator (own process)
async def _connection(host: str, port: int, paths: list[str], offset: int, headers: bytes, deadline: float,
                      latencies: list[float], statuses: dict[int, int]) -> None:
    """One keep-alive connection sending requests back to back until the deadline; a connection the
    server drops is counted (status 0) and opened again."""
    n = offset
    writer = None
    try:
        while time.perf_counter() < deadline:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: bench\r\n" + headers + b"\r\n")
                status = int((await reader.readline()).split()[1])
                length = 0
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
            except (IndexError, ValueError, ConnectionError, asyncio.IncompleteReadError):
                statuses[0] = statuses.get(0, 0) + 1
                writer.close()
                writer = None
                continue
            elapsed = time.perf_counter() - started
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                latencies.append(elapsed)
    finally:
        if writer is not None:
            writer.close()


async def _drive(spec: dict) -> dict:
    headers = b"".join(f"{k}: {v}\r\n".encode() for k, v in spec.get("headers", {}).items())
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    deadline = started + spec["duration"]
    await asyncio.gather(*(_connection(spec["host"], spec["port"], spec["paths"], c * 7919, headers, deadline,
                                       latencies, statuses) for c in range(spec["clients"])))
    wall = time.perf_counter() - started
    ms = np.asarray(latencies) * 1000
    pct = (lambda q: round(float(np.percentile(ms, q)), 2)) if ms.size else (lambda q: None)
    return {"clients": spec["clients"], "requests_ok": int(ms.size),
            "requests_failed": sum(statuses.values()) - int(ms.size),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}, "wall_s": round(wall, 2),
            "req_per_s": round(ms.size / wall, 1), "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99)}


def drive(port: int, paths: Sequence[str], *, clients: int, duration: float, token: str | None) -> dict:
    """Run the load generator in a separate Python process; its JSON result."""
    spec = {"host": "127.0.0.1", "port": port, "paths": list(paths), "clients": clients, "duration": duration,
            "headers": {"Authorization": f"Bearer {token}"} if token else {}}
    done = subprocess.run([sys.executable, "-m", "benchmarks.load_bench", "--drive", "-"], input=json.dumps(spec),
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout)


# ---------------------------------------------------------------------------- data
def grow(service, n_postings: int, *, seed: int = 0, log=print) -> int:
    """Copy the stored open postings (rows and vectors made by the product's ingest) up to `n_postings`:
    each copy gets its template's vector plus noise and a nearby place; returns the open count."""
    from datetime import datetime, timezone

    from sqlalchemy import func, insert, select

    from data.schema import Posting
    from matcher.store import Database

    table = Posting.__table__
    rng = np.random.default_rng(seed)
    with service.db.session() as session:
        templates = [dict(row._mapping) for row in session.execute(
            select(table).where(table.c.status == "open", table.c.external_id.not_like("LOAD-%")))]
        total = session.scalar(select(func.count()).select_from(table).where(table.c.status == "open"))
    if not templates:
        raise RuntimeError("no encoded postings to copy")
    dim = service.encoder.dim
    made = 0
    while total < n_postings:
        step = min(BULK, n_postings - total)
        picks = rng.integers(0, len(templates), step)
        base = np.stack([np.frombuffer(templates[i]["embedding"], np.float32) for i in picks])
        noisy = base + rng.normal(0, NOISE, (step, dim)).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        now = datetime.now(timezone.utc)
        with service.db.session() as session, session.begin():
            first = Database.take_seq(session, "postings", step)
            rows = []
            for n, (i, vector) in enumerate(zip(picks.tolist(), noisy)):
                row = dict(templates[i])
                row.pop("id")
                row.update(external_id=f"LOAD-{seed}-{total + n}", embedding=vector.astype(np.float32).tobytes(),
                           change_seq=first + n, created_at=now, updated_at=now)
                if row.get("lat") is not None and row.get("lon") is not None:
                    row["lat"] += float(rng.uniform(-JITTER_DEG, JITTER_DEG))
                    row["lon"] += float(rng.uniform(-JITTER_DEG, JITTER_DEG))
                rows.append(row)
            session.execute(insert(table), rows)
        total += step
        made += step
        log(f"  ... {total:,} postings", flush=True)
    return total


def prepare(data_dir: Path, n_postings: int, *, log=print) -> dict:
    """Demo set through the product's ingest, grown to `n_postings`, index rebuilt and saved, admin token."""
    from sqlalchemy import select

    from cli.main import seed_demo
    from data.schema import Seeker
    from matcher.counsellor import access
    from matcher.service import JobCircle
    from matcher.settings import Settings

    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, refresh_interval_s=3600)
    started = time.perf_counter()
    service = JobCircle(settings).start()
    try:
        if service.stats()["postings_open"] == 0:
            log("  seeding the demo set through the product's ingest (real model) ...", flush=True)
            seed_demo(service, progress=False)
        total = grow(service, n_postings, log=log)
        if service.stats()["index_size"] != total:
            log("  rebuilding the index ...", flush=True)
            service.rebuild_index()
        service.refresh(force=True)
        with service.db.session() as session:
            seeker_ids = list(session.scalars(select(Seeker.id).where(Seeker.consent_withdrawn_at.is_(None))
                                              .order_by(Seeker.id)))
        in_process = _in_process_p50(service, seeker_ids)
        log(f"  in-process match_seeker(k=10): p50 {in_process} ms (the ranking alone, no HTTP)", flush=True)
        token_path = data_dir / TOKEN_FILE
        if not token_path.exists():
            with service.db.session() as session, session.begin():
                _, token = access.add_user(session, name="压测管理员", role="admin")
            token_path.write_text(token)
            token_path.chmod(0o600)
        factory, encoder = service.factory, service.encoder.name
    finally:
        service.stop()
    return {"seeker_ids": seeker_ids, "token": token_path.read_text().strip(), "postings": total, "factory": factory,
            "encoder": encoder, "prepare_s": round(time.perf_counter() - started, 1), "in_process_p50_ms": in_process}


def _in_process_p50(service, seeker_ids: list[int], n: int = 200, cap_s: float = 60.0) -> float:
    """p50 of `match_seeker(id, 10)` in this process (up to `n` seekers or `cap_s` seconds): what every
    HTTP request pays before the framework."""
    picks = seeker_ids[:n]
    for seeker_id in picks[:5]:
        service.match_seeker(seeker_id, 10)
    times = []
    stop = time.perf_counter() + cap_s
    for seeker_id in picks:
        if time.perf_counter() > stop:
            break
        started = time.perf_counter()
        service.match_seeker(seeker_id, 10)
        times.append((time.perf_counter() - started) * 1000)
    return round(float(np.percentile(times, 50)), 2)


# ---------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return -1


class Server:
    """`python -m cli.main serve --workers K` on a free port, over a prepared data directory."""

    def __init__(self, data_dir: Path, workers: int, log_path: Path):
        self.port, self.workers = _free_port(), workers
        env = os.environ | {"JOBCIRCLE_DATA_DIR": str(data_dir), "JOBCIRCLE_OCCUPATION_CODING": "false",
                            # one token and one address drive the whole load: lift the rate limits for it
                            "JOBCIRCLE_RATE_LIMIT_PER_TOKEN": "100000000/minute",
                            "JOBCIRCLE_RATE_LIMIT_PER_CLIENT": "100000000/minute"}
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--workers", str(workers), "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def pids(self) -> list[int]:
        if self.workers <= 1:
            return [self.process.pid]
        out = []
        for pid in _children(self.process.pid):  # uvicorn's workers (spawned), not multiprocessing's tracker
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    out.append(pid)
            except OSError:
                continue
        return out

    def wait_ready(self, timeout_s: float = 1800.0) -> float:
        """Seconds until every worker answers and has gone idle (start-up is CPU-bound)."""
        import http.client

        started = time.perf_counter()
        while time.perf_counter() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/ready")
                ok = conn.getresponse().status == 200
                conn.close()
            except OSError:
                ok = False
            if ok:
                before = {p: _cpu_ticks(p) for p in self.pids()}
                time.sleep(2.0)
                after = {p: _cpu_ticks(p) for p in self.pids()}
                busy = [p for p in after if after[p] - before.get(p, -1) > 20]  # > 0.2 s CPU in 2 s
                if not busy and len(after) >= self.workers:
                    return time.perf_counter() - started
            time.sleep(1.0)
        raise TimeoutError(f"server not ready after {timeout_s:.0f}s")

    def index_mapped(self, data_dir: Path) -> list[bool]:
        index_file = str(data_dir / "index" / "index.faiss")
        out = []
        for pid in self.pids():
            try:
                out.append(index_file in Path(f"/proc/{pid}/maps").read_text())
            except OSError:
                out.append(False)
        return out

    def memory(self) -> list[dict]:
        """Per worker: private (anonymous) and file-backed resident MiB; the mapped index is file-backed,
        shared by every worker through the page cache."""
        out = []
        for pid in self.pids():
            try:
                status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                              if ":" in line)
                out.append({key: round(int(status[key].split()[0]) / 1024) for key in ("RssAnon", "RssFile")})
            except (OSError, KeyError, ValueError):
                continue
        return out

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# ---------------------------------------------------------------------------- serialisation, measured
def serialization(payload: dict, n: int = 2000) -> dict:
    """Microseconds per response for the ways FastAPI can write a `MatchResponse`, on a real answer."""
    import orjson
    from pydantic import TypeAdapter

    from api.schemas.matching import MatchResponse

    adapter = TypeAdapter(MatchResponse)

    def timed(fn) -> float:
        fn()
        started = time.perf_counter()
        for _ in range(n):
            fn()
        return round((time.perf_counter() - started) / n * 1e6, 1)

    return {
        "bytes": len(adapter.dump_json(adapter.validate_python(payload))),
        "fastapi_response_model_us": timed(lambda: adapter.dump_json(adapter.validate_python(payload))),
        "orjson_response_class_us": timed(lambda: orjson.dumps(adapter.dump_python(adapter.validate_python(payload),
                                                                                    mode="json"))),
        "json_dumps_us": timed(lambda: json.dumps(adapter.dump_python(adapter.validate_python(payload), mode="json"),
                                                  ensure_ascii=False).encode()),
    }


# ---------------------------------------------------------------------------- the run
COLUMNS = ("case", "workers", "clients", "requests_ok", "requests_failed", "req_per_s", "p50_ms", "p95_ms", "p99_ms",
           "load_avg_1m")


def run(out: str | os.PathLike | None = None, *, n_postings: int = 100_000, workers: int = 2, clients: int = 8,
        duration: float = 20.0, data_dir: Path | None = None, with_serialization: bool = False,
        **_legacy) -> Path:
    import tempfile

    from evaluation import report

    run_dir = report.make_run_dir("load", out)
    info = report.machine_info()
    with tempfile.TemporaryDirectory(prefix="jobcircle-load-") as tmp:
        directory = Path(data_dir) if data_dir else Path(tmp) / "data"
        print(f"preparing {n_postings:,} postings in {directory} ...", flush=True)
        prepared = prepare(directory, n_postings)
        print(f"  {prepared['postings']:,} postings, index {prepared['factory']}, {len(prepared['seeker_ids'])} seekers "
              f"({prepared['prepare_s']:.0f}s)", flush=True)
        paths = [f"/seekers/{i}/matches?k=10" for i in prepared["seeker_ids"]]
        rows, extra = [], {}
        for count in dict.fromkeys([1, workers]):
            server = Server(directory, count, run_dir / f"server-{count}.log")
            try:
                ready_s = server.wait_ready()
                mapped = server.index_mapped(directory)
                size = round((directory / "index" / "index.faiss").stat().st_size / 2**20)
                extra[f"memory_{count}_workers_mib"] = server.memory()
                print(f"\n{count} worker(s) ready after {ready_s:.0f}s; index file ({size} MiB) mapped in each: {mapped}; "
                      f"resident MiB per worker {server.memory()}", flush=True)
                drive(server.port, paths[:50], clients=2, duration=3, token=prepared["token"])  # warm caches
                if with_serialization and "serialization" not in extra:
                    import httpx

                    payload = httpx.get(f"http://127.0.0.1:{server.port}{paths[0]}", timeout=30,
                                        headers={"Authorization": f"Bearer {prepared['token']}"}).json()
                    extra["serialization"] = serialization(payload)
                    print(f"  serialisation of one answer: {extra['serialization']}", flush=True)
                for case, case_paths, n_clients in (("trivial GET /health", ["/health"], clients),
                                                    ("matches, one client", paths, 1),
                                                    ("matches", paths, clients)):
                    load = report.load_average()
                    result = drive(server.port, case_paths, clients=n_clients, duration=duration,
                                   token=prepared["token"])
                    row = {"case": case, "workers": count, **result, "load_avg_1m": load,
                           "load_avg_after": report.load_average()}
                    rows.append(row)
                    print(f"  {case:22s} {count} worker(s), {n_clients} client(s): {result['req_per_s']} req/s, "
                          f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, statuses {result['statuses']} "
                          f"(load {load} -> {row['load_avg_after']})", flush=True)
            finally:
                server.stop()
    best = max((r["req_per_s"] for r in rows if r["case"] == "matches"), default=0.0)
    one = next((r["p50_ms"] for r in rows if r["case"] == "matches, one client"), None)
    verdict = (f"Target: >= {TARGET_RPS:.0f} req/s and p50 <= {TARGET_P50_MS:.0f} ms for one client at "
               f"{prepared['postings']:,} postings. Measured: {best} req/s (best matches row), one-client p50 {one} ms: "
               + ("met" if best >= TARGET_RPS and one is not None and one <= TARGET_P50_MS else "NOT met") + ".")
    settings = {"postings": prepared["postings"], "index": prepared["factory"], "encoder": prepared["encoder"],
                "workers": workers, "clients": clients, "duration_s": duration,
                "data": "demo set (real model vectors) grown by copies with N(0, 0.02) vector noise",
                "client": "separate process, asyncio sockets, HTTP/1.1 keep-alive, fixed concurrency and duration",
                "endpoint": "GET /seekers/{id}/matches?k=10 over 127.0.0.1, admin token",
                "in_process_match_seeker_p50_ms": prepared["in_process_p50_ms"]} | extra
    report.write_json(run_dir, "load.json", {"settings": settings, "machine": info, "results": rows, "verdict": verdict})
    report.write_csv(run_dir, "load.csv", rows)
    text = ("# HTTP load benchmark\n\n" + report.machine_markdown(info) + "\n"
            + f"{prepared['postings']:,} postings (index {prepared['factory']}); `jobcircle serve --workers K`; "
              f"load generator in a separate process, {clients} keep-alive connections for {duration:.0f}s per row.\n\n"
            + report.markdown_table(rows, COLUMNS, digits=None) + "\n"
            + f"In-process `match_seeker` p50 (the ranking alone, measured while preparing): "
              f"{prepared['in_process_p50_ms']} ms.\n\n" + verdict + "\n")
    report.write_markdown(run_dir, "load.md", text)
    return run_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="HTTP load benchmark of GET /seekers/{id}/matches")
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes in the multi-worker rows")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per row")
    parser.add_argument("--data-dir", type=Path, default=None, help="prepared data directory to reuse (kept)")
    parser.add_argument("--serialization", action="store_true", help="also time response serialisers")
    parser.add_argument("--quick", action="store_true", help="2,000 postings, 5 s per row")
    parser.add_argument("--out", default=None, help="run folder (default reports/load-<timestamp>/)")
    parser.add_argument("--drive", default=None, help=argparse.SUPPRESS)  # internal: the load generator process
    args = parser.parse_args(argv)
    if args.drive is not None:
        spec = json.loads(sys.stdin.read() if args.drive == "-" else args.drive)
        print(json.dumps(asyncio.run(_drive(spec))))
        return 0
    n_postings, duration = (2000, 5.0) if args.quick else (args.postings, args.duration)
    run_dir = run(args.out, n_postings=n_postings, workers=args.workers, clients=args.clients, duration=duration,
                  data_dir=args.data_dir, with_serialization=args.serialization)
    print()
    print((run_dir / "load.md").read_text(encoding="utf-8"))
    print(f"Written to {run_dir}/ (load.json, load.csv, load.md, server logs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
