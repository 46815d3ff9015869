"""Every connection the server accepts has Nagle's algorithm off, in one-worker and multi-worker mode."""
from __future__ import annotations

import socket

import pytest

from api.serving import PROTOCOL, NoDelayHTTPProtocol, no_delay
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


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_uvicorn_with_the_no_delay_protocol(monkeypatch, tmp_path, workers):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    monkeypatch.setattr("api.app.create_app", lambda settings, service=None: object())
    settings = Settings(data_dir=tmp_path, encoder="hashing-64", occupation_coding=False)
    assert serve_module.serve(None, settings, "127.0.0.1", 0, workers=workers) == 0
    assert calls and calls[0]["http"] == PROTOCOL
    # The import string resolves to the class (workers import it again).
    from uvicorn.importer import import_from_string
    assert import_from_string(PROTOCOL) is NoDelayHTTPProtocol
