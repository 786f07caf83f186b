"""SOAP over the connector HTTP stack: WS-Security envelopes, XML posts, incremental parsing.

The declarative client speaks JSON; SOAP services (Workday Web Services) take an XML envelope
with a WS-Security UsernameToken and answer with XML that can be large and full of fields we
must never keep. This module posts the envelope through the same guarded, retrying client,
parses the answer element by element (defusedxml, refusing any DTD and so any entity; no
deeper than MAX_DEPTH; no larger than MAX_STREAMED_BYTES) and hands each record
element to an extractor before it is cleared, so memory stays flat and nothing outside the
extractor's allowlist survives the page.

SOAP 1.1 reports faults with HTTP 500 and a `soap:Fault` body; those are not retried (the same
request gets the same fault) but read, so a refused login becomes AuthRevoked, not an outage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

import httpx
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]  # ships no stubs
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

from rostersync.connectors.errors import (
    AuthRevoked,
    BadInput,
    BadPayload,
    ConnectorError,
    PermissionDenied,
    RateLimited,
    VendorUnavailable,
)
from rostersync.connectors.http import (
    MAX_DEPTH,
    MAX_STREAMED_BYTES,
    ChunkReader,
    VendorClient,
    capped,
    read_body,
    too_deep,
)
from rostersync.connectors.responses import ResponseClassifier
from rostersync.net import BlockedDestination, RetryLater, TransportFailure
from rostersync.net import send as send_with_retries

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
# A WS-Security token type URI, not a secret.
_TOKEN_PROFILE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"  # noqa: S105
)
PASSWORD_TYPE = _TOKEN_PROFILE + "#PasswordText"

T = TypeVar("T")


def envelope(body: str, *, username: str, password: str, namespaces: dict[str, str]) -> bytes:
    """A SOAP 1.1 envelope with a WS-Security UsernameToken (PasswordText) header.

    `body` is trusted XML built by the connector; the credentials are escaped here.
    """
    declared = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in namespaces.items())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}"{declared}>'
        f"<soapenv:Header>"
        f'<wsse:Security xmlns:wsse="{WSSE}" soapenv:mustUnderstand="1">'
        f"<wsse:UsernameToken>"
        f"<wsse:Username>{escape(username)}</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_TYPE}">{escape(password)}</wsse:Password>'
        f"</wsse:UsernameToken>"
        f"</wsse:Security>"
        f"</soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body>"
        f"</soapenv:Envelope>"
    ).encode()


def _endpoint(path: str, action: str) -> str:
    return f"POST {path} ({action})"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_events(
    chunks: Iterable[bytes], *, vendor: str, endpoint: str
) -> Iterator[tuple[str, Element]]:
    """(event, element) for each start and end of the body, refused past MAX_DEPTH levels and
    at any DTD: a DTD is where entity bombs and external references live, and no SOAP answer
    carries one. A malformed body raises ParseError, for the caller to judge."""
    depth = 0
    try:
        for event, element in iterparse(
            ChunkReader(iter(chunks)), events=("start", "end"), forbid_dtd=True
        ):
            depth += 1 if event == "start" else -1
            if depth > MAX_DEPTH:
                raise too_deep(vendor, endpoint)
            yield event, element
    except DefusedXmlException:
        raise BadPayload(f"{vendor} sent a response to {endpoint} that declares a DTD") from None


def _fault_error(response: httpx.Response, vendor: str, endpoint: str) -> ConnectorError:
    """The ConnectorError a SOAP fault stands for (the fault text itself is not repeated)."""
    body = read_body(response, vendor=vendor, endpoint=endpoint)
    code = text = ""
    try:
        for event, element in xml_events((body,), vendor=vendor, endpoint=endpoint):
            if event == "end" and _local(element.tag) == "faultcode":
                code = (element.text or "").strip()
            elif event == "end" and _local(element.tag) == "faultstring":
                text = (element.text or "").strip().lower()
    except ParseError:
        pass  # not a fault we can read: a server error like any other
    where = f"{vendor} answered a SOAP fault to {endpoint}"
    if "authentication" in code.lower() or "invalid username or password" in text:
        return AuthRevoked(f"{where}: the credentials are wrong or were revoked")
    if "not authorized" in text or "permission" in text:
        return PermissionDenied(f"{where}: the integration user lacks a domain permission")
    if code.lower().split(":")[-1].startswith("client"):
        return BadPayload(
            f"{where} ({code or 'client fault'}), which the connector does not expect"
        )
    return VendorUnavailable(f"{where} ({code or 'server fault'})")


SOAP_RESPONSES = ResponseClassifier(body_statuses=frozenset({500}), read_body=_fault_error)
"""A 500 is a fault whose body says what it is about; every other status as for JSON calls."""


class SoapClient(VendorClient):
    """A VendorClient that posts XML envelopes, reading 500 answers as SOAP faults."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(classifier=SOAP_RESPONSES, **kwargs)

    @contextmanager
    def post_envelope(self, path: str, payload: bytes, *, action: str) -> Iterator[httpx.Response]:
        url = self.root + path
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
        request = self._client.build_request("POST", url, content=payload, headers=headers)
        # A fault answers 500 and repeats itself: retry only the statuses that mean "later".
        policy = replace(self._policy, retry_statuses=self._policy.retry_statuses - {500})
        endpoint = _endpoint(path, action)
        try:
            response = send_with_retries(
                self._client, request, policy=policy, sleep=self._sleep, stream=True
            )
        except BlockedDestination as exc:
            raise BadInput(f"{self.vendor}: {exc}") from exc
        except TransportFailure as exc:
            raise VendorUnavailable(f"{self.vendor} did not answer {endpoint}") from exc
        except RetryLater as exc:
            raise RateLimited(
                f"{self.vendor} asked to wait {exc.retry_after:.0f}s on {endpoint}"
            ) from exc
        try:
            self.classifier.check(response, vendor=self.vendor, endpoint=endpoint)
            yield response
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise BadPayload(f"{self.vendor} broke off the response to {endpoint}") from exc
        finally:
            response.close()


@dataclass
class PageResults:
    """`Response_Results` of one page, as Workday-style paged operations report it."""

    total_results: int | None = None
    total_pages: int | None = None
    page_results: int | None = None
    page: int | None = None
    fault: bool = False


_RESULT_FIELDS = {
    "Total_Results": "total_results",
    "Total_Pages": "total_pages",
    "Page_Results": "page_results",
    "Page": "page",
}


def _number(value: str | None) -> int | None:
    try:
        return int(float((value or "").strip()))
    except ValueError:
        return None


def iter_records(
    response: httpx.Response,
    record_tag: str,
    extract: Callable[[Element], T],
    results: PageResults,
    *,
    vendor: str,
    endpoint: str,
) -> Iterator[T]:
    """Each `record_tag` element of the body, extracted then cleared; fills `results`.

    The extractor sees one record subtree and returns only what it keeps; the subtree is
    cleared right after, so sensitive sections never outlive their record.
    """
    inside_results = False
    chunks = capped(
        response.iter_bytes(), limit=MAX_STREAMED_BYTES, vendor=vendor, endpoint=endpoint
    )
    try:
        for event, element in xml_events(chunks, vendor=vendor, endpoint=endpoint):
            name = _local(element.tag)
            if name == "Response_Results":
                inside_results = event == "start"
            elif event == "end" and inside_results and name in _RESULT_FIELDS:
                setattr(results, _RESULT_FIELDS[name], _number(element.text))
            elif event == "end" and name == "Fault":
                results.fault = True
            if event == "end" and name == record_tag:
                yield extract(element)
                element.clear()
    except ParseError as exc:
        raise BadPayload(f"{vendor} sent a truncated or malformed XML response") from exc


def read_paged(
    client: SoapClient,
    path: str,
    *,
    action: str,
    build: Callable[[int], bytes],
    record_tag: str,
    extract: Callable[[Element], T],
) -> Iterator[T]:
    """Every record of a paged operation: page 1 up to `Response_Results/Total_Pages`.

    A page without `Response_Results`, an empty page before the last, or a count that does
    not add up to `Total_Results` fails the read: it would otherwise look like people leaving.
    """
    page, seen = 1, 0
    while True:
        results = PageResults()
        on_page = 0
        with client.post_envelope(path, build(page), action=action) as response:
            for record in iter_records(
                response,
                record_tag,
                extract,
                results,
                vendor=client.vendor,
                endpoint=_endpoint(path, action),
            ):
                on_page += 1
                yield record
        seen += on_page
        if results.fault:
            raise BadPayload(f"{client.vendor} sent a SOAP fault with a success status ({action})")
        if results.total_pages is None:
            raise BadPayload(f"{client.vendor} sent a {action} page without Response_Results")
        if results.page_results is not None and results.page_results != on_page:
            raise BadPayload(
                f"{client.vendor} announced {results.page_results} records on page {page} "
                f"of {action} and sent {on_page}"
            )
        if page >= results.total_pages:
            break
        if on_page == 0:
            raise BadPayload(f"page {page} of {results.total_pages} of {action} came back empty")
        page += 1
    if results.total_results is not None and seen != results.total_results:
        raise BadPayload(
            f"{client.vendor} announced {results.total_results} records for {action} "
            f"and sent {seen}"
        )


def first(element: Element, path: str, namespaces: dict[str, str]) -> str | None:
    """The stripped text of the first match of an ElementPath, or None."""
    found = element.find(path, namespaces)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None
