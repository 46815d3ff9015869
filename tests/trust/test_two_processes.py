"""Issue 12 "Also" and issue 16: two server processes on one database. A write through one is served by
the other within the refresh interval, and their indexes agree (SQLite; PostgreSQL when
JOBCIRCLE_TEST_POSTGRES_URL is set, as in CI)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
REFRESH_S = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, database_url: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {
            "JOBCIRCLE_DATA_DIR": str(data_dir), "JOBCIRCLE_DATABASE_URL": database_url,
            "JOBCIRCLE_ENCODER": "hashing-256", "JOBCIRCLE_OCCUPATION_CODING": "false",
            "JOBCIRCLE_AUTH_REQUIRED": "false", "JOBCIRCLE_REFRESH_INTERVAL_S": str(REFRESH_S),
        }
        self.log = open(data_dir.parent / f"server-{self.port}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def wait_ready(self) -> None:
        for _ in range(600):  # start-up (migrations, index) on a shared, busy machine
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {(self.log.name and open(self.log.name).read())[-2000:]}")
            try:
                if self.client.get("/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("server never became ready")

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _matched_ids(server: Server, text: str) -> set[int]:
    response = server.client.post("/match", json={"resume_text": text, "k": 100, "street": "曲阳路街道"})
    assert response.status_code == 200, response.text
    return {item["posting_id"] for item in response.json()["results"]}


def _run_pair(tmp_path: Path, database_url: str) -> None:
    first = Server(tmp_path / "a", database_url)
    try:
        first.wait_ready()
        second = Server(tmp_path / "b", database_url)
        try:
            second.wait_ready()
            # One write through the first process ...
            created = first.client.post("/postings", json={"title": "叉车司机", "requirements": "持叉车证，仓库经验",
                                                           "street": "曲阳路街道"})
            assert created.status_code == 201, created.text
            time.sleep(REFRESH_S * 1.5)  # the refresh interval, and no more, has passed
            # ... is served by the second at its next request.
            assert created.json()["id"] in _matched_ids(second, "持叉车证，做过仓库叉车司机")

            # Parallel writes through both processes: every acknowledged one is served by both.
            def post(server_and_n):
                server, n = server_and_n
                response = server.client.post("/postings", json={"title": f"仓库管理员{n}号", "requirements": "叉车证 仓库管理",
                                                                 "street": "曲阳路街道"})
                assert response.status_code == 201, response.text
                return response.json()["id"]

            with ThreadPoolExecutor(8) as pool:
                ids = set(pool.map(post, [(first if n % 2 else second, n) for n in range(16)]))
            time.sleep(REFRESH_S * 1.5)
            text = "做过仓库管理员，持叉车证"
            for server in (first, second):
                missing = ids - _matched_ids(server, text)
                assert not missing, f"{server.url} never served {sorted(missing)}"
            sizes = [server.client.get("/ready").json() for server in (first, second)]
            assert sizes[0]["index_size"] == sizes[1]["index_size"] == 17
            assert sizes[0]["postings_open"] == sizes[1]["postings_open"] == 17
        finally:
            second.stop()
    finally:
        first.stop()


def test_two_processes_on_one_sqlite_database(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _run_pair(tmp_path, f"sqlite:///{tmp_path / 'shared.db'}")


@pytest.mark.postgres
def test_two_processes_on_one_postgresql_database(tmp_path, pg_database):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _run_pair(tmp_path, pg_database)
