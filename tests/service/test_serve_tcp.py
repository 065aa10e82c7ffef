"""``yiye serve --workers N``: each worker listens on a socket of its own, and connections get TCP_NODELAY."""

from __future__ import annotations

import asyncio
import pickle
import socket

import pytest
from uvicorn.config import Config

from service.cli_serve import WorkerListener, listen_per_worker


def test_the_socket_uvicorn_binds_for_workers_is_tcp_and_connections_get_nodelay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Config, "bind_socket", Config.bind_socket)  # undone after the test
    listen_per_worker()
    listen_per_worker()  # idempotent
    with Config("service.app:create_app", host="127.0.0.1", port=0).bind_socket() as sock:
        assert isinstance(sock, WorkerListener)
        assert sock.proto == socket.IPPROTO_TCP
        assert _accepted_nodelay(sock) == 1  # without it every keep-alive answer waits ~43 ms


def test_each_worker_unpickles_a_listening_socket_of_its_own_on_the_same_address() -> None:
    with WorkerListener.open(socket.AF_INET, "127.0.0.1", 0) as held:
        with pickle.loads(pickle.dumps(held)) as first, pickle.loads(pickle.dumps(held)) as second:
            assert first.getsockname() == second.getsockname() == held.getsockname()
            assert len({held.fileno(), first.fileno(), second.fileno()}) == 3
            first.listen()
            second.listen()  # both at once: the kernel spreads connections across them
            first.close()  # else the connection below may be queued on first, never accepted
            assert _accepted_nodelay(second) == 1


def _accepted_nodelay(sock: socket.socket) -> int:
    """Serve ``sock`` with asyncio until one connection arrives; its TCP_NODELAY."""

    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                peer = transport.get_extra_info("socket")
                if not accepted.done():
                    accepted.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            try:
                return await asyncio.wait_for(accepted, 5)
            finally:
                writer.close()

    return asyncio.run(accept_one())
