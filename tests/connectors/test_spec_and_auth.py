"""The connector framework's own promises, apart from any vendor: specs refused when built,
secrets never shown, one response classifier, strict text, and the OAuth 2.0 kinds over real
HTTP (client credentials against a small loopback token server, refresh-token rotation against
the Gusto emulator)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rostersync.connectors import (
    CONNECTORS,
    AuthRevoked,
    BadPayload,
    PermissionDenied,
    RateLimited,
    ReadContext,
    VendorUnavailable,
)
from rostersync.connectors.auth import (
    Basic,
    BasicWithHeader,
    Bearer,
    Header,
    MutualTls,
    OAuth2ClientCredentials,
)
from rostersync.connectors.base import SetupGuide
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import InvalidSpec
from rostersync.connectors.mapping import ident, location_mapper, text
from rostersync.connectors.paging import Cursor, OffsetLimit, PageNumber
from rostersync.connectors.providers import CredentialField, Provider
from rostersync.connectors.responses import API_RESPONSES, TOKEN_RESPONSES
from rostersync.connectors.spec import (
    ConnectorSpec,
    Detail,
    FieldList,
    MapContext,
    Stream,
    VendorField,
    location_keeps,
)
from rostersync.model import Location
from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY

GUIDE = SetupGuide(summary="-", steps=("-",), grant=("-",), do_not_grant=("-",))
KEEPS = location_keeps()
THINGS = Stream("things", "/things", location_mapper(), records_path="data", keeps=KEEPS)


EXAMPLE_FIELDS = (
    CredentialField("subdomain", "Subdomain", secret=False),
    CredentialField("token", "Token", secret=True),
)


def spec(
    credential_fields: tuple[CredentialField, ...] = EXAMPLE_FIELDS, **changes: Any
) -> ConnectorSpec:
    values: dict[str, Any] = {
        "provider": Provider("example", "Example", "https://example.com/docs", credential_fields),
        "api_root": "https://{subdomain}.example.com/api",
        "allowed_hosts": ("*.example.com",),
        "auth": Bearer("{token}"),
        "guide": GUIDE,
        "streams": (THINGS,),
    }
    return ConnectorSpec(**(values | changes))


# --- a spec is validated when it is built ---------------------------------------------------


def test_every_registered_spec_is_valid() -> None:
    built = [CONNECTORS[slug] for slug in CONNECTORS]  # each module imported, its spec built
    assert [connector.slug for connector in built] == list(CONNECTORS)
    assert len(built) == 19


def test_a_nested_field_list_groups_child_attributes_as_oracle_names_them() -> None:
    names = ("PersonId", "names:FirstName", "names:LastName", "a.b:C", "Other")
    assert FieldList("fields", nested=True).render(names) == (
        "PersonId,Other;names:FirstName,LastName;a.b:C"
    )
    assert FieldList("fields", separator=",").render(names[:2]) == "PersonId,names:FirstName"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"api_root": "https://{tenant}.example.com"}, "names tenant"),
        ({"auth": Bearer("{api_key}")}, "names api_key"),
        ({"mutual_tls": MutualTls("{client_pem}", "{key_pem}")}, "names client_pem"),
        (
            {"streams": (Stream("x", "/org/{org_id}/x", location_mapper(), keeps=KEEPS),)},
            "names org_id",
        ),
        ({"streams": (THINGS, THINGS)}, "stream names must be unique"),
        (
            {
                "streams": (
                    Stream(
                        "x",
                        "/x",
                        location_mapper(),
                        paginator=PageNumber(),
                        detail=Detail("/org/{org_id}/x/{id}", key="id", keeps=KEEPS),
                        keeps=KEEPS,
                    ),
                )
            },
            "names org_id",
        ),
        ({"streams": ()}, "no streams and no read"),
        ({"api_root": "https://{subdomain.example.com"}, "malformed"),
        (
            {"auth": OAuth2ClientCredentials("/oauth/token")},
            "names client_id",
        ),
    ],
)
def test_an_invalid_spec_fails_when_built(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        spec(**changes)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: PageNumber(size=0), "size must be a positive integer"),
        (lambda: OffsetLimit(limit=-5), "limit must be a positive integer"),
        (lambda: Cursor(size=True), "size must be a positive integer"),
        (lambda: PageNumber(first_page=-1), "first_page must not be negative"),
        (lambda: Stream("x", "/x"), "neither maps nor collects"),
        (lambda: Stream("x", "/x", location_mapper(), method="DELETE"), "not GET or POST"),
        (lambda: Detail("/things/{id}/parts", key="thing_id"), "no {thing_id} placeholder"),
        (
            lambda: Stream(
                "x", "/x", location_mapper(), detail=Detail("/x/{id}", key="id", keeps=KEEPS)
            ),
            "detail call but streams its body",
        ),
        # The disclosure says every other field of a whole record is dropped: it needs the list.
        (lambda: Stream("x", "/x", location_mapper()), "declares none it keeps"),
        (lambda: Detail("/x/{id}", key="id"), "declares none it keeps"),
        (lambda: Stream("x", "/x", location_mapper(), keeps=KEEPS * 2), "kept field twice"),
        (lambda: VendorField("archived"), "must feed allowlisted fields"),
        (
            lambda: VendorField("archived", ("group.name",), selects=True),
            "selects records and feeds fields",
        ),
    ],
)
def test_invalid_paging_and_streams_fail_when_built(build: Any, message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        build()


# --- a call per record ------------------------------------------------------------------------


def _parts_of(raw: Mapping[str, Any], context: MapContext) -> Location:
    countries = sorted(str(part["country"]) for part in context.detail)
    return Location(remote_id=str(raw["id"]), country=countries[0] if countries else None)


def test_a_detail_call_per_record_reaches_the_mapper_with_its_id_as_one_segment() -> None:
    asked: list[str] = []

    async def things(request: Request) -> JSONResponse:
        page = request.query_params.get("page", "1")
        rows = [{"id": "a"}, {"id": "../../admin"}] if page == "1" else []
        return JSONResponse({"data": rows})

    async def parts(request: Request) -> JSONResponse:
        asked.append(request.scope["raw_path"].decode())
        thing = request.path_params["thing"]
        return JSONResponse([{"country": "FR"}] if thing == "a" else [])

    app = Starlette(
        routes=[Route("/api/things", things), Route("/api/things/{thing:path}/parts", parts)]
    )
    stream = Stream(
        "things",
        "/things",
        _parts_of,
        records_path="data",
        paginator=PageNumber(),
        detail=Detail("/things/{id}/parts", key="id", keeps=KEEPS),
        keeps=KEEPS,
    )
    connector = DeclarativeConnector(spec(streams=(stream,)))
    with ServerThread(app) as server:
        records = list(connector.read(_context(server.base_url, {"subdomain": "x", "token": "t"})))
    assert records == [
        Location(remote_id="a", country="FR"),
        Location(remote_id="../../admin", country=None),
    ]
    assert asked == ["/api/things/a/parts", "/api/things/..%2F..%2Fadmin/parts"]


# --- typed secrets -----------------------------------------------------------------------------


def test_credentials_never_show_their_values(caplog: pytest.LogCaptureFixture) -> None:
    context = ReadContext(
        credentials={"subdomain": "acme-corp", "token": "s3cr3t-value"}, as_of=TODAY
    )
    assert context.credentials["token"] == "s3cr3t-value"
    assert dict(context.credentials) == {"subdomain": "acme-corp", "token": "s3cr3t-value"}
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("read with %s / %r", context, context.credentials)
    shown = [repr(context), str(context), str(context.credentials), caplog.text]
    for text_shown in shown:
        assert "s3cr3t-value" not in text_shown
        assert "acme-corp" not in text_shown
    assert "token=***" in repr(context.credentials)


def test_a_failed_read_names_no_credential_value() -> None:
    connector = DeclarativeConnector(spec())
    context = ReadContext(
        credentials={"subdomain": "s3cr3t-sub", "token": "s3cr3t-value"},
        as_of=TODAY,
        base_url="http://127.0.0.1:9",  # nothing listens: the read fails at once
        allow_loopback=True,
        sleep=lambda _s: None,
    )
    with pytest.raises(VendorUnavailable) as raised:
        list(connector.read(context))
    assert "s3cr3t" not in str(raised.value)
    assert "s3cr3t" not in repr(raised.value.args)


# --- one response classifier -------------------------------------------------------------------


def _answer(status: int, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "https://x/y"))


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (401, None, AuthRevoked),
        (403, None, PermissionDenied),
        (429, None, RateLimited),
        (503, {"Retry-After": "120"}, VendorUnavailable),
        (503, None, VendorUnavailable),
        (502, None, VendorUnavailable),
        (404, None, BadPayload),
        (410, None, BadPayload),
        (400, None, BadPayload),
    ],
)
def test_statuses_become_one_error_kind_each(
    status: int, headers: Mapping[str, str] | None, kind: type[Exception]
) -> None:
    error = API_RESPONSES.error(_answer(status, headers), vendor="Example", endpoint="GET /y")
    assert type(error) is kind
    assert str(error).startswith(f"Example answered HTTP {status} to GET /y")
    assert API_RESPONSES.error(_answer(204), vendor="Example", endpoint="GET /y") is None


def test_token_endpoints_read_400_as_refused_credentials_and_vendors_may_override() -> None:
    refused = TOKEN_RESPONSES.error(_answer(400), vendor="Example", endpoint="POST /token")
    assert isinstance(refused, AuthRevoked)
    strict = API_RESPONSES.overriding({404: (PermissionDenied, ": the user may not see it")})
    hidden = strict.error(_answer(404), vendor="Example", endpoint="GET /y")
    assert isinstance(hidden, PermissionDenied)
    assert str(hidden).endswith("the user may not see it")


# --- strict text ---------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", [5, 5.0, ["Ada"], {"name": "Ada"}, True])
def test_text_refuses_anything_but_a_string(wrong: Any) -> None:
    with pytest.raises(TypeError):
        text(wrong)


def test_ids_are_text_or_whole_numbers() -> None:
    assert ident(9007199254740993) == "9007199254740993"
    assert ident(12.0) == "12"
    assert ident(" a-1 ") == "a-1"
    assert ident(None) is None
    for wrong in (True, 1.5, [1], {"id": 1}):
        with pytest.raises(TypeError):
            ident(wrong)


# --- OAuth 2.0 client credentials, over real HTTP --------------------------------------------


def _token_server(issued: list[str]) -> Starlette:
    expected = "Basic " + base64.b64encode(b"cid:csecret").decode()

    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        if request.headers.get("Authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "client_credentials" or form.get("scope") != "read":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        issued.append(f"access-{len(issued) + 1}")
        return JSONResponse({"access_token": issued[-1], "expires_in": 3600})

    async def things(request: Request) -> JSONResponse:
        if not issued or request.headers.get("Authorization") != f"Bearer {issued[-1]}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        return JSONResponse({"data": [{"id": 1, "country": "FR"}, {"id": "b", "country": "DE"}]})

    return Starlette(
        routes=[Route("/oauth/token", token, methods=["POST"]), Route("/api/things", things)]
    )


def _client_credentials_spec() -> ConnectorSpec:
    return spec(
        api_root="https://api.example.com/api",
        allowed_hosts=("api.example.com",),
        credential_fields=(
            CredentialField("client_id", "Client ID", secret=False),
            CredentialField("client_secret", "Client secret", secret=True),
        ),
        auth=OAuth2ClientCredentials("https://api.example.com/oauth/token", scope="read"),
    )


def _context(base_url: str, credentials: Mapping[str, str], **more: Any) -> ReadContext:
    return ReadContext(
        credentials=credentials,
        as_of=TODAY,
        base_url=base_url,
        allow_loopback=True,
        sleep=lambda _s: None,
        **more,
    )


def test_oauth2_client_credentials_buys_a_token_and_reads_with_it() -> None:
    issued: list[str] = []
    connector = DeclarativeConnector(_client_credentials_spec())
    with ServerThread(_token_server(issued)) as server:
        good = {"client_id": "cid", "client_secret": "csecret"}
        records = list(connector.read(_context(server.base_url, good)))
        assert records == [
            Location(remote_id="1", country="FR"),
            Location(remote_id="b", country="DE"),
        ]
        assert issued == ["access-1"]  # one token for the whole read
        bad = {"client_id": "cid", "client_secret": "wrong"}
        with pytest.raises(AuthRevoked) as raised:
            list(connector.read(_context(server.base_url, bad)))
        assert "wrong" not in str(raised.value)


# --- Basic plus a header (UKG Pro's service account and customer key), over real HTTP -------


def test_basic_with_a_header_sends_both_on_every_page() -> None:
    seen: list[tuple[str | None, str | None]] = []

    async def things(request: Request) -> JSONResponse:
        seen.append((request.headers.get("Authorization"), request.headers.get("X-Key")))
        page = request.query_params["page"]
        return JSONResponse({"data": [{"id": page}] if page == "1" else []})

    connector = DeclarativeConnector(
        spec(
            credential_fields=(
                CredentialField("subdomain", "Subdomain", secret=False),
                CredentialField("user", "User", secret=False),
                CredentialField("password", "Password", secret=True),
                CredentialField("key", "Key", secret=True),
            ),
            auth=BasicWithHeader(Basic("{user}", "{password}"), Header("X-Key", "{key}")),
            streams=(
                Stream(
                    "things",
                    "/things",
                    location_mapper(),
                    records_path="data",
                    paginator=PageNumber(),
                    keeps=KEEPS,
                ),
            ),
        )
    )
    credentials = {"subdomain": "x", "user": "svc", "password": "pw:1", "key": "k-1"}
    with ServerThread(Starlette(routes=[Route("/api/things", things)])) as server:
        records = list(connector.read(_context(server.base_url, credentials)))
    assert records == [Location(remote_id="1", country=None)]
    basic = "Basic " + base64.b64encode(b"svc:pw:1").decode()
    assert seen == [(basic, "k-1"), (basic, "k-1")]


# --- refresh-token rotation, persisted ------------------------------------------------------


def test_a_rotated_refresh_token_is_saved_and_the_old_one_is_spent() -> None:
    creds = {
        "client_id": "cid",
        "client_secret": "secret",
        "refresh_token": "refresh-1",
        "company_uuid": "c0f0e1d2-0000-4000-8000-000000000009",
    }
    company = SyntheticCompany(seed=3, size=12, today=TODAY)
    app = EMULATORS["gusto"](
        company, credentials=creds, faults=Faults(), strict_refresh_rotation=True
    )
    saved: list[Mapping[str, str]] = []
    connector = CONNECTORS["gusto"]
    with ServerThread(app) as server:
        first = list(
            connector.read(_context(server.base_url, creds, save_credentials=saved.append))
        )
        assert first
        (rotated,) = saved
        assert rotated["refresh_token"] not in ("", "refresh-1")
        assert {k: v for k, v in rotated.items() if k != "refresh_token"} == {
            k: v for k, v in creds.items() if k != "refresh_token"
        }
        again = list(
            connector.read(_context(server.base_url, rotated, save_credentials=saved.append))
        )
        assert again == first
        with pytest.raises(AuthRevoked):
            list(connector.read(_context(server.base_url, creds)))
