"""Every connection the server accepts has Nagle's algorithm off, in one-worker and multi-worker mode."""
from __future__ import annotations

import socket

import pytest

from api.serving import PROTOCOL, NoDelayHTTPProtocol, ReusePortProcess, no_delay, reuse_port_socket
from cli import serve as serve_module
from matcher.settings import Settings


def _accepted_pair(proto: int):
    """A connection accepted on a listening socket made the way uvicorn's worker mode makes it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    listener.close()
    return client, accepted


def test_a_connection_accepted_on_a_protocol_0_socket_gets_no_delay():
    client, accepted = _accepted_pair(0)  # uvicorn's bind_socket: socket.socket(family=AF_INET)
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # what asyncio leaves
        assert no_delay(accepted)
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        client.close()
        accepted.close()


def test_no_delay_leaves_non_tcp_sockets_alone():
    left, right = socket.socketpair(socket.AF_UNIX)
    try:
        assert not no_delay(left) and not no_delay(None)
    finally:
        left.close()
        right.close()


def test_the_protocol_sets_the_option_when_a_connection_is_made(monkeypatch):
    seen = []
    monkeypatch.setattr("api.serving.no_delay", lambda sock: seen.append(sock) or True)
    monkeypatch.setattr(NoDelayHTTPProtocol.__mro__[1], "connection_made", lambda self, transport: None)

    class Transport:
        def get_extra_info(self, name):
            return "the-socket" if name == "socket" else None

    NoDelayHTTPProtocol.connection_made(object.__new__(NoDelayHTTPProtocol), Transport())
    assert seen == ["the-socket"]


def test_one_worker_runs_uvicorn_with_the_no_delay_protocol(monkeypatch, tmp_path):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    monkeypatch.setattr("api.app.create_app", lambda settings, service=None: object())
    settings = Settings(data_dir=tmp_path, encoder="hashing-64", occupation_coding=False)
    assert serve_module.serve(None, settings, "127.0.0.1", 0, workers=1) == 0
    assert calls and calls[0]["http"] == PROTOCOL
    # The import string resolves to the class (workers import it again).
    from uvicorn.importer import import_from_string
    assert import_from_string(PROTOCOL) is NoDelayHTTPProtocol


def test_several_workers_run_with_the_no_delay_protocol_on_their_own_sockets(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr("api.serving.run_workers", lambda config: seen.append(config))
    settings = Settings(data_dir=tmp_path, encoder="hashing-64", occupation_coding=False)
    assert serve_module.serve(None, settings, "127.0.0.1", 0, workers=3) == 0
    assert len(seen) == 1 and seen[0].workers == 3 and seen[0].http == PROTOCOL


def test_each_worker_can_listen_on_its_own_socket_on_one_port():
    """What lets the kernel spread connections: a second listener on the same port is allowed."""
    parent = reuse_port_socket("127.0.0.1", 0)  # bound, never listening
    port = parent.getsockname()[1]
    workers = [reuse_port_socket("127.0.0.1", port) for _ in range(2)]
    clients, accepted = [], []
    try:
        for sock in workers:
            sock.listen(64)  # room for all 16 even if the kernel's hash sends them all to one worker
        clients += [socket.create_connection(("127.0.0.1", port), timeout=2) for _ in range(16)]
        for sock in workers:
            sock.setblocking(False)
            while True:
                try:
                    accepted.append(sock.accept()[0])
                except BlockingIOError:
                    break
        assert len(accepted) == 16  # every connection reached a listening worker, none the parent
        plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with pytest.raises(OSError):  # without the option the port is taken
            plain.bind(("127.0.0.1", port))
        plain.close()
    finally:
        for sock in [parent, *workers, *clients, *accepted]:
            sock.close()


def test_the_worker_process_class_is_importable_by_name():
    from uvicorn.importer import import_from_string
    assert import_from_string("api.serving:ReusePortProcess") is ReusePortProcess


@pytest.mark.parametrize("slots", [1, 3])
def test_a_worker_ranks_at_most_match_concurrency_matches_at_once_and_answers_every_one(tmp_path, slots):
    """Ranking is CPU-bound: by default one match is ranked at a time per worker and the others wait on
    the event loop, not in threads taking turns at the interpreter lock; all of them are answered."""
    import asyncio
    import threading
    import time

    import httpx

    from api.app import create_app
    from data import demo
    from matcher.inputs import PostingInput, SeekerInput
    from matcher.service import JobCircle
    from models.encoder import HashingEncoder

    settings = Settings(data_dir=tmp_path, encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=False,
                        auth_required=False, match_concurrency=slots)
    service = JobCircle(settings, HashingEncoder(256)).start()
    service.upsert_postings([PostingInput.model_validate(row) for row in demo.postings(30, seed=3)])
    ids = service.upsert_seekers([SeekerInput.model_validate(row | {"consent": True}) for row in demo.seekers(6, seed=4)])
    app = create_app(settings, service=service)
    app.state.service, app.state.settings = service, settings
    running, most, lock, real = [0], [0], threading.Lock(), service.match_seeker

    def held(*args, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)  # keeps the slot long enough for the other requests to arrive (no timing assertion)
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    service.match_seeker = held

    async def all_at_once():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jobcircle") as client:
            return await asyncio.gather(*(client.get(f"/seekers/{seeker_id}/matches", params={"k": 3}) for seeker_id in ids))

    try:
        answers = asyncio.run(all_at_once())
    finally:
        service.stop()
    assert [answer.status_code for answer in answers] == [200] * len(ids)
    assert all(answer.json()["results"] or answer.json()["message"] for answer in answers)
    assert most[0] == slots
