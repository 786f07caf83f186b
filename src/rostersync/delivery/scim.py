"""SCIM 2.0 delivery (RFC 7643, RFC 7644): each stored lifecycle event becomes the few writes
that make the service provider's user look like the event says, through scim2-client.

- A user is found by externalId (`{connection_id}:{remote_id}`: stable when an email changes),
  then by `userName eq` the work email (an account the product had before rostersync, or a
  rehire under a new HRIS id). Only `eq` filters are sent: many servers implement no other.
- Writes are PATCHes of the managed attributes that differ, so a re-run sends no write at all;
  a PUT of the whole resource replaces them when the ServiceProviderConfig says PATCH is not
  supported. Writes carry If-Match when it announces ETags (scim2-client adds it from the
  version the user was read with). A 409 on create or a 412 on a write means someone wrote
  first: the user is matched again and the write re-planned against what is there now.
- Deprovision is `active=false`; DELETE only for `user.delete` when the destination opts in
  (`options.hard_delete`): the planner sends that event after the policy's grace period.
- The manager is the manager's SCIM id, looked up by their externalId. A manager not on the
  server yet is left out and tried again when the round ends (managers and reports often
  arrive in one round); after that, the planner's `manager.resolved` event sets it.

Error texts carry the HTTP status and scimType only: SCIM error details often quote the
userName, and the delivery log must never hold personal data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from scim2_client import BaseSyncSCIMClient, SCIMClientException
from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    ListResponse,
    Manager,
    Name,
    PatchOp,
    PatchOperation,
    Path,
    Resource,
    ResourceType,
    SCIMException,
    ScimFilter,
    ScimProvider,
    SearchRequest,
    User,
)

from rostersync.delivery.scim_scope import GroupLookup, OrgUnit
from rostersync.delivery.webhooks import Outcome
from rostersync.net import Client, HostGuard, NetError, build_client, retry_after

log = logging.getLogger("rostersync.delivery.scim")

_EXTENSION = str(EnterpriseUser.__schema__)
DEPARTMENT, MANAGER = f"{_EXTENSION}:department", f"{_EXTENSION}:manager"
_FINAL_STATUSES = frozenset({400, 413, 501})
"""The server refused the request itself: sending it again gets the same answer."""
_MODELS = (User, EnterpriseUser, Group)
_ADD, _REMOVE, _REPLACE = (
    PatchOperation.Op.add,
    PatchOperation.Op.remove,
    PatchOperation.Op.replace_,
)


def external_id(connection_id: str, remote_id: str) -> str:
    return f"{connection_id}:{remote_id}"


@dataclass(frozen=True, slots=True)
class Wanted:
    """The user as the event says the service provider should have it."""

    external_id: str
    connection_id: str
    email: str | None
    first_name: str
    last_name: str
    active: bool
    department: str | None
    manager_external_id: str | None
    groups: tuple[tuple[str, OrgUnit], ...]
    """(externalId, group) for each of the person's groups whose name is known."""


def wanted_user(data: Mapping[str, Any], groups: Mapping[str, OrgUnit], *, active: bool) -> Wanted:
    employee = data["employee"]
    connection_id = str(data["connection_id"])
    group_ids = [str(g) for g in employee.get("group_ids") or ()]
    known = [(g, groups[g]) for g in group_ids if g in groups]
    names = [unit.name for _, unit in known if unit.group_type == "DEPARTMENT"] or [
        unit.name for _, unit in known
    ]
    # Without a stored name (the connection's groups were purged since) the id still tells
    # departments apart, which beats dropping the attribute.
    department = next(iter(names or group_ids), None)
    manager = employee.get("manager_remote_id")
    return Wanted(
        external_id=external_id(connection_id, str(employee["remote_id"])),
        connection_id=connection_id,
        email=employee.get("work_email"),
        first_name=employee["first_name"],
        last_name=employee["last_name"],
        active=active,
        department=department,
        manager_external_id=external_id(connection_id, str(manager)) if manager else None,
        groups=tuple((external_id(connection_id, g), unit) for g, unit in known),
    )


class _Engine(BaseSyncSCIMClient):
    """scim2-client over a client from net.build_client, so the host guard vets each request.

    It remembers the last response: its status goes to the delivery log, its Retry-After to
    the outbox schedule.
    """

    def __init__(self, client: Client) -> None:
        # The models are ours; the resource types (endpoints, extensions) are the server's.
        super().__init__(provider=ScimProvider(models=_MODELS, resource_types=[]))
        self.client = client
        self.last: httpx.Response | None = None

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        try:
            url = self.client.build_request("GET", endpoint).url
        except httpx.InvalidURL:
            return False
        same_origin = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
        return same_origin and url.raw_path.startswith(base.raw_path)

    def _parse_json(self, response: Any) -> Any:
        return cast(httpx.Response, response).json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.last = self.client.request(method, url, **kwargs)
        return self.last


class _LeftForAPerson(Exception):
    """No write can settle it (two users match, a userName taken by someone else): retrying
    only holds back the person's later events, so it fails at once for a person to look at."""


@dataclass
class ScimTarget:
    """One SCIM destination for one delivery round: discovered once, then one call per event."""

    url: str
    token: str
    options: Mapping[str, Any]
    groups_of: GroupLookup
    allow_loopback: bool
    timeout: float = 15.0
    _engine: _Engine | None = None
    _user: type[Resource[Any]] = User
    _group: type[Resource[Any]] | None = None
    _pending_managers: list[tuple[str, str]] = field(default_factory=list)
    _group_cache: dict[str, Mapping[str, OrgUnit]] = field(default_factory=dict)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.client.close()

    def deliver(self, event_type: str, body: str) -> Outcome:
        data = json.loads(body)["data"]
        try:
            engine = self._connect()
            self._apply(engine, event_type, data)
        except (SCIMException, SCIMClientException, httpx.HTTPError, NetError) as exc:
            return self._failure(exc)
        except _LeftForAPerson as exc:
            return Outcome(False, None, str(exc), final=True)
        except ValueError as exc:
            # pydantic refused the event's values as SCIM (its message would quote them).
            return Outcome(False, None, f"not a valid SCIM user ({type(exc).__name__})", final=True)
        last = self._engine.last if self._engine else None
        return Outcome(True, last.status_code if last is not None else None, None)

    def finish(self) -> None:
        """The second pass: reports whose manager arrived later in this round learn the link."""
        pending, self._pending_managers = self._pending_managers, []
        if not pending or self._engine is None:
            return
        engine = self._engine
        for user_id, manager_external_id in pending:
            try:
                manager = self._find(engine, "externalId", manager_external_id)
                if manager is not None:
                    current = cast(Resource[Any], engine.query(self._user, user_id))
                    self._update(engine, current, {MANAGER: Manager(value=manager.id)})
            except (SCIMException, SCIMClientException, httpx.HTTPError, NetError, ValueError):
                log.warning("SCIM manager link for %s left for a later event", user_id)

    # --- the round's connection ---------------------------------------------------------

    def _connect(self) -> _Engine:
        if self._engine is not None:
            return self._engine
        client = build_client(
            HostGuard(allow_loopback=self.allow_loopback),
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.token}"},
            base_url=self.url,
        )
        engine = _Engine(client)
        try:
            engine.discover(schemas=False)
        except (SCIMException, SCIMClientException):
            # Some servers serve /Users and /Groups but not the discovery endpoints: assume
            # the RFC's defaults there (PATCH, no ETags) rather than refuse to deliver.
            engine.provider = ScimProvider(
                models=_MODELS,
                resource_types=[
                    ResourceType.from_resource(User[EnterpriseUser]),
                    ResourceType.from_resource(Group),
                ],
            )
        self._user = engine.get_resource_model(str(User.__schema__)) or User
        self._group = engine.get_resource_model(str(Group.__schema__))
        self._engine = engine
        return engine

    @property
    def _enterprise(self) -> bool:
        return _EXTENSION in self._user.get_extension_models()

    @property
    def _patch_supported(self) -> bool:
        config = self._engine.provider.config if self._engine else None
        return config is None or config.patch is None or bool(config.patch.supported)

    # --- one event ----------------------------------------------------------------------

    def _apply(self, engine: _Engine, event_type: str, data: Mapping[str, Any]) -> None:
        groups = self._groups(str(data["connection_id"]))
        if event_type in ("user.deprovision", "user.delete"):
            wanted = wanted_user(data, groups, active=False)
            if event_type == "user.delete" and self.options.get("hard_delete"):
                self._delete(engine, wanted)
            else:
                self._write(engine, wanted, only_active=True)
            return
        wanted = wanted_user(data, groups, active=True)
        user_id = self._write(engine, wanted, only_active=False)
        if user_id is not None and self.options.get("groups") and self._group is not None:
            self._memberships(engine, user_id, wanted)

    def _groups(self, connection_id: str) -> Mapping[str, OrgUnit]:
        if connection_id not in self._group_cache:
            self._group_cache[connection_id] = self.groups_of(connection_id)
        return self._group_cache[connection_id]

    def _write(self, engine: _Engine, wanted: Wanted, *, only_active: bool) -> str | None:
        """Create or update the user; returns its SCIM id (None: a leaver who is not there)."""
        for attempt in (1, 2):
            current = self._match(engine, wanted)
            if current is None and only_active:
                return None
            values = {"active": False} if only_active else self._values(engine, wanted)
            try:
                user_id = self._create_or_update(engine, current, wanted, values)
            except SCIMException as exc:
                if exc.status not in (409, 412):
                    raise
                if attempt == 2 and exc.status == 409:
                    raise _LeftForAPerson("another SCIM user holds this userName") from exc
                if attempt == 2:
                    raise
                log.info("SCIM %s: someone wrote first; matching again", exc.status)
                continue
            if MANAGER in values and values[MANAGER] is None and wanted.manager_external_id:
                self._pending_managers.append((user_id, wanted.manager_external_id))
            return user_id
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _create_or_update(
        self,
        engine: _Engine,
        current: Resource[Any] | None,
        wanted: Wanted,
        values: Mapping[str, Any],
    ) -> str:
        if current is None:
            if not wanted.email:
                # The planner never provisions without a work email, and userName is it.
                raise _LeftForAPerson("no work email to create the SCIM user with")
            user = self._user()
            for path, value in values.items():
                user[path] = value
            return str(cast(Resource[Any], engine.create(user)).id)
        changes = {
            path: value
            for path, value in values.items()
            if _comparable(path, value) != _comparable(path, current[path])
        }
        if changes:
            self._update(engine, current, changes)
        return str(current.id)

    def _match(self, engine: _Engine, wanted: Wanted) -> Resource[Any] | None:
        found = self._find(engine, "externalId", wanted.external_id)
        if found is None and wanted.email:
            found = self._find(engine, "userName", wanted.email)
        return found

    def _find(
        self, engine: _Engine, attribute: str, value: str, model: type[Resource[Any]] | None = None
    ) -> Resource[Any] | None:
        response = engine.query(
            model or self._user,
            query_parameters=_eq(attribute, value),
        )
        resources = cast("ListResponse[Any]", response).resources or []
        if len(resources) > 1:
            raise _LeftForAPerson(f"more than one SCIM resource has this {attribute}")
        return cast(Resource[Any], resources[0]) if resources else None

    def _values(self, engine: _Engine, wanted: Wanted) -> dict[str, Any]:
        values: dict[str, Any] = {
            "externalId": wanted.external_id,
            "name": Name(given_name=wanted.first_name, family_name=wanted.last_name),
            "active": wanted.active,
        }
        if wanted.email:
            values["userName"] = wanted.email
            values["emails"] = [Email(value=wanted.email, type=Email.Type.work, primary=True)]
        if self._enterprise:
            values[DEPARTMENT] = wanted.department
            manager = (
                self._find(engine, "externalId", wanted.manager_external_id)
                if wanted.manager_external_id
                else None
            )
            values[MANAGER] = Manager(value=manager.id) if manager is not None else None
        return values

    def _update(self, engine: _Engine, current: Resource[Any], changes: Mapping[str, Any]) -> None:
        if self._patch_supported:
            engine.modify(current, _patch_op(type(current), changes))
            return
        replacement = current.model_copy(deep=True)
        for path, value in changes.items():
            replacement[path] = value
        engine.replace(replacement)

    def _delete(self, engine: _Engine, wanted: Wanted) -> None:
        current = self._match(engine, wanted)
        if current is None:
            return
        try:
            engine.delete(current)
        except SCIMException as exc:
            if exc.status != 404:
                raise

    def _memberships(self, engine: _Engine, user_id: str, wanted: Wanted) -> None:
        """Department and team groups: add the user where missing, remove where they left.

        Only groups whose externalId carries this connection's prefix are ours to change.
        """
        model = cast(type[Resource[Any]], self._group)
        member = {"value": user_id}
        current = self._member_of(engine, model, user_id)
        wanted_ids = {ext for ext, _ in wanted.groups}
        for ext, group_id in current.items():
            if ext.startswith(f"{wanted.connection_id}:") and ext not in wanted_ids:
                path = f"members[value eq {json.dumps(user_id)}]"
                engine.modify(model, group_id, _patch_op(model, {path: None}))
        for ext, unit in wanted.groups:
            if ext in current:
                continue
            group = self._find(engine, "externalId", ext, model)
            if group is None:
                engine.create(
                    model.model_validate(
                        {"displayName": unit.name, "externalId": ext, "members": [member]}
                    )
                )
            else:
                add = PatchOperation[Any](op=_ADD, path=Path[Any]("members"), value=[member])
                engine.modify(model, group.id, PatchOp[model](operations=[add]))  # type: ignore[valid-type]

    def _member_of(
        self, engine: _Engine, model: type[Resource[Any]], user_id: str
    ) -> dict[str, str]:
        """externalId to id of the groups the user is in; empty where the server cannot say."""
        try:
            response = engine.query(
                model,
                query_parameters=_eq("members.value", user_id),
            )
        except SCIMException as exc:
            if exc.status not in (400, 501):
                raise
            # Filtering on a sub-attribute is optional: adds still work, removals wait.
            return {}
        groups = cast("ListResponse[Any]", response).resources or ()
        return {g.external_id: g.id for g in groups if g.external_id and g.id}

    # --- outcomes -----------------------------------------------------------------------

    def _failure(self, exc: Exception) -> Outcome:
        last = self._engine.last if self._engine else None
        if isinstance(exc, SCIMException):
            status = int(exc.status or 0) or None
            kind = f", {exc.scim_type}" if exc.scim_type else ""
            return Outcome(
                False,
                status,
                f"SCIM server answered HTTP {status}{kind}",
                retry_after=retry_after(last),
                final=status in _FINAL_STATUSES,
            )
        if isinstance(exc, NetError):
            return Outcome(False, None, str(exc))
        status = last.status_code if last is not None else None
        # httpx messages may quote the URL, and a search URL holds the filter (an email).
        return Outcome(False, status, f"SCIM request failed ({type(exc).__name__})")


@contextmanager
def scim_target(
    url: str,
    token: str,
    *,
    options: Mapping[str, Any],
    groups_of: GroupLookup,
    allow_loopback: bool,
) -> Iterator[ScimTarget]:
    target = ScimTarget(url, token, options, groups_of, allow_loopback)
    try:
        yield target
    finally:
        target.close()


def _patch_op(model: type[Resource[Any]], changes: Mapping[str, Any]) -> PatchOp[Any]:
    operations = [
        PatchOperation[Any](op=_REMOVE, path=Path[Any](path))
        if value is None
        else PatchOperation[Any](op=_REPLACE, path=Path[Any](path), value=value)
        for path, value in changes.items()
    ]
    return PatchOp[model](operations=operations)  # type: ignore[valid-type]


def _eq(attribute: str, value: str) -> SearchRequest[Any]:
    """The only operator sent: servers that filter at all filter with eq."""
    return SearchRequest[Any](filter=ScimFilter[Any](f"{attribute} eq {json.dumps(value)}"))


def _comparable(path: str, value: Any) -> Any:
    """What a managed attribute means, so that equal values never cause a write."""
    if isinstance(value, Manager):
        return value.value
    if isinstance(value, Name):
        return (value.given_name, value.family_name)
    if path == "emails":
        work = [e for e in value or () if e.primary or e.type == Email.Type.work]
        return str(work[0].value).casefold() if work else None
    if path == "userName" and isinstance(value, str):
        return value.casefold()  # userName is caseExact=false (RFC 7643 section 4.1.1)
    return value
