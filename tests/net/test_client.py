from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from rostersync.net import (
    USER_AGENT,
    BlockedDestination,
    HostGuard,
    RetryLater,
    RetryPolicy,
    TransportFailure,
    build_client,
    send,
)

from .support import LoopbackServer, RecordingSleep, Reply

DEV = HostGuard(allow_loopback=True)
FAST = RetryPolicy(max_attempts=3)


def test_503_then_200_is_retried(server: LoopbackServer, sleep: RecordingSleep) -> None:
    url = server.script("/people", Reply(503), Reply(200, body=b"[]"))
    with build_client(DEV) as client:
        response = send(client, client.build_request("GET", url), sleep=sleep)
    assert (response.status_code, response.content) == (200, b"[]")
    assert server.hits["/people"] == 2
    assert len(sleep.waits) == 1
    assert 0.25 <= sleep.waits[0] <= 0.5


def test_429_retry_after_seconds_is_honoured(server: LoopbackServer, sleep: RecordingSleep) -> None:
    url = server.script("/people", Reply(429, {"Retry-After": "2"}), Reply(200))
    with build_client(DEV) as client:
        assert send(client, client.build_request("GET", url), sleep=sleep).status_code == 200
    assert sleep.waits == [2]


def test_503_retry_after_http_date_is_honoured(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    url = server.script("/people", Reply(503, {"Retry-After": when}), Reply(200))
    with build_client(DEV) as client:
        assert send(client, client.build_request("GET", url), sleep=sleep).status_code == 200
    assert len(sleep.waits) == 1
    assert 15 <= sleep.waits[0] <= 20


def test_retry_after_past_the_cap_raises_for_rescheduling(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    url = server.script("/people", Reply(429, {"Retry-After": "3600"}), Reply(200))
    with build_client(DEV) as client, pytest.raises(RetryLater) as caught:
        send(client, client.build_request("GET", url), sleep=sleep)
    assert (caught.value.status_code, caught.value.retry_after) == (429, 3600)
    assert sleep.waits == []
    assert server.hits["/people"] == 1


def test_retry_after_cap_is_on_the_total(server: LoopbackServer, sleep: RecordingSleep) -> None:
    url = server.script("/people", Reply(429, {"Retry-After": "40"}))
    policy = RetryPolicy(max_attempts=5, max_retry_after=100)
    with build_client(DEV) as client, pytest.raises(RetryLater):
        send(client, client.build_request("GET", url), sleep=sleep, policy=policy)
    assert sleep.waits == [40, 40]


def test_unparseable_retry_after_falls_back_to_backoff(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    url = server.script("/people", Reply(429, {"Retry-After": "soon"}), Reply(200))
    with build_client(DEV) as client:
        assert send(client, client.build_request("GET", url), sleep=sleep).status_code == 200
    assert 0.25 <= sleep.waits[0] <= 0.5


def test_exhausted_status_retries_return_the_last_response(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    url = server.script("/people", Reply(502, body=b"bad gateway"))
    with build_client(DEV) as client:
        response = send(client, client.build_request("GET", url), sleep=sleep, policy=FAST)
    assert (response.status_code, response.content) == (502, b"bad gateway")
    assert server.hits["/people"] == 3
    assert len(sleep.waits) == 2
    assert 0.5 <= sleep.waits[1] <= 1.0  # second backoff doubles


@pytest.mark.parametrize("status", [200, 400, 401, 404, 501])
def test_other_statuses_are_returned_at_once(
    server: LoopbackServer, sleep: RecordingSleep, status: int
) -> None:
    url = server.script("/people", Reply(status))
    with build_client(DEV) as client:
        assert send(client, client.build_request("GET", url), sleep=sleep).status_code == status
    assert server.hits["/people"] == 1
    assert sleep.waits == []


def test_timeouts_are_retried_then_raise_transport_failure(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    url = server.script("/slow", Reply(delay=1.0))
    with build_client(DEV, timeout=0.1) as client, pytest.raises(TransportFailure) as caught:
        send(client, client.build_request("GET", url), sleep=sleep, policy=FAST)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert caught.value.attempts == 3
    assert server.hits["/slow"] == 3
    assert len(sleep.waits) == 2


def test_refused_connections_are_retried_then_raise(sleep: RecordingSleep) -> None:
    with build_client(DEV) as client, pytest.raises(TransportFailure, match="ConnectError"):
        send(client, client.build_request("GET", "http://127.0.0.1:9/"), sleep=sleep, policy=FAST)
    assert len(sleep.waits) == 2


def test_redirect_to_metadata_is_blocked_even_in_development_mode(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    target = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    url = server.script("/start", Reply(302, {"Location": target}))
    with (
        build_client(DEV, follow_redirects=True) as client,
        pytest.raises(BlockedDestination, match="cloud metadata"),
    ):
        send(client, client.build_request("GET", url), sleep=sleep)
    assert server.hits["/start"] == 1
    assert sleep.waits == []


def test_redirect_to_a_disguised_loopback_is_blocked(server: LoopbackServer) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    url = server.script("/start", Reply(302, {"Location": f"http://2130706433:{port}/in"}))
    server.script("/in", Reply(200))
    with build_client(DEV, follow_redirects=True) as client, pytest.raises(BlockedDestination):
        send(client, client.build_request("GET", url))
    assert server.hits["/in"] == 0


def test_allowed_redirects_are_followed(server: LoopbackServer) -> None:
    url = server.script("/start", Reply(301, {"Location": "/moved"}))
    server.script("/moved", Reply(200, body=b"here"))
    with build_client(DEV, follow_redirects=True) as client:
        assert send(client, client.build_request("GET", url)).content == b"here"


def test_redirects_are_not_followed_by_default(server: LoopbackServer) -> None:
    url = server.script("/start", Reply(302, {"Location": "http://169.254.169.254/"}))
    with build_client(DEV) as client:
        assert send(client, client.build_request("GET", url)).status_code == 302


def test_plain_http_is_refused_without_development_mode(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    url = server.script("/people", Reply(200))
    with (
        build_client(HostGuard()) as client,
        pytest.raises(BlockedDestination, match="ROSTERSYNC_ALLOW_LOOPBACK"),
    ):
        send(client, client.build_request("GET", url), sleep=sleep)
    assert server.hits["/people"] == 0
    assert sleep.waits == []


def test_tls_certificates_are_verified(tls_server: LoopbackServer) -> None:
    url = tls_server.script("/people", Reply(200))
    with build_client(DEV) as client, pytest.raises(TransportFailure) as caught:
        send(client, client.build_request("GET", url), policy=RetryPolicy(max_attempts=1))
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value.__cause__)


def test_dns_rebinding_between_check_and_connect_is_caught() -> None:
    answers = [["93.184.216.34"], ["127.0.0.1"]]

    def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0) if len(answers) > 1 else answers[0]

    with (
        build_client(HostGuard(resolver=rebinding)) as client,
        pytest.raises(BlockedDestination, match="loopback"),
    ):
        send(client, client.build_request("GET", "https://rebind.example/"))


def test_plain_http_rebinding_away_from_loopback_is_caught_in_development_mode(
    sleep: RecordingSleep,
) -> None:
    # The check sees loopback; the connect-time lookup then answers with a public address.
    answers = [["127.0.0.1"], ["93.184.216.34"]]

    def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0) if len(answers) > 1 else answers[0]

    with (
        build_client(HostGuard(allow_loopback=True, resolver=rebinding)) as client,
        pytest.raises(BlockedDestination, match="only to loopback"),
    ):
        send(client, client.build_request("GET", "http://rebind.example/"), sleep=sleep)
    assert answers == [["93.184.216.34"]]  # both lookups happened


def test_https_in_development_mode_still_connects_to_the_checked_address(
    tls_server: LoopbackServer,
) -> None:
    port = tls_server.base_url.rsplit(":", 1)[1]
    guard = HostGuard(allow_loopback=True, resolver=lambda host, port: ["127.0.0.1"])
    with build_client(guard) as client:
        request = client.build_request("GET", f"https://vendor.test:{port}/people")
        with pytest.raises(TransportFailure) as caught:
            send(client, request, policy=RetryPolicy(max_attempts=1))
    # Reached the local TLS server (and refused its certificate): https is not pinned to http.
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value.__cause__)


def test_connections_go_to_the_checked_address(server: LoopbackServer) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    server.script("/people", Reply(200, body=b"pinned"))
    guard = HostGuard(allow_loopback=True, resolver=lambda host, port: ["127.0.0.1"])
    with build_client(guard) as client:
        assert (
            send(client, client.build_request("GET", f"http://vendor.test:{port}/people")).content
            == b"pinned"
        )


def test_environment_proxies_are_ignored(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    url = server.script("/people", Reply(200))
    with build_client(DEV) as client:
        assert (
            send(
                client, client.build_request("GET", url), policy=RetryPolicy(max_attempts=1)
            ).status_code
            == 200
        )


def test_client_defaults(server: LoopbackServer) -> None:
    url = server.script("/people", Reply(200))
    with build_client(DEV, timeout=45, headers={"Accept": "application/json"}) as client:
        send(client, client.build_request("GET", url))
        assert client.timeout.read == 45
        assert client.timeout.connect == 10
        assert client.follow_redirects is False
    assert server.headers[0]["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("rostersync/")
    assert server.headers[0]["accept"] == "application/json"


def test_caller_may_replace_the_user_agent(server: LoopbackServer) -> None:
    url = server.script("/people", Reply(200))
    with build_client(DEV, headers={"user-agent": "acme-sync"}) as client:
        send(client, client.build_request("GET", url))
    assert server.headers[0]["user-agent"] == "acme-sync"


def test_base_url_and_auth_are_applied(server: LoopbackServer) -> None:
    server.script("/v1/people", Reply(200))
    with build_client(DEV, base_url=server.base_url, auth=httpx.BasicAuth("u", "p")) as client:
        assert send(client, client.build_request("GET", "/v1/people")).status_code == 200
    assert server.headers[0]["authorization"].startswith("Basic ")


def test_streamed_responses_are_returned_unread_and_retried_ones_closed(
    server: LoopbackServer, sleep: RecordingSleep
) -> None:
    url = server.script("/export", Reply(503), Reply(200, body=b"x" * 10_000))
    seen: list[httpx.Response] = []
    with build_client(DEV) as client:
        client.event_hooks = {"response": [seen.append]}
        response = send(client, client.build_request("GET", url), sleep=sleep, stream=True)
        assert not response.is_stream_consumed
        assert seen[0].is_closed
        assert response.read() == b"x" * 10_000
        response.close()


def test_post_bodies_are_resent_on_retry(server: LoopbackServer, sleep: RecordingSleep) -> None:
    url = server.script("/hook", Reply(500), Reply(204, body=b""))
    with build_client(DEV) as client:
        request = client.build_request("POST", url, content=b'{"id": 1}')
        assert send(client, request, sleep=sleep).status_code == 204
    assert [h["content-length"] for h in server.headers] == ["9", "9"]


def test_redirect_loops_raise_transport_failure(server: LoopbackServer) -> None:
    url = server.script("/loop", Reply(302, {"Location": "/loop"}))
    with (
        build_client(DEV, follow_redirects=True) as client,
        pytest.raises(TransportFailure, match="TooManyRedirects"),
    ):
        send(client, client.build_request("GET", url))


def test_logs_name_the_request_without_secrets(
    server: LoopbackServer, sleep: RecordingSleep, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.script("/people", Reply(503, body=b"BODY-SECRET"), Reply(200))
    with caplog.at_level(logging.DEBUG, logger="rostersync.net"), build_client(DEV) as client:
        request = client.build_request(
            "GET",
            url,
            params={"api_key": "QUERY-SECRET"},
            headers={"Authorization": "Bearer HEADER-SECRET"},
        )
        send(client, request, sleep=sleep)
    retry = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert retry.name == "rostersync.net"
    assert f"GET {server.base_url}/people: 503 on attempt 1 of 5" in retry.getMessage()
    for secret in ("QUERY-SECRET", "api_key", "HEADER-SECRET", "BODY-SECRET"):
        assert secret not in caplog.text


def test_transport_failure_message_is_safe(sleep: RecordingSleep) -> None:
    with build_client(DEV) as client, pytest.raises(TransportFailure) as caught:
        send(
            client,
            client.build_request("GET", "http://127.0.0.1:9/x?token=QUERY-SECRET"),
            sleep=sleep,
            policy=FAST,
        )
    assert "QUERY-SECRET" not in str(caught.value)
    assert caught.value.url == "http://127.0.0.1:9/x"
    assert caught.value.code == "transport_failure"


def test_policy_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_factor=2, max_wait=60)
    assert all(0.25 <= policy.backoff(1) <= 0.5 for _ in range(50))
    assert all(30 <= policy.backoff(20) <= 60 for _ in range(50))
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_a_client_judges_an_origin_once_and_every_new_connection_again(
    server: LoopbackServer,
) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    server.script("/people", Reply(200))
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    with build_client(HostGuard(allow_loopback=True, resolver=resolver)) as client:
        for _ in range(3):
            send(client, client.build_request("GET", f"http://vendor.test:{port}/people"))
    # One lookup for the origin's check, then one per connection: this server closes each.
    assert lookups == ["vendor.test"] * (1 + 3)
