"""The webhook sender: kept-alive POSTs under the same guard, TLS and bounds as build_client."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rostersync.net import USER_AGENT, BlockedDestination, HostGuard, PostClient, TransportFailure

from .support import LoopbackServer, Reply, one_read_receiver, self_signed_context, serve

DEV = HostGuard(allow_loopback=True)
SIGNED = {"webhook-id": "msg_1", "content-type": "application/json"}


@pytest.fixture
def keep_alive() -> Iterator[LoopbackServer]:
    with serve(keep_alive=True) as loopback:
        yield loopback


def test_posts_the_body_with_its_headers_and_returns_the_answer(
    keep_alive: LoopbackServer,
) -> None:
    url = keep_alive.script("/hook", Reply(429, {"Retry-After": "7"}))
    with PostClient(url, DEV) as client:
        answer = client.post(b"{}", SIGNED)
    assert (answer.status_code, answer.retry_after) == (429, "7")
    sent = keep_alive.headers[0]
    assert sent["webhook-id"] == "msg_1"
    assert sent["user-agent"] == USER_AGENT


def test_one_connection_carries_many_posts(keep_alive: LoopbackServer) -> None:
    url = keep_alive.script("/hook", Reply(200))
    with PostClient(url, DEV) as client:
        for _ in range(5):
            assert client.post(b"{}", SIGNED).status_code == 200
    assert len(keep_alive.peers) == 5
    assert len(set(keep_alive.peers)) == 1


def test_each_request_leaves_whole_and_one_connection_carries_them() -> None:
    # A body sent apart from its head waits, under Nagle's algorithm, for the receiver's ACK
    # of the head, which Linux delays by 40 ms: a round of 1,000 POSTs idled about 5 s.
    bodies = [b'{"n": %d}' % n for n in range(5)]
    with one_read_receiver() as receiver, PostClient(receiver.url, DEV, timeout=5) as client:
        for body in bodies:
            assert client.post(body, SIGNED).status_code == 200
    assert receiver.bodies == bodies
    assert (receiver.split, receiver.connections) == (0, 1)


def test_a_line_break_in_a_header_is_refused_before_anything_is_sent(
    keep_alive: LoopbackServer,
) -> None:
    url = keep_alive.script("/hook", Reply(200))
    with PostClient(url, DEV) as client, pytest.raises(ValueError, match="line break"):
        client.post(b"{}", {**SIGNED, "webhook-id": "msg_1\r\nX-Injected: 1"})
    assert keep_alive.hits["/hook"] == 0


def test_a_connection_the_receiver_closed_meanwhile_is_replaced_once(
    keep_alive: LoopbackServer,
) -> None:
    url = keep_alive.script("/hook", Reply(200, drop=True), Reply(200))
    with PostClient(url, DEV) as client:
        assert client.post(b"{}", SIGNED).status_code == 200
        assert client.post(b"{}", SIGNED).status_code == 200
    assert keep_alive.hits["/hook"] == 2
    assert len(set(keep_alive.peers)) == 2


def test_an_answer_past_the_bound_is_not_read_and_its_connection_not_reused(
    keep_alive: LoopbackServer,
) -> None:
    url = keep_alive.script("/hook", Reply(500, body=b"x" * 1_000_000), Reply(200))
    with PostClient(url, DEV) as client:
        assert client.post(b"{}", SIGNED).status_code == 500
        assert client.post(b"{}", SIGNED).status_code == 200
    assert len(set(keep_alive.peers)) == 2


def test_redirects_are_answers_not_hops(server: LoopbackServer) -> None:
    url = server.script("/hook", Reply(302, {"Location": "http://169.254.169.254/"}))
    with PostClient(url, DEV) as client:
        assert client.post(b"{}", SIGNED).status_code == 302
    assert server.hits["/hook"] == 1


def test_plain_http_is_refused_without_development_mode(server: LoopbackServer) -> None:
    url = server.script("/hook", Reply(200))
    with pytest.raises(BlockedDestination, match="ROSTERSYNC_ALLOW_LOOPBACK"):
        PostClient(url, HostGuard())
    assert server.hits["/hook"] == 0


def test_tls_certificates_are_verified(tmp_path: Path) -> None:
    with serve(self_signed_context(tmp_path)) as tls_server:
        url = tls_server.script("/hook", Reply(200))
        with PostClient(url, DEV) as client, pytest.raises(TransportFailure) as caught:
            client.post(b"{}", SIGNED)
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value.__cause__)
    assert tls_server.hits["/hook"] == 0


def test_dns_rebinding_between_check_and_connect_is_caught() -> None:
    answers = [["93.184.216.34"], ["127.0.0.1"]]

    def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0) if len(answers) > 1 else answers[0]

    client = PostClient("https://rebind.example/hook", HostGuard(resolver=rebinding))
    with client, pytest.raises(BlockedDestination, match="loopback"):
        client.post(b"{}", SIGNED)


def test_the_checked_address_is_dialled_and_the_name_is_sent_as_host(
    server: LoopbackServer,
) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    server.script("/hook", Reply(200))
    guard = HostGuard(allow_loopback=True, resolver=lambda host, port: ["127.0.0.1"])
    with PostClient(f"http://receiver.test:{port}/hook", guard) as client:
        assert client.post(b"{}", SIGNED).status_code == 200
    assert server.headers[0]["host"] == f"receiver.test:{port}"


def test_a_silent_receiver_times_out_once_with_a_safe_message(server: LoopbackServer) -> None:
    url = server.script("/hook", Reply(200, delay=1.0)) + "?token=s3cret"
    with PostClient(url, DEV, timeout=0.2) as client, pytest.raises(TransportFailure) as caught:
        client.post(b"{}", SIGNED)
    assert "no answer within 0.2 s" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert server.hits["/hook"] == 1


def test_a_refused_connection_is_a_transport_failure() -> None:
    with serve() as gone:
        url = gone.base_url + "/hook"
    with PostClient(url, DEV) as client, pytest.raises(TransportFailure, match="could not connect"):
        client.post(b"{}", SIGNED)


@pytest.mark.parametrize(
    "stall",
    [b"HTTP/1.1 100 Continue\r\n\r\n", b"x"],
    ids=["endless-100-continue", "a-body-one-byte-at-a-time"],
)
def test_a_receiver_dripping_its_answer_cannot_hold_the_sender_past_its_timeout(
    stall: bytes,
) -> None:
    """Each drip arrives well within the per-read timeout; the exchange as a whole does not.
    The receiver gives a proper 200 in the end: a sender without a deadline would take it."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            if stall == b"x":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n")
            for _ in range(20):
                if done.wait(0.15):
                    return
                conn.sendall(stall)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" if stall != b"x" else b"x" * 20
            )

    server = threading.Thread(target=drip, daemon=True)
    server.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    try:
        with PostClient(url, DEV, timeout=1) as client, pytest.raises(TransportFailure):
            client.post(b"{}", SIGNED)
    finally:
        done.set()
        server.join()
        listener.close()
