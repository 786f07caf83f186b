"""ADP Workforce Now emulator (Worker v2 API), written from ADP's public documentation.

Served at the root (the real hosts are ``https://accounts.adp.com`` for tokens and
``https://api.adp.com`` for data; UAT: ``uat-accounts.adp.com`` / ``uat-api.adp.com``):

=====  ========================  ==========================================================
verb   path                      notes
=====  ========================  ==========================================================
POST   /auth/oauth/v2/token      OAuth 2.0 client credentials: ``grant_type`` in the query
                                 string or the form body; the client by
                                 ``Authorization: Basic base64(id:secret)`` or by
                                 ``client_id`` / ``client_secret`` (form or query)
GET    /hr/v2/workers            OData ``$top`` (default 50, at most 100) and ``$skip``;
                                 every worker, leavers included; past the end 204
GET    /hr/v2/workers/{aoid}     one worker, ``{"workers": [...]}``; unknown AOID 404
=====  ========================  ==========================================================

Behaviour copied from the docs:

- Tokens: the Security Token Service answers ``{"access_token", "token_type": "Bearer",
  "expires_in": 3600, "scope"}``; a token is "valid for 1 hour". Each call issues a new one.
  Errors are RFC 6749 bodies as ADP lists them: no ``grant_type`` -> 400 ``invalid_request``
  "Missing or duplicate parameters"; another grant -> 400 ``unsupported_grant_type``
  "Invalid grant_type"; a wrong id or secret -> 401 ``invalid_client`` "The given client
  credentials were not valid". Revoked credentials (``faults.revoked``) answer the last.
- Data calls need ``Authorization: Bearer <token>``; a missing, unknown or expired token is a
  401 (with ``WWW-Authenticate: Bearer error="invalid_token"``, RFC 6750 as ADP's access
  token article asks clients to handle).
- mTLS: ADP also requires the X.509 client certificate ADP signed for the app on every call,
  token calls included ("Use the Transport Client Authentication in all Web API requests").
  That check happens in the TLS handshake, which this ASGI app never sees; the TLS server a
  test puts in front of it (uvicorn with ``ssl_cert_reqs=CERT_REQUIRED``) enforces it.
- ``GET /hr/v2/workers`` lists every worker of the company: active, on leave, terminated and
  hired-not-started alike (ADP's own "all workers" examples carry ``Terminated`` workers, and
  its Postman collection filters ``assignmentStatus/statusCode/codeValue eq 'T'`` out of the
  same collection). ``$skip`` at or past the last worker answers ``204 No Content`` with no
  body, which is how WFN clients learn the end (RUN answers ``{"workers": []}`` instead).
- A worker: ``associateOID`` (16 characters, ``G3...``), ``workerID.idValue``,
  ``person.legalName`` (``givenName``, ``familyName1``, ``formattedName`` "Last, First"),
  ``person.birthDate`` and the SSN in ``person.governmentIDs`` masked unless the request
  says ``Accept: application/json;masked=false`` (``0000-03-16``, ``XXX-XX-3791``; with
  ``faults.leak_sensitive_fields`` every answer is unmasked),
  ``person.genderCode``, ``person.raceCode``, ``person.legalAddress``,
  ``person.communication`` (personal e-mail and cell), ``businessCommunication.emails``
  (``Work E-mail``; left out when the person has none), ``workerDates`` (``originalHireDate``,
  ``rehireDate`` after a rehire, ``terminationDate``), ``workerStatus.statusCode.codeValue``
  (``Active`` / ``Inactive`` on leave / ``Terminated``) and one primary ``workAssignments``
  entry: ``itemID``, ``primaryIndicator``, ``hireDate``, ``actualStartDate``,
  ``terminationDate``, ``assignmentStatus`` (``A`` Active, ``L`` Leave, ``T`` Terminated,
  with ``reasonCode`` and ``effectiveDate`` for the last two), ``workerTypeCode``,
  ``jobCode``, ``jobTitle``, ``positionID``, ``homeOrganizationalUnits`` and
  ``assignedOrganizationalUnits`` (a ``Business Unit`` and a ``Department``, told apart by
  ``typeCode.codeValue``), ``homeWorkLocation`` (``address``, ``nameCode``), ``reportsTo``
  (the manager's ``associateOID``, ``workerID``, ``reportsToWorkerName``, ``positionID``;
  left out without a manager), ``payrollGroupCode``, ``payrollFileNumber`` (the employee
  number; left out when blank) and ``baseRemuneration``. A hire whose start is ahead is
  already ``Active`` / ``A`` with that ``hireDate`` (ADP's "future hired employee" example).
- API errors use WFN's ``confirmMessage`` envelope (``protocolStatusCode``,
  ``requestStatusCode`` ``failed``, ``resourceMessages[].processMessages[].userMessage
  .messageTxt``); an unknown AOID says "The specified resource does not exist or you do not
  have access to it."

Guesses are marked ``[guess]``: the default ``$top`` of 50 (ADP's unpaged "all workers"
examples stop at 50) and that a ``$top`` over 100 is cut to 100 without an error (a public
client found "Fetch All" stopped at the first 100); the ``scope`` in the token answer; a
future-dated termination shown as ``Active`` / ``A`` with its ``terminationDate`` already
set until the day has passed (no public example shows one); leave shown as ``Inactive``
(ADP's examples show it so more often than ``Active``); garden leave shown as employment
until the last day; contractors rendered as everyone else; every code value (business unit,
department and location codes, gender ``X`` / ``N``, race codes, the termination reason
``N`` Personal, ``workerTypeCode`` ``F``); ``$select`` ignored (the answer is a superset) and
``$filter`` / ``$orderby`` refused with a 400 (not emulated, so a client relying on them
notices); no standing rate limit (ADP publishes none; 429s come from ``faults``).

Sources (read 2026-12):
  https://developers.adp.com/articles/guides/auth-process-data-connector-apps (client
  credentials grant, signed certificate prerequisite)
  https://developers.adp.com/articles/general/access-tokens (bearer use, mTLS on every call,
  RFC 6750 errors)
  https://developers.adp.com/articles/guides/Making-Your-First-API-Call-With-POSTMAN (Basic
  client authentication, token valid for 1 hour, 401/403 troubleshooting)
  https://developers.adp.com/articles/general/make-your-first-api-call-using-postman-1
  (accounts.adp.com / api.adp.com hosts, UAT hosts)
  https://developers.adp.com/articles/general/api-common-exceptions-and-tips-for-handling
  (token error bodies, 403 for a suspended subscription or missing consent)
  https://developers.adp.com/articles/general/introduction-to-adp-restful-apis and
  https://developers.adp.com/articles/general/introduction-to-adp-api-open-data-protocol-odata
  ($top, $skip, $select, $filter on /hr/v2/workers)
  github.com/adpllc/marketplace-sample-payloads (ADP's own examples, commit 3c8cd235):
  wfn/hr/workers-v2/success/*.json (worker shape, statuses, leave, terminated, rehire and
  future-hire examples), wfn/hr/Worker-read/ (masked birthDate and SSN, confirmMessage),
  run/hr/workers-v2/ (404 message, 401 body, RUN's empty page), wfn/ADP WFN APIs
  .postman_collection.json (Accept: application/json;masked=false, $filter examples).
  End of the list as 204: public ADP clients ("Status 204 returned when no more workers are
  available") and https://www.lava.so/docs/gateway/providers/pipedream-adp.md ("$top (page
  size, WFN max 100)"); https://prismatic.io/docs/changelog/connectors/2026/10/20/
  adp-workforce-now/ (the first-100 cut).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import string
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import (
    VendorError,
    bare_app,
    bearer_token,
    int_param,
    json_response,
    vendor_app,
)

__all__ = ["CREDENTIALS", "DEFAULT_TOP", "MAX_TOP", "TOKEN_TTL", "associate_oid", "create_app"]

CREDENTIALS = ("client_id", "client_secret")
"""The data connector's client id and secret (the certificate is checked by the TLS server)."""

DEFAULT_TOP = 50  # [guess] see the module docstring
MAX_TOP = 100
TOKEN_TTL = 3600
PAYROLL_GROUP = "94N"  # [guess] one payroll group for the whole company

_MESSAGES = {
    400: "Invalid request",
    401: "Invalid authorization credentials",
    403: "Access denied: the subscription or consent for this application is not active",
    404: "The specified resource does not exist or you do not have access to it.",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}

# (workerStatus, assignmentStatus code, assignmentStatus short name) per neutral status.
_STATUS = {
    PersonStatus.ACTIVE: ("Active", "A", "Active"),
    PersonStatus.HIRED: ("Active", "A", "Active"),
    PersonStatus.ON_LEAVE: ("Inactive", "L", "Leave"),
    PersonStatus.TERMINATED: ("Terminated", "T", "Terminated"),
}

_GENDER = {  # [guess] the codes beyond M and F
    "female": ("F", "Female"),
    "male": ("M", "Male"),
    "non-binary": ("X", "Non-Binary"),
    "undisclosed": ("N", "Not Specified"),
}

_ALNUM = string.ascii_uppercase + string.digits


class ADPError(VendorError):
    """Answered in WFN's confirmMessage envelope (see ``_error_body``)."""


class _OAuthError(Exception):
    """A Security Token Service error: RFC 6749 ``{"error", "error_description"}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def _error_body(status: int, message: str | None = None) -> bytes:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = message or _MESSAGES.get(status, "Error")
    confirm = {
        "confirmMessageID": {
            "idValue": str(uuid.uuid4()).upper(),
            "schemeName": "confirmMessageID",
            "schemeAgencyName": "WFN",
        },
        "createDateTime": stamp,
        "requestReceiptDateTime": stamp,
        "protocolStatusCode": {"codeValue": str(status)},
        "requestStatusCode": {"codeValue": "failed"},
        "resourceMessages": [
            {
                "resourceStatusCode": {"codeValue": "failed"},
                "processMessages": [
                    {"messageTypeCode": {"codeValue": "error"}, "userMessage": {"messageTxt": text}}
                ],
            }
        ],
    }
    return json.dumps({"confirmMessage": confirm}).encode()


def _digest(kind: str, key: str) -> bytes:
    return hashlib.sha256(f"adp:{kind}:{key}".encode()).digest()


def _code(kind: str, key: str, length: int) -> str:
    """A stable upper-case alphanumeric code for ``key``, like ADP's generated ids."""
    return "".join(_ALNUM[b % len(_ALNUM)] for b in _digest(kind, key)[:length])


def associate_oid(person_id: str) -> str:
    """The worker's AOID: 16 characters starting ``G3`` (``G310YGK80NSS9D2N``), stable."""
    return "G3" + _code("aoid", person_id, 14)


def _worker_id(person_id: str) -> str:
    """The Associate ID, 9 characters (``OCP6FN95C``)."""
    return _code("worker-id", person_id, 9)


def _position_id(person: SyntheticPerson) -> str:
    # The payroll group plus a six-digit number, as in ADP's examples (94N004552); from the
    # creation serial, because the employee number may change or be blank.
    return f"{PAYROLL_GROUP}{person.serial % 1_000_000:06d}"


def _digits(kind: str, key: str, count: int) -> str:
    """A stable string of ``count`` decimal digits for ``key``."""
    return "".join(str(b % 10) for b in _digest(kind, key)[:count])


def _ssn(person: SyntheticPerson, *, masked: bool) -> dict[str, Any]:
    tail = _digits("ssn", person.id, 4)
    # 9xx area numbers are never issued: a synthetic SSN cannot be a real one.
    plain = f"9{_digits('ssn-area', person.id, 2)}-{_digits('ssn-group', person.id, 2)}-{tail}"
    return {
        "itemID": f"{_digits('gov', person.id, 8)}N",
        "idValue": f"XXX-XX-{tail}" if masked else plain,
        "nameCode": {"codeValue": "SSN", "longName": "Social Security Number"},
        "countryCode": "US",
    }


class _Renderer:
    """One company rendered in the Worker v2 shape; built per company version, used per page."""

    def __init__(self, company: SyntheticCompany, people: Mapping[str, SyntheticPerson]) -> None:
        self.company = company
        self.people = people
        self.business_unit = {
            "nameCode": {"codeValue": _code("bu", company.name, 3), "shortName": company.name},
            "typeCode": {"codeValue": "Business Unit", "shortName": "Business Unit"},
        }

    def worker(self, person: SyntheticPerson, *, masked: bool) -> dict[str, Any]:
        worker_status, code, short = _STATUS[person.status]
        dates: dict[str, str] = {"originalHireDate": self._original_hire(person).isoformat()}
        if person.past_employments:
            dates["rehireDate"] = person.start_date.isoformat()
        if person.termination_date is not None:
            dates["terminationDate"] = person.termination_date.isoformat()
        row: dict[str, Any] = {
            "associateOID": associate_oid(person.id),
            "workerID": {"idValue": _worker_id(person.id)},
            "person": self._person(person, masked=masked),
            "workerDates": dates,
            "workerStatus": {"statusCode": {"codeValue": worker_status}},
        }
        if person.work_email:
            row["businessCommunication"] = {
                "emails": [
                    {
                        "itemID": "Business",
                        "nameCode": {"codeValue": "Work E-mail", "shortName": "Work E-mail"},
                        "emailUri": person.work_email,
                    }
                ]
            }
        row["workAssignments"] = [self._assignment(person, code, short)]
        return row

    @staticmethod
    def _original_hire(person: SyntheticPerson) -> date:
        return person.past_employments[0][0] if person.past_employments else person.start_date

    def _person(self, person: SyntheticPerson, *, masked: bool) -> dict[str, Any]:
        site = self.company.site(person.site_id)
        born = person.date_of_birth
        gender_code, gender_name = _GENDER.get(person.gender, ("N", "Not Specified"))
        out: dict[str, Any] = {
            "genderCode": {"codeValue": gender_code, "shortName": gender_name},
            "raceCode": {
                "identificationMethodCode": {"codeValue": "SID", "shortName": "Self ID"},
                "codeValue": _digits("race", person.ethnicity, 1),
                "shortName": person.ethnicity,
            },
            "legalName": {
                "givenName": person.first_name,
                "familyName1": person.last_name,
                "formattedName": f"{person.last_name}, {person.first_name}",
            },
        }
        if site.country_code == "US":  # [guess] an SSN only for people working in the US
            out["governmentIDs"] = [_ssn(person, masked=masked)]
        if born is not None:
            out["birthDate"] = f"0000-{born:%m-%d}" if masked else born.isoformat()
        home = person.home_address
        if home is not None:
            out["legalAddress"] = {
                "nameCode": {"codeValue": "Personal Address 1", "shortName": "Personal Address 1"},
                "lineOne": home.line1,
                "cityName": home.city,
                "countryCode": site.country_code,
                "postalCode": home.postcode,
            }
        communication: dict[str, Any] = {}
        if person.personal_email:
            communication["emails"] = [
                {
                    "nameCode": {"codeValue": "Personal E-mail", "shortName": "Personal E-mail"},
                    "emailUri": person.personal_email,
                }
            ]
        if person.personal_phone:
            communication["mobiles"] = [
                {
                    "itemID": f"{_digits('mobile', person.id, 8)}_1",
                    "nameCode": {"codeValue": "Personal Cell", "shortName": "Personal Cell"},
                    "formattedNumber": person.personal_phone,
                }
            ]
        if communication:
            out["communication"] = communication
        return out

    def _assignment(self, person: SyntheticPerson, code: str, short: str) -> dict[str, Any]:
        department = self.company.department(person.department_id)
        site = self.company.site(person.site_id)
        units = [
            self.business_unit,
            {
                "nameCode": {"codeValue": department.id[-6:], "shortName": department.name},
                "typeCode": {"codeValue": "Department", "shortName": "Department"},
            },
        ]
        status: dict[str, Any] = {"statusCode": {"codeValue": code, "shortName": short}}
        if person.status is PersonStatus.TERMINATED and person.termination_date is not None:
            status["reasonCode"] = {"codeValue": "N", "shortName": "Personal"}
            status["effectiveDate"] = person.termination_date.isoformat()
        elif person.status is PersonStatus.ON_LEAVE:
            status["reasonCode"] = {"codeValue": "MED", "shortName": "Medical"}
        assignment: dict[str, Any] = {
            "itemID": f"{_digits('assignment', person.id, 8)}N",
            "primaryIndicator": True,
            "hireDate": person.start_date.isoformat(),
            "actualStartDate": person.start_date.isoformat(),
        }
        if person.termination_date is not None:
            assignment["terminationDate"] = person.termination_date.isoformat()
        assignment |= {
            "assignmentStatus": status,
            "workerTypeCode": {"codeValue": "F", "shortName": "Full Time"},
            "jobCode": {"codeValue": department.name[:3].upper(), "shortName": department.name},
            "jobTitle": f"{department.name} specialist",
            "positionID": _position_id(person),
            "homeOrganizationalUnits": units,
            "assignedOrganizationalUnits": units,
            "homeWorkLocation": {
                "address": {
                    "lineOne": f"{10 + int(site.id) % 180} {site.name} Street",
                    "cityName": site.city,
                    "countryCode": site.country_code,
                    "postalCode": f"{int(site.id) % 90000 + 10000}",
                },
                "nameCode": {"codeValue": site.name[:3].upper(), "shortName": site.name},
            },
        }
        manager = self.people.get(person.manager_id) if person.manager_id else None
        if manager is not None:
            assignment["reportsTo"] = [
                {
                    "associateOID": associate_oid(manager.id),
                    "workerID": {
                        "idValue": _worker_id(manager.id),
                        "schemeCode": {"codeValue": "Associate ID", "shortName": "Associate ID"},
                    },
                    "reportsToWorkerName": {"formattedName": manager.display_name},
                    "positionID": _position_id(manager),
                }
            ]
        assignment["payrollGroupCode"] = PAYROLL_GROUP
        if person.employee_number is not None:
            assignment["payrollFileNumber"] = f"{person.employee_number:06d}"
        assignment["baseRemuneration"] = {
            "annualRateAmount": {
                "nameCode": {"codeValue": "ANNUAL", "shortName": "ANNUAL"},
                "amountValue": float(person.salary),
                "currencyCode": person.salary_currency,
            },
            "effectiveDate": person.start_date.isoformat(),
        }
        return assignment


class _Tokens:
    """Access tokens issued by the token endpoint, each valid ``ttl`` seconds."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        now = time.monotonic()
        token = str(uuid.uuid4())
        with self._lock:
            # Expired tokens are dropped here, so the table holds at most an hour's worth.
            self._expiry = {t: e for t, e in self._expiry.items() if e > now}
            self._expiry[token] = now + self._ttl
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and expiry > time.monotonic()


def _basic_client(request: Request) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from ``Authorization: Basic``, or None without one."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


async def _token_params(request: Request) -> dict[str, list[str]]:
    """The token request's parameters: the query string, then a form body on top."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    body = (await request.body()).decode(errors="replace")
    for key, values in parse_qs(body).items():
        params.setdefault(key, []).extend(values)
    return params


def _page_bounds(request: Request) -> tuple[int, int]:
    params = request.query_params
    for refused in ("$filter", "$orderby"):
        if refused in params:
            raise ADPError(400, f"{refused} is not supported by this emulator")
    top = int_param(
        params.get("$top"), DEFAULT_TOP, ADPError, name="$top", not_int="Invalid value for $top"
    )
    skip = int_param(
        params.get("$skip"),
        0,
        ADPError,
        name="$skip",
        minimum=0,
        not_int="Invalid value for $skip",
    )
    return skip, min(top, MAX_TOP)


def _unmasked(request: Request) -> bool:
    """Whether the client asked for unmasked values (``Accept: application/json;masked=false``)."""
    accept = request.headers.get("accept", "").replace(" ", "").lower()
    return "masked=false" in accept


def create_app(
    company: SyntheticCompany,
    *,
    credentials: Mapping[str, str],
    faults: Faults | None = None,
    token_ttl: float = TOKEN_TTL,
) -> FastAPI:
    """An ADP Workforce Now emulator over ``company`` for one data connector (CREDENTIALS).

    ``token_ttl`` shortens the token lifetime for tests of expiry (0: expired at once).
    """
    faults = faults if faults is not None else Faults()
    client_id, client_secret = credentials["client_id"], credentials["client_secret"]
    tokens = _Tokens(token_ttl)
    app = vendor_app("ADP Workforce Now emulator", company, faults, error_body=_error_body)
    # The token endpoint sits in front of fault injection, as ADP's Security Token Service is
    # a separate host (accounts.adp.com): a suspended subscription (403) is an API answer,
    # while revoked credentials fail at the token endpoint too (checked below).
    front = bare_app("ADP Workforce Now emulator", company, faults)

    @front.post("/auth/oauth/v2/token")
    async def token(request: Request) -> Response:
        params = await _token_params(request)
        grants = params.get("grant_type", [])
        if len(grants) != 1:
            raise _OAuthError(400, "invalid_request", "Missing or duplicate parameters")
        if grants[0] != "client_credentials":
            raise _OAuthError(400, "unsupported_grant_type", "Invalid grant_type")
        client = _basic_client(request)
        if client is None:
            client = (params.get("client_id", [""])[0], params.get("client_secret", [""])[0])
        ok = secrets.compare_digest(client[0].encode(), client_id.encode())
        ok = secrets.compare_digest(client[1].encode(), client_secret.encode()) and ok
        if faults.revoked or not ok:
            raise _OAuthError(401, "invalid_client", "The given client credentials were not valid")
        body = {
            "access_token": tokens.issue(),
            "token_type": "Bearer",
            "expires_in": int(token_ttl),
            "scope": "api",  # [guess]
        }
        return json_response(body)

    @front.exception_handler(_OAuthError)
    async def oauth_error(_request: Request, exc: _OAuthError) -> Response:
        body = {"error": exc.error, "error_description": exc.description}
        return json_response(body, exc.status)

    memo = CompanyMemo(company)

    def renderer() -> _Renderer:
        return memo.get(("renderer",), lambda: _Renderer(company, memo.by_id()))

    def authenticate(request: Request) -> bool:
        """Checks the bearer token; returns whether values are to be left unmasked."""
        supplied = bearer_token(request)
        if supplied is None or not tokens.valid(supplied):
            raise ADPError(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return _unmasked(request) or faults.leak_sensitive_fields

    @app.get("/hr/v2/workers")
    async def workers(request: Request) -> Response:
        unmasked = authenticate(request)
        skip, top = _page_bounds(request)
        people = memo.people()
        if skip >= len(people):
            return Response(status_code=204)
        view = renderer()
        page = [view.worker(p, masked=not unmasked) for p in people[skip : skip + top]]
        return json_response({"workers": page})

    @app.get("/hr/v2/workers/{aoid}")
    async def worker(aoid: str, request: Request) -> Response:
        unmasked = authenticate(request)
        by_aoid = memo.get(("by-aoid",), lambda: {associate_oid(p.id): p for p in memo.people()})
        person = by_aoid.get(aoid)
        if person is None:
            raise ADPError(404)
        return json_response({"workers": [renderer().worker(person, masked=not unmasked)]})

    front.mount("/", app)
    return front
