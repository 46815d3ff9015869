"""Command line start-up: commands that need no model never import it; `match --server` asks a running server."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "sentence_transformers", "onnxruntime", "transformers")
PROBE = ("import sys, json; from cli.main import main; rc = main(sys.argv[1:]); "
         "print(json.dumps({'rc': rc, 'heavy': [m for m in %r if m in sys.modules]}))" % (HEAVY,))


def _run_cli(args: list[str], data_dir: Path, stdin: str = "") -> dict:
    import json
    import os

    env = os.environ | {"JOBCIRCLE_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, input=stdin,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_commands_that_need_no_model_never_import_it(tmp_path):
    data = tmp_path / "data"
    for args in (["users", "list"], ["ledger", "verify"], ["backup", str(tmp_path / "backup")], ["postings", "check"]):
        result = _run_cli(args, data, stdin="限男性\n")
        assert result["heavy"] == [], f"{args} imported {result['heavy']}"
        assert result["rc"] == 0, args


@pytest.fixture
def live_server(service, settings):
    import uvicorn

    from api.app import create_app
    from matcher.inputs import PostingInput

    service.upsert_postings([
        PostingInput(title="仓库管理员", employer="示例物流", street="凉城新村街道", description="负责仓库进出库登记与盘点，会开叉车"),
        PostingInput(title="收银员", employer="示例超市", street="曲阳路街道", description="超市收银，早晚班"),
    ])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, service=service), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


def test_match_through_a_running_server_loads_no_model(live_server, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(tmp_path / "client"))
    monkeypatch.setattr("cli.main._service", lambda *a, **k: pytest.fail("the client must not start a service"))
    assert cli.main(["match", "--text", "想找仓库管理员的工作，会开叉车", "--k", "2", "--server", live_server]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [") and "仓库管理员" in out.splitlines()[0]


def test_match_server_errors_are_explained_in_chinese(live_server, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(tmp_path / "client"))
    assert cli.main(["match", "--text", "仓库", "--k", "500", "--server", live_server]) == 2
    assert "服务返回 422" in capsys.readouterr().err
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    assert cli.main(["match", "--text", "仓库", "--server", f"http://127.0.0.1:{closed}"]) == 2
    assert "请确认服务已启动" in capsys.readouterr().err
