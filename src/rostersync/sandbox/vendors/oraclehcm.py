"""Oracle Fusion Cloud HCM REST emulator (``hcmRestApi``), written from Oracle's public docs.

Served at the root (the real host is the customer's pod, ``https://<pod>.fa.<dc>.oraclecloud
.com``; the token endpoint lives on the customer's IAM identity domain host, served here on the
same origin):

=====  =========================================================  ============================
verb   path                                                       notes
=====  =========================================================  ============================
POST   /oauth2/v1/token                                           IAM client credentials:
                                                                  ``Authorization: Basic
                                                                  client_id:client_secret``,
                                                                  ``grant_type``, ``scope``
GET    /hcmRestApi/resources/11.13.18.05/workers                  workers as of a date
GET    /hcmRestApi/resources/11.13.18.05/organizations            departments
GET    /hcmRestApi/resources/11.13.18.05/locations                locations
=====  =========================================================  ============================

``latest`` works in place of ``11.13.18.05`` (Oracle's tutorials call ``resources/latest``).
The older ``emps`` resource is not served: Oracle desupported it from release 23D in favour of
``workers`` (blogs.oracle.com/fusionhcmcoe/transitioning-to-the-workers-resource-from-emps-for-
hcm-rest-apis).

Auth: every resource takes ``Authorization: Basic user:password`` (a Fusion user with the
workers REST roles) or ``Authorization: Bearer <token>``, the JWT access token a confidential
application gets from the identity domain (Oracle's "Use JSON Web Token for Authorization").
Anything else answers 401.

Collections (Oracle's "Collection Resources" and "Navigate a Collection"): ``{"items", "count",
"hasMore", "limit", "offset", "links"}``, plus ``totalResults`` when ``totalResults=true``.
``limit`` defaults to 25; a larger one is cut to 500 and the answer says so in ``limit``
(``[reported]``: the docs only say "the server might override this value"). ``offset`` counts
items. Without ``orderBy`` the order "can't be determined"; here it is PersonId (stable, so
paging works). ``orderBy=Attr[:asc|:desc],...`` sorts on top-level attributes. ``onlyData=true``
leaves out every ``links``. ``expand`` takes child names, dotted paths (a nested child
expands its parents) or ``all`` (every child at every level ``[guess]``). ``fields`` takes
``Attr,Attr;child:Attr;child.nested:Attr`` and, as documented, wins over ``expand``; an
unknown attribute or child is a 400. ``q`` takes conditions joined by ``and`` (or ``;``, the
framework version 1 form): ``Attr = 'value'``, ``like`` with ``%``, ``!=``, ``<``, ``<=``,
``>``, ``>=``; a dotted ``child.Attr`` matches a worker when any of those children does
(Oracle's tutorial: "this filter is applied at the worker level"). With header
``REST-Framework-Version`` 2 or more (Oracle's examples send 4), expanded children are
collections (``items``, ``count``, ``hasMore``...); without it, or with 1, bare arrays
``[reported]``.

Workers are date-effective: ``effectiveDate=yyyy-MM-dd`` ("Date Effective GET": the context
date, sysdate when absent; here the company's today). Who is listed as of that date:

- everyone whose first work relationship has started: current workers, and leavers, who stay
  as ex-employees with their ended relationship ("Retrieve Past or Future Worker Details":
  a worker queried after their termination comes back with ``TerminationDate``);
- not a future-dated hire: Oracle's tutorial "Get a Future Effective Dated Worker" needs
  ``effectiveDate`` on or after the start date to return such an employee. From that date on
  they are listed as active. Pending workers (worker type P) are not emulated.

Children: ``names``, ``emails`` (``W1`` work, ``H1`` home), ``phones`` (``H1``), ``addresses``
(``HOME``), ``workRelationships`` (one per employment spell started by the date, a rehire's
earlier ones included) > ``assignments`` (one per relationship) > ``managers`` (``LINE_MANAGER``,
pointing at the manager's primary assignment). A work relationship is not date-effective (its
key is ``PeriodOfServiceId`` alone, while an assignment's includes ``EffectiveStartDate`` and
``EffectiveEndDate``), so ``TerminationDate`` shows as soon as a termination is entered, even
one still ahead. The assignment row in effect then ends on that date (``EffectiveEndDate``) and
stays ``ACTIVE``; after it the row is ``INACTIVE`` (``ActionCode`` ``TERMINATION``, person type
``EX_EMP``), starting the day after, with no line manager (the supervisor row ends with the
employment ``[guess]``). Garden leave shows as ``LastWorkingDate`` (the day before leave starts)
before ``TerminationDate``. Leave of absence shows as a ``SUSPENDED`` assignment ``[guess]``:
Oracle can suspend an assignment, and an absence alone does not. Contractors are contingent
workers (``WorkerType`` ``C``, person type ``CWK``). Assignments carry ``DepartmentId`` /
``DepartmentName`` and ``LocationId`` / ``LocationCode``; the synthetic teams have no Oracle
counterpart and are not shown. A status set without a date reads as a termination dated the
day before the company's today ``[guess]``.

Ids: PersonId, PeriodOfServiceId, AssignmentId... are 15-digit numbers derived from the
person's serial; ``PersonNumber`` is that serial (automatic person numbering), so the synthetic
employee number is not shown. Dates are ``yyyy-MM-dd``; timestamps ISO with ``+00:00``.
``DateOfBirth`` is on every worker, and the home email, phone and address are children, as the
docs' examples show for a user with the PII roles; ``faults.leak_sensitive_fields`` expands
everything and ignores ``fields``.

Errors: the framework's JSON error (``application/vnd.oracle.adf.error+json``: ``title``,
``status``, ``o:errorDetails`` with ``detail`` and ``o:errorCode``) ``[reported]``. Departments
(``organizations``) and locations are small, not date-effective here, and page the same way;
department ``Status`` ``A``/``I`` and location ``ActiveStatus`` ``A`` are ``[guess]``es. The
token endpoint's scope must start with ``urn:opc:resource:`` ``[guess]``; ``expires_in`` 3600.

Sources (stored copies, read 2026-12), all under
https://docs.oracle.com/en/cloud/saas/human-resources/farws/ unless a full URL is given:
  op-workers-get.html (Get all workers: effectiveDate, expand, fields, onlyData, q, limit,
  offset, totalResults, orderBy); Collection_Resources.html and Navigate_a_Collection.html
  (items/hasMore/totalResults/count/limit/offset, default page 25); Date_Effective_GET.html;
  Retrieve_Past_or_Future_Worker_Details.html and Retrieve_Worker_Details.html (worker,
  workRelationships and assignments field names, child collections with REST-Framework-
  Version 4); api-workers-work-relationships.html and ...-assignments.html ("as of the
  specified date"); op-workers-...-assignments-...-managers-...-get.html (managers child);
  Create_a_Pending_Worker.html and Add_a_Work_Relationship.html (EmailType W1/H1,
  ManagerType LINE_MANAGER, AssignmentNumber E<PersonNumber>); Use_JWT_Token_for_
  Authorization.html; Quick_Start.html; op-organizations-get.html ("Get all departments");
  https://oracle.com/webfolder/technetwork/tutorials/obe/fusionapps/HCM/WorkerRestAPI_GetWorker/
  html/index.html (future-dated worker needs effectiveDate; q on a child field);
  https://docs.oracle.com/en/cloud/saas/field-service/fapcf/t-idcs-configuration-occ.html
  (client credentials from the identity domain, /oauth2/v1/token). Attribute names beyond
  those examples (e.g. AssignmentStatusTypeCode, LocationCode, ManagerAssignmentId) as public
  Oracle HCM clients read them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import operator
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Fault, Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, basic_ok, bearer_ok, vendor_app

__all__ = ["CREDENTIALS", "DEFAULT_LIMIT", "MAX_LIMIT", "create_app", "person_id"]

CREDENTIALS = ("username", "password", "client_id", "client_secret")
"""A Fusion user and password (Basic), and a confidential application's client id and secret
(OAuth client credentials from the identity domain). Either pair alone is enough."""

VERSIONS = ("11.13.18.05", "latest")
DEFAULT_LIMIT = 25
MAX_LIMIT = 500
END_OF_TIME = "4712-12-31"
TOKEN_TTL = 3600
_ERROR_TYPE = "application/vnd.oracle.adf.error+json"
_BASE_ID = 300_100_000_000_000


class OracleError(VendorError):
    """Answered as the REST framework's JSON error."""


def _title(status: int) -> str:
    """The status's reason phrase (RFC 9110), as the vendor's error bodies carry it."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _error_body(status: int, message: str | None) -> bytes:
    title = _title(status)
    body: dict[str, Any] = {"title": title, "status": str(status)}
    if message:
        body["o:errorDetails"] = [{"detail": message, "o:errorCode": "27024"}]
    return json.dumps(body).encode()


def _respond(exc: VendorError) -> Response:
    return Response(
        _error_body(exc.status, exc.message), exc.status, exc.headers, media_type=_ERROR_TYPE
    )


def _render_fault(status: int, _fault: Fault | None) -> tuple[bytes, dict[str, str]]:
    return _error_body(status, None), {"Content-Type": _ERROR_TYPE}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- ids ------------------------------------------------------------------------------------


def person_id(person: SyntheticPerson) -> int:
    """PersonId: 15 digits like Oracle's, from the serial; the children's ids sit above it."""
    return _BASE_ID + person.serial * 100


def _period_id(person: SyntheticPerson, spell: int) -> int:
    return person_id(person) + 10 + spell


def _assignment_id(person: SyntheticPerson, spell: int) -> int:
    return person_id(person) + 40 + spell


def _assignment_number(person: SyntheticPerson, spell: int) -> str:
    prefix = "C" if person.contractor else "E"
    return f"{prefix}{person.serial}" + (f"-{spell + 1}" if spell else "")


def _org_id(department_id: str) -> int:
    return _BASE_ID + 100_000_000_000 + int(department_id)


def _location_id(site_id: str) -> int:
    return _BASE_ID + 200_000_000_000 + int(site_id)


def _location_code(name: str, country: str) -> str:
    return f"{country}-{name.upper().replace(' ', '_')}"


# --- a person as of a date ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spell:
    index: int
    start: date
    end: date | None  # TerminationDate: the last day employed, possibly still ahead


def _spells(person: SyntheticPerson, as_of: date, today: date) -> tuple[_Spell, ...]:
    """The person's work relationships started by ``as_of``, oldest first (empty: not listed)."""
    end = person.termination_date
    if end is None and person.status is PersonStatus.TERMINATED:
        end = today - timedelta(days=1)  # a status set without a date: ended yesterday
    spells = (*person.past_employments, (person.start_date, end))
    return tuple(_Spell(i, s, e) for i, (s, e) in enumerate(spells) if s <= as_of)


class _Status(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    INACTIVE = "INACTIVE"


def _status(person: SyntheticPerson, spell: _Spell, latest: bool, as_of: date) -> _Status:
    if spell.end is not None and spell.end < as_of:
        return _Status.INACTIVE
    if latest and person.status is PersonStatus.ON_LEAVE:
        return _Status.SUSPENDED
    return _Status.ACTIVE


# --- the tree of one worker -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """One resource item: its attributes, its key in hrefs, and its child collections."""

    attributes: dict[str, Any]
    key: str
    children: dict[str, list[_Item]] = field(default_factory=dict)


# Every child of each resource, nested: what ``expand=all`` and ``fields`` may name.
_WORKER_CHILDREN: dict[str, Any] = {
    "names": {},
    "emails": {},
    "phones": {},
    "addresses": {},
    "workRelationships": {"assignments": {"managers": {}}},
}


# (contractor, ended) -> UserPersonType, as Oracle's seeded person types are named.
_PERSON_TYPES = {
    (False, False): "Employee",
    (False, True): "Ex-employee",
    (True, False): "Contingent Worker",
    (True, True): "Ex-contingent Worker",
}


def _audit(person: SyntheticPerson) -> dict[str, Any]:
    stamp = person.created_at.isoformat(timespec="seconds")
    return {
        "CreatedBy": "HCM_IMPL",
        "CreationDate": stamp,
        "LastUpdatedBy": "HCM_IMPL",
        "LastUpdateDate": stamp,
    }


class _Renderer:
    """The company in Oracle's shapes as of one date; rendering one worker costs O(1)."""

    def __init__(self, company: SyntheticCompany, people: Mapping[str, SyntheticPerson]) -> None:
        self.company = company
        self.today = company.today
        self.people = people
        self.managers = {p.manager_id for p in people.values() if p.manager_id}

    def worker(self, person: SyntheticPerson, as_of: date) -> _Item:
        spells = _spells(person, as_of, self.today)
        pid = person_id(person)
        first = spells[0].start.isoformat()
        home = person.home_address
        emails = [
            self._email(person, pid + 1, "W1", person.work_email, True, first),
            self._email(person, pid + 2, "H1", person.personal_email, False, first),
        ]
        if person.work_email is None:
            emails = [self._email(person, pid + 2, "H1", person.personal_email, True, first)]
        name = _Item(
            {
                "PersonNameId": pid + 3,
                "EffectiveStartDate": first,
                "EffectiveEndDate": END_OF_TIME,
                "LegislationCode": self.company.site(person.site_id).country_code,
                "LastName": person.last_name,
                "FirstName": person.first_name,
                "Title": None,
                "MiddleNames": None,
                "KnownAs": None,
                "DisplayName": person.display_name,
                "OrderName": f"{person.last_name} {person.first_name}",
                "ListName": f"{person.last_name}, {person.first_name}",
                "FullName": f"{person.first_name} {person.last_name}",
                **_audit(person),
            },
            str(pid + 3),
        )
        phone = _Item(
            {
                "PhoneId": pid + 4,
                "PhoneType": "H1",
                "PhoneNumber": person.personal_phone,
                "FromDate": first,
                "ToDate": None,
                "PrimaryFlag": True,
                **_audit(person),
            },
            str(pid + 4),
        )
        address = _Item(
            {
                "AddressId": pid + 5,
                "AddressType": "HOME",
                "AddressLine1": home.line1 if home else None,
                "TownOrCity": home.city if home else None,
                "PostalCode": home.postcode if home else None,
                "Country": self.company.site(person.site_id).country_code,
                "EffectiveStartDate": first,
                "EffectiveEndDate": END_OF_TIME,
                **_audit(person),
            },
            str(pid + 5),
        )
        relationships = [
            self._relationship(person, spell, spell is spells[-1], as_of) for spell in spells
        ]
        attributes = {
            "PersonId": pid,
            "PersonNumber": str(person.serial),
            "CorrespondenceLanguage": None,
            "BloodType": None,
            "DateOfBirth": _day(person.date_of_birth),
            "DateOfDeath": None,
            "CountryOfBirth": None,
            "RegionOfBirth": None,
            "TownOfBirth": None,
            "ApplicantNumber": None,
            **_audit(person),
        }
        uniq = f"00020000000EACED0005770800{pid:016X}{as_of:%Y%m%d}"
        children = {
            "names": [name],
            "emails": emails,
            "phones": [phone],
            "addresses": [address],
            "workRelationships": relationships,
        }
        return _Item(attributes, uniq, children)

    @staticmethod
    def _email(
        person: SyntheticPerson,
        email_id: int,
        kind: str,
        address: str | None,
        primary: bool,
        first: str,
    ) -> _Item:
        attributes = {
            "EmailAddressId": email_id,
            "EmailType": kind,
            "EmailAddress": address,
            "FromDate": first,
            "ToDate": None,
            "PrimaryFlag": primary,
            **_audit(person),
        }
        return _Item(attributes, str(email_id))

    def _relationship(
        self, person: SyntheticPerson, spell: _Spell, latest: bool, as_of: date
    ) -> _Item:
        site = self.company.site(person.site_id)
        last_working = (
            person.garden_leave_start - timedelta(days=1)
            if latest and person.garden_leave_start and spell.end
            else None
        )
        attributes = {
            "PeriodOfServiceId": _period_id(person, spell.index),
            "LegislationCode": site.country_code,
            "LegalEntityId": _BASE_ID + 300_000_000_000 + int(site.id),
            "LegalEmployerName": f"{self.company.name} {site.country_code}",
            "WorkerType": "C" if person.contractor else "E",
            "PrimaryFlag": latest,
            "StartDate": spell.start.isoformat(),
            "LegalEmployerSeniorityDate": None,
            "EnterpriseSeniorityDate": None,
            "OnMilitaryServiceFlag": False,
            "WorkerNumber": None,
            "ReadyToConvertFlag": None,
            "TerminationDate": _day(spell.end),
            "NotificationDate": _day(spell.end),
            "LastWorkingDate": _day(last_working),
            "RevokeUserAccess": "A" if spell.end else None,
            "RecommendedForRehire": "ORA_NS" if spell.end else None,
            "RecommendationReason": None,
            "RecommendationAuthorizedByPersonId": None,
            **_audit(person),
        }
        assignment = self._assignment(person, spell, latest, as_of)
        return _Item(
            attributes, str(attributes["PeriodOfServiceId"]), {"assignments": [assignment]}
        )

    def _assignment(
        self, person: SyntheticPerson, spell: _Spell, latest: bool, as_of: date
    ) -> _Item:
        department = self.company.department(person.department_id)
        site = self.company.site(person.site_id)
        status = _status(person, spell, latest, as_of)
        ended = status is _Status.INACTIVE
        row_start = spell.end + timedelta(days=1) if ended and spell.end else spell.start
        row_end = END_OF_TIME if ended or spell.end is None else spell.end.isoformat()
        worker = "CWK" if person.contractor else "EMP"
        aid = _assignment_id(person, spell.index)
        attributes = {
            "AssignmentId": aid,
            "AssignmentNumber": _assignment_number(person, spell.index),
            "AssignmentName": department.name,
            "ActionCode": "TERMINATION" if ended else ("HIRE" if spell.index == 0 else "REHIRE"),
            "ReasonCode": None,
            "EffectiveStartDate": row_start.isoformat(),
            "EffectiveEndDate": row_end,
            "EffectiveSequence": 1,
            "EffectiveLatestChange": "Y",
            "BusinessUnitName": f"{self.company.name} BU",
            "AssignmentType": "C" if person.contractor else "E",
            "AssignmentStatusTypeCode": f"{status.value}_PROCESS",
            "AssignmentStatusType": status.value,
            "SystemPersonType": f"EX_{worker}" if ended else worker,
            "UserPersonType": _PERSON_TYPES[(person.contractor, ended)],
            "ProjectedStartDate": None,
            "ProjectedEndDate": None,
            "PrimaryFlag": latest,
            "PrimaryAssignmentFlag": True,
            "PositionId": None,
            "JobId": None,
            "JobCode": None,
            "DepartmentId": _org_id(department.id),
            "DepartmentName": department.name,
            "LocationId": _location_id(site.id),
            "LocationCode": _location_code(site.name, site.country_code),
            "WorkAtHomeFlag": False,
            "WorkerCategory": None,
            "FullPartTime": "FULL_TIME",
            "PermanentTemporary": "R",
            "ManagerFlag": person.id in self.managers,
            "NormalHours": 40,
            "Frequency": "W",
            **_audit(person),
        }
        managers = [] if ended else self._managers(person, aid, attributes, as_of)
        return _Item(attributes, str(aid), {"managers": managers})

    def _managers(
        self, person: SyntheticPerson, aid: int, row: Mapping[str, Any], as_of: date
    ) -> list[_Item]:
        manager = self.people.get(person.manager_id) if person.manager_id else None
        spells = _spells(manager, as_of, self.today) if manager else ()
        if manager is None or not spells:
            return []
        supervisor = aid + 50
        attributes = {
            "AssignmentSupervisorId": supervisor,
            "ManagerAssignmentId": _assignment_id(manager, spells[-1].index),
            "ManagerAssignmentNumber": _assignment_number(manager, spells[-1].index),
            "ManagerType": "LINE_MANAGER",
            "ManagerTypeMeaning": "Line Manager",
            "ActionCode": row["ActionCode"],
            "ReasonCode": None,
            "EffectiveStartDate": row["EffectiveStartDate"],
            "EffectiveEndDate": row["EffectiveEndDate"],
            **_audit(person),
        }
        return [_Item(attributes, str(supervisor))]

    def departments(self) -> list[_Item]:
        return [
            _Item(
                {
                    "OrganizationId": _org_id(d.id),
                    "Name": d.name,
                    "Title": None,
                    "ClassificationCode": "DEPARTMENT",
                    "Status": "I" if d.archived else "A",
                    "EffectiveStartDate": "2000-01-01",
                    "EffectiveEndDate": END_OF_TIME,
                    "LocationId": None,
                },
                str(_org_id(d.id)),
            )
            for d in self.company.departments
        ]

    def locations(self) -> list[_Item]:
        return [
            _Item(
                {
                    "LocationId": _location_id(s.id),
                    "LocationCode": _location_code(s.name, s.country_code),
                    "LocationName": s.name,
                    "ActiveStatus": "A",
                    "SetCode": "COMMON",
                    "AddressLine1": None,
                    "TownOrCity": s.city,
                    "PostalCode": None,
                    "Country": s.country_code,
                    "EffectiveStartDate": "2000-01-01",
                    "EffectiveEndDate": END_OF_TIME,
                },
                str(_location_id(s.id)),
            )
            for s in self.company.sites
        ]


# --- query parameters -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shape:
    """What of an item goes out: its attributes (None: all) and its expanded children."""

    fields: frozenset[str] | None = None
    children: dict[str, _Shape] = field(default_factory=dict)


def _child_tree(tree: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    node = tree
    for name in path.split("."):
        if name not in node:
            raise OracleError(400, f"The child resource {path} is not valid.")
        node = node[name]
    return node


def _everything(tree: Mapping[str, Any]) -> _Shape:
    return _Shape(None, {name: _everything(sub) for name, sub in tree.items()})


def _with_path(shape: _Shape, names: list[str], leaf: frozenset[str] | None, empty: bool) -> _Shape:
    """``shape`` with the child at ``names`` set to ``leaf`` fields; parents that were not asked
    for get no attributes when ``empty`` (``fields``), all of them otherwise (``expand``)."""
    if not names:
        return _Shape(leaf, shape.children)
    head, rest = names[0], names[1:]
    child = shape.children.get(head) or _Shape(frozenset() if empty else None)
    return _Shape(shape.fields, {**shape.children, head: _with_path(child, rest, leaf, empty)})


def _shape(params: Mapping[str, str], tree: Mapping[str, Any], leak: bool) -> _Shape:
    if leak:
        return _everything(tree)
    fields = params.get("fields")
    if fields is not None:
        top: frozenset[str] = frozenset()
        shape = _Shape(top)
        for segment in fields.split(";"):
            path, colon, names = segment.partition(":")
            listed = (names if colon else path).split(",")
            wanted = frozenset(n.strip() for n in listed if n.strip())
            if not colon:
                shape = _Shape(wanted | (shape.fields or frozenset()), shape.children)
                continue
            _child_tree(tree, path)
            shape = _with_path(shape, path.split("."), wanted, empty=True)
        return shape
    expand = params.get("expand")
    if not expand:
        return _Shape()
    if expand.strip().lower() == "all":
        return _everything(tree)
    shape = _Shape()
    for path in (p.strip() for p in expand.split(",") if p.strip()):
        _child_tree(tree, path)
        shape = _with_path(shape, path.split("."), None, empty=False)
    return shape


class _Op(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    LIKE = "like"


_CONDITION = re.compile(
    r"^\s*(?P<path>[A-Za-z][\w.]*)\s*(?P<op>!=|<=|>=|=|<|>|\slike\s)\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
_COMPARE: dict[_Op, Callable[[Any, Any], bool]] = {
    _Op.EQ: operator.eq,
    _Op.NE: operator.ne,
    _Op.LT: operator.lt,
    _Op.LE: operator.le,
    _Op.GT: operator.gt,
    _Op.GE: operator.ge,
}
_AND = re.compile(r"\s+and\s+|;", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Condition:
    path: tuple[str, ...]
    op: _Op
    value: str

    def holds(self, item: _Item) -> bool:
        head, rest = self.path[0], self.path[1:]
        if rest:
            if head not in item.children:
                raise OracleError(400, f"The child resource {head} is not valid.")
            return any(_Condition(rest, self.op, self.value).holds(c) for c in item.children[head])
        if head not in item.attributes:
            raise OracleError(400, f"The attribute {head} is not valid in the query.")
        return self._compare(item.attributes[head])

    def _compare(self, actual: Any) -> bool:
        if actual is None:
            return self.op is _Op.NE
        if self.op is _Op.LIKE:
            pattern = ".*".join(re.escape(part) for part in self.value.split("%"))
            return re.fullmatch(pattern, str(actual), re.DOTALL) is not None
        left: Any = actual
        right: Any = self.value
        if isinstance(actual, bool):
            left, right = str(actual).lower(), self.value.lower()
        elif isinstance(actual, int):
            try:
                right = int(self.value)
            except ValueError:
                raise OracleError(400, f"The value {self.value} is not a number.") from None
        else:
            left = str(actual)
        return _COMPARE[self.op](left, right)


def _conditions(q: str | None) -> tuple[_Condition, ...]:
    if not q:
        return ()
    found = []
    for text in _AND.split(q):
        match = _CONDITION.match(text)
        if not match:
            raise OracleError(400, f"The query {text!r} is not valid.")
        value = match["value"]
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        found.append(
            _Condition(tuple(match["path"].split(".")), _Op(match["op"].strip().lower()), value)
        )
    return tuple(found)


def _order(raw: str | None) -> tuple[tuple[str, bool], ...]:
    """``orderBy`` as (attribute, descending) pairs."""
    if not raw:
        return ()
    pairs = []
    for part in (p.strip() for p in raw.split(",") if p.strip()):
        name, _, direction = part.partition(":")
        if direction.lower() not in ("", "asc", "desc"):
            raise OracleError(400, f"The sort order {part} is not valid.")
        pairs.append((name, direction.lower() == "desc"))
    return tuple(pairs)


def _int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise OracleError(400, f"The value {raw} of the URL parameter {name} is not valid.")
    return int(raw)


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").lower() == "true"


def _as_of(params: Mapping[str, str], today: date) -> date:
    raw = params.get("effectiveDate")
    if not raw:
        return today
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise OracleError(400, f"The effectiveDate {raw} is not a yyyy-MM-dd date.") from None


# --- rendering a page -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Style:
    """Per-request rendering: links or not, children as collections or arrays, the base URL."""

    links: bool
    collections: bool
    base: str


def _links(href: str, name: str, kind: str, children: Iterable[str]) -> list[dict[str, Any]]:
    own = [{"rel": rel, "href": href, "name": name, "kind": kind} for rel in ("self", "canonical")]
    return own + [
        {"rel": "child", "href": f"{href}/child/{c}", "name": c, "kind": "collection"}
        for c in children
    ]


def _project(item: _Item, shape: _Shape, style: _Style, href: str, name: str) -> dict[str, Any]:
    if shape.fields is None:
        out = dict(item.attributes)
    else:
        unknown = shape.fields - item.attributes.keys()
        if unknown:
            raise OracleError(400, f"The field {sorted(unknown)[0]} is not valid.")
        out = {k: v for k, v in item.attributes.items() if k in shape.fields}
    for child, sub in shape.children.items():
        rows = [
            _project(c, sub, style, f"{href}/child/{child}/{c.key}", child)
            for c in item.children.get(child, ())
        ]
        out[child] = (
            _collection(rows, len(rows), 0, DEFAULT_LIMIT, f"{href}/child/{child}", child, style)
            if style.collections
            else rows
        )
    if style.links:
        out["links"] = _links(href, name, "item", item.children)
    return out


def _collection(
    rows: list[dict[str, Any]],
    total: int,
    offset: int,
    limit: int,
    href: str,
    name: str,
    style: _Style,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": rows,
        "count": len(rows),
        "hasMore": offset + len(rows) < total,
        "limit": limit,
        "offset": offset,
    }
    if style.links:
        body["links"] = [{"rel": "self", "href": href, "name": name, "kind": "collection"}]
    return body


_UNSUPPORTED = ("finder", "dependency")


# --- the app --------------------------------------------------------------------------------


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """An Oracle HCM pod over ``company`` with one Fusion user and/or one OAuth client."""
    faults = faults if faults is not None else Faults()
    user = credentials.get("username")
    basic = f"{user}:{credentials.get('password', '')}".encode() if user else None
    client = credentials.get("client_id")
    client_pair = f"{client}:{credentials.get('client_secret', '')}".encode() if client else None
    token = None
    if client_pair:
        claims = base64.urlsafe_b64encode(
            json.dumps({"sub": client, "iss": "https://identity.oraclecloud.com/"}).encode()
        ).rstrip(b"=")
        signature = hashlib.sha256(client_pair).hexdigest()[:43]
        token = f"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{claims.decode()}.{signature}"

    app = vendor_app(
        "Oracle HCM emulator", company, faults, respond=_respond, render_fault=_render_fault
    )
    memo = CompanyMemo(company)

    def authenticate(request: Request) -> None:
        if basic is not None and basic_ok(request, basic):
            return
        if token is not None and bearer_ok(request, token, exact=False):
            return
        raise OracleError(401)

    @app.post("/oauth2/v1/token")
    async def oauth_token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if client_pair is None or not _client_ok(request, client_pair, form):
            return _oauth_error(401, "invalid_client", "Client authentication failed.")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Only client_credentials.")
        if not form.get("scope", "").startswith("urn:opc:resource:"):
            return _oauth_error(400, "invalid_scope", "The requested scope is invalid.")
        body = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL}
        return Response(json.dumps(body), media_type="application/json")

    def renderer() -> _Renderer:
        return memo.get(("renderer",), lambda: _Renderer(company, memo.by_id()))

    def listed(as_of: date) -> tuple[SyntheticPerson, ...]:
        """Who the workers collection holds as of ``as_of``, by PersonId."""

        def build() -> tuple[SyntheticPerson, ...]:
            today = company.today
            people = sorted(memo.people(), key=lambda p: p.serial)
            return tuple(p for p in people if _spells(p, as_of, today))

        return memo.get(("listed", as_of), build)

    def selected(
        as_of: date, conditions: tuple[_Condition, ...], order: tuple[tuple[str, bool], ...]
    ) -> tuple[SyntheticPerson, ...]:
        """``listed`` filtered by ``q`` and sorted by ``orderBy``: built once per query."""

        def build() -> tuple[SyntheticPerson, ...]:
            people = listed(as_of)
            if not conditions and not order:
                return people
            r = renderer()
            items = [(p, r.worker(p, as_of)) for p in people]
            kept = [(p, i) for p, i in items if all(c.holds(i) for c in conditions)]
            for name, descending in reversed(order):
                if kept and name not in kept[0][1].attributes:
                    raise OracleError(400, f"The attribute {name} in orderBy is not valid.")
                # None sorts last either way, as Oracle's default NULLS LAST does; Python's
                # sort is stable in both directions, so earlier keys break ties.
                blank = [pi for pi in kept if pi[1].attributes[name] is None]
                kept = (
                    sorted(
                        (pi for pi in kept if pi[1].attributes[name] is not None),
                        key=lambda pi: pi[1].attributes[name],
                        reverse=descending,
                    )
                    + blank
                )
            return tuple(p for p, _ in kept)

        return memo.get(("selected", as_of, conditions, order), build)

    def page(
        request: Request,
        name: str,
        count_and_rows: Callable[[int, int], tuple[int, list[_Item]]],
        tree: Mapping[str, Any],
    ) -> Response:
        params = request.query_params
        if any(p in params for p in _UNSUPPORTED):
            raise OracleError(400, "This emulator does not serve finders or dependencies.")
        limit = _int(params, "limit", DEFAULT_LIMIT)
        if limit < 1:
            raise OracleError(400, "The value of the URL parameter limit must be at least 1.")
        limit = min(limit, MAX_LIMIT)  # the server overrides a larger page, and says so
        offset = _int(params, "offset", 0)
        shape = _shape(params, tree, faults.leak_sensitive_fields)
        version = request.headers.get("REST-Framework-Version", "1")
        style = _Style(
            links=not _flag(params, "onlyData"),
            collections=version.isdigit() and int(version) >= 2,
            base=str(request.base_url).rstrip("/"),
        )
        total, items = count_and_rows(offset, limit)
        href = f"{style.base}{request.url.path}"
        rows = [_project(i, shape, style, f"{href}/{i.key}", name) for i in items]
        body = _collection(rows, total, offset, limit, href, name, style)
        if _flag(params, "totalResults"):
            body["totalResults"] = total
        return Response(json.dumps(body), media_type="application/json")

    @app.get("/hcmRestApi/resources/{version}/workers")
    async def workers(version: str, request: Request) -> Response:
        _check_version(version)
        authenticate(request)
        params = request.query_params
        as_of = _as_of(params, company.today)
        chosen = selected(as_of, _conditions(params.get("q")), _order(params.get("orderBy")))

        def rows(offset: int, limit: int) -> tuple[int, list[_Item]]:
            r = renderer()
            return len(chosen), [r.worker(p, as_of) for p in chosen[offset : offset + limit]]

        return page(request, "workers", rows, _WORKER_CHILDREN)

    def small(name: str, build: Callable[[_Renderer], list[_Item]]) -> None:
        async def handler(version: str, request: Request) -> Response:
            _check_version(version)
            authenticate(request)
            conditions = _conditions(request.query_params.get("q"))
            items = [i for i in build(renderer()) if all(c.holds(i) for c in conditions)]
            return page(request, name, lambda o, n: (len(items), items[o : o + n]), {})

        app.add_api_route(f"/hcmRestApi/resources/{{version}}/{name}", handler, methods=["GET"])

    small("organizations", _Renderer.departments)
    small("locations", _Renderer.locations)
    return app


def _check_version(version: str) -> None:
    if version not in VERSIONS:
        raise OracleError(404, f"The resource version {version} is not valid.")


def _client_ok(request: Request, expected: bytes, form: Mapping[str, str]) -> bool:
    """Client authentication: Basic id:secret (IAM's usual form) or id and secret in the form."""
    if basic_ok(request, expected):
        return True
    supplied = f"{form.get('client_id', '')}:{form.get('client_secret', '')}".encode()
    return secrets.compare_digest(supplied, expected)


def _oauth_error(status: int, error: str, description: str) -> Response:
    body = {"error": error, "error_description": description}
    return Response(json.dumps(body), status, media_type="application/json")
