"""ServerThread: a real loopback server for any ASGI app."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/hello", hello)])


def test_serves_on_loopback_and_stops() -> None:
    from rostersync.sandbox import ServerThread

    server = ServerThread(APP)
    with pytest.raises(RuntimeError):
        _ = server.base_url

    with server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.base_url}/hello").text == "hello"
        with pytest.raises(RuntimeError):
            server.start()
        port = server.port

    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        pass


def test_two_servers_get_different_ports() -> None:
    from rostersync.sandbox import ServerThread

    with ServerThread(APP) as a, ServerThread(APP) as b:
        assert a.port != b.port
        assert httpx.get(f"{b.base_url}/hello").status_code == 200
