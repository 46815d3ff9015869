"""The HTTP protocol the server runs: uvicorn's own, with Nagle's algorithm off on every connection.

asyncio turns TCP_NODELAY on only for sockets whose protocol number is IPPROTO_TCP. uvicorn's
multi-worker mode binds its listening socket as `socket.socket(AF_INET)` (protocol 0), so the
connections the workers accept kept Nagle on: a response written as headers and body waited for the
client's delayed ACK, and every request took ~40 ms (two workers served `/health` at 180 req/s against
1,600 for one). Setting the option per connection makes both modes the same.
"""
from __future__ import annotations

import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.supervisors.multiprocess import Process

PROTOCOL = "api.serving:NoDelayHTTPProtocol"  # uvicorn's `http=` takes an import string (workers re-import it)


def no_delay(sock) -> bool:
    """Turn Nagle's algorithm off on a TCP socket; False for sockets that have no such option."""
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return False
    return True


class NoDelayHTTPProtocol(AutoHTTPProtocol):
    def connection_made(self, transport) -> None:  # type: ignore[override]
        no_delay(transport.get_extra_info("socket"))
        super().connection_made(transport)


# ---------------------------------------------------------------- workers
# uvicorn's workers share one listening socket. When clients connect in a burst, every worker wakes and
# asyncio's accept loop takes all pending connections at once, so one worker can hold most keep-alive
# clients for good (seen: 7 of 8). Each worker here listens on its own SO_REUSEPORT socket on the same
# port instead, and the kernel spreads new connections across the listening workers. The parent binds
# the port (so port 0 and "address in use" are settled once) but never listens on it.


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEADDR and SO_REUSEPORT, not yet listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class ReusePortProcess(Process):
    """uvicorn's worker process, listening on its own SO_REUSEPORT socket on the parent's port."""

    def target(self, sockets=None) -> None:  # runs in the worker
        own = [reuse_port_socket(s.getsockname()[0], s.getsockname()[1]) for s in sockets or []]
        super().target(own or sockets)


def run_workers(config) -> None:
    """Run `config.workers` uvicorn workers, each listening on its own SO_REUSEPORT socket; uvicorn's
    supervisor still restarts, health-checks and stops them."""
    from uvicorn.supervisors import multiprocess

    if not hasattr(socket, "SO_REUSEPORT"):  # not on this platform: uvicorn's shared socket
        sock = config.bind_socket()
    else:
        multiprocess.Process = ReusePortProcess  # the supervisor makes every worker (and restart) from it
        sock = reuse_port_socket(config.host, config.port)
    multiprocess.Multiprocess(config, sockets=[sock]).run()
