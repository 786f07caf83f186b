"""Shared fixtures: a small fixed company served by the HiBob emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import SwappableApp, serve_swappable

TODAY = date(2025, 6, 2)
SERVICE_USER = "SERVICE-USER-7345"
TOKEN = "s3cret-t0ken"
AUTH = (SERVICE_USER, TOKEN)


@pytest.fixture
def company() -> SyntheticCompany:
    return SyntheticCompany(seed=42, size=300, today=TODAY)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture(scope="session")
def shared_server() -> Iterator[tuple[ServerThread, SwappableApp]]:
    yield from serve_swappable()


@pytest.fixture
def hibob(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany, faults: Faults
) -> Iterator[ServerThread]:
    server, swappable = shared_server
    swappable.app = EMULATORS["hibob"](
        company, credentials={"service_user_id": SERVICE_USER, "token": TOKEN}, faults=faults
    )
    yield server
    swappable.app = None


Search = Callable[..., httpx.Response]
Employees = Callable[[dict[str, Any]], list[dict[str, Any]]]


@pytest.fixture
def search(hibob: ServerThread) -> Search:
    """POST /v1/people/search with the right credentials unless told otherwise."""

    def call(body: Any, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("auth", AUTH)
        kwargs.setdefault("timeout", 10)
        return httpx.post(f"{hibob.base_url}/v1/people/search", json=body, **kwargs)

    return call


@pytest.fixture
def employees(search: Search) -> Employees:
    """The ``employees`` array of a successful search."""

    def call(body: dict[str, Any]) -> list[dict[str, Any]]:
        response = search(body)
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()["employees"]
        return result

    return call


@pytest.fixture
def auth() -> tuple[str, str]:
    return AUTH


@pytest.fixture
def today() -> date:
    return TODAY
