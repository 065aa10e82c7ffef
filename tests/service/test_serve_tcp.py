"""``yiye serve --workers N``: connections get TCP_NODELAY (without it every keep-alive answer waits ~43 ms)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from uvicorn.config import Config

from service.cli_serve import listen_with_tcp_nodelay


def test_the_socket_uvicorn_binds_for_workers_is_tcp_and_connections_get_nodelay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Config, "bind_socket", Config.bind_socket)  # undone after the test
    listen_with_tcp_nodelay()
    listen_with_tcp_nodelay()  # idempotent
    sock = Config("service.app:create_app", host="127.0.0.1", port=0).bind_socket()
    assert sock.proto == socket.IPPROTO_TCP
    assert sock.get_inheritable()

    async def accepted_nodelay() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                peer = transport.get_extra_info("socket")
                accepted.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            try:
                return await asyncio.wait_for(accepted, 5)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) == 1
