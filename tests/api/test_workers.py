"""Issue 16 item 2: `jobcircle serve --workers 2` runs two worker processes that map ONE saved index file
(no copy each) and follow the change feed: a posting written through one request is matched by both
workers. Which worker answered a request is read from /proc (the server-side socket of the client's
connection belongs to exactly one worker), so the product needs no extra header for it."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matcher.counsellor import access
from matcher.inputs import PostingInput
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import HashingEncoder

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")

POSTINGS = [
    {"title": "超市收银员", "requirements": "收银经验，会用收银机", "street": "曲阳路街道"},
    {"title": "小区保安", "requirements": "持保安员证，能上夜班", "street": "欧阳路街道"},
    {"title": "餐厅服务员", "requirements": "热情，普通话流利", "street": "广中路街道"},
]
NEW = {"title": "冷库叉车司机", "requirements": "持叉车证，冷链仓库叉车搬运经验", "street": "曲阳路街道"}
RESUME = "持叉车证，做过冷链仓库叉车司机，负责叉车搬运"


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


def _maps(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return ""


def _owner(pids: list[int], server_port: int, client_port: int) -> int | None:
    """The worker holding the server side of the connection 127.0.0.1:client_port -> server_port."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    if inode is None:
        return None
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
        except OSError:
            continue
    return None


def _request(port: int, method: str, path: str, token: str, body: dict | None = None):
    """(status, payload, client port, connection) on a fresh connection, left open for `_owner`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body, ensure_ascii=False).encode() if body else None, headers=headers)
    response = conn.getresponse()
    payload = json.loads(response.read() or b"null")
    return response.status, payload, conn.sock.getsockname()[1], conn


@pytest.fixture
def two_workers(tmp_path):
    data_dir = tmp_path / "jobcircle"
    settings = Settings(data_dir=data_dir, encoder="hashing-256", occupation_coding=False)
    service = JobCircle(settings, HashingEncoder(256)).start()
    service.upsert_postings([PostingInput.model_validate(p) for p in POSTINGS])
    with service.db.session() as session, session.begin():
        _, token = access.add_user(session, name="测试管理员", role="admin")
    service.stop()
    port = _free_port()
    env = os.environ | {"JOBCIRCLE_DATA_DIR": str(data_dir), "JOBCIRCLE_ENCODER": "hashing-256",
                        "JOBCIRCLE_OCCUPATION_CODING": "false", "JOBCIRCLE_REFRESH_INTERVAL_S": "0.2"}
    log = open(tmp_path / "server.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--workers", "2", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        index_file = str(data_dir / "index" / "index.faiss")
        workers: list[int] = []
        for _ in range(1500):  # start-up on a shared, busy machine: both workers listening and mapped
            assert process.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            workers = [pid for pid in _children(process.pid) if index_file in _maps(pid)]
            if len(workers) == 2:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    pass
            time.sleep(0.2)
        assert len(workers) == 2, f"workers mapping {index_file}: {workers}"
        yield port, token, workers, index_file
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_two_workers_map_one_index_file_and_both_serve_a_new_posting(two_workers):
    port, token, workers, index_file = two_workers
    # Each worker maps the index file read-only: no private copy of the vectors.
    for pid in workers:
        mapped = [line for line in _maps(pid).splitlines() if line.endswith(index_file)]
        assert mapped and all(line.split()[1].startswith("r") and "w" not in line.split()[1] for line in mapped)

    # Both workers have served a match (and so read the change feed) before the write.
    warmed: set[int] = set()
    for _ in range(400):
        status, payload, client_port, conn = _request(port, "POST", "/match", token, {"resume_text": RESUME, "k": 3})
        warmed.add(_owner(workers, port, client_port))
        conn.close()
        assert status == 200, payload
        if set(workers) <= warmed:
            break
    assert set(workers) <= warmed

    status, posting, _, conn = _request(port, "POST", "/postings", token, NEW)
    conn.close()
    assert status == 201, posting
    status, seeker, _, conn = _request(port, "POST", "/seekers", token, {"resume_text": RESUME, "consent": True})
    conn.close()
    assert status == 201, seeker

    served_by: set[int] = set()
    answers = []
    for _ in range(400):  # fresh connections land on either worker; poll until both have answered
        status, payload, client_port, conn = _request(port, "GET", f"/seekers/{seeker['id']}/matches?k=3", token)
        owner = _owner(workers, port, client_port)
        conn.close()
        assert status == 200, payload
        answers.append((owner, [r["posting_id"] for r in payload["results"]]))
        if owner is not None and posting["id"] in answers[-1][1]:
            served_by.add(owner)
        if served_by == set(workers):
            break
        time.sleep(0.05)
    assert served_by == set(workers), f"the new posting {posting['id']} was not matched by every worker: {answers[-10:]}"
