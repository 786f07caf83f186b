"""The read-only provider catalog that the API, the web pages and the CLI show, and the
vendor profiles the connect pages are written from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rostersync.connectors import PROVIDERS, BadInput, Provider, get_connector

if TYPE_CHECKING:
    from rostersync.connectors import SetupGuide
    from rostersync.connectors.spec import ConnectorSpec, VendorField
    from rostersync.model import AllowedField


@dataclass(frozen=True)
class ProviderInfo(Provider):
    """A provider as the catalog shows it: its listing, its guide and its JSON."""

    @property
    def name(self) -> str:
        return self.slug

    @property
    def uses_oauth(self) -> bool:
        """Connected through the vendor's consent page with the operator's OAuth app."""
        return self.oauth is not None

    @property
    def guide(self) -> SetupGuide:
        """Kept with the vendor's connector, whose module is imported for it."""
        return get_connector(self.name).guide

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "docs_url": self.docs_url,
            "oauth": self.uses_oauth,
            "credential_fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "secret": f.secret,
                    "required": f.required,
                    "multiline": f.multiline,
                }
                for f in self.credential_fields
            ],
        }


def providers() -> list[ProviderInfo]:
    return [
        ProviderInfo(p.slug, p.display_name, p.docs_url, p.credential_fields, p.oauth)
        for p in sorted(PROVIDERS.values(), key=lambda p: p.display_name.lower())
    ]


def provider(name: str) -> ProviderInfo | None:
    return next((p for p in providers() if p.name == name), None)


@dataclass(frozen=True)
class ReadField:
    """A vendor field a request names (or reads from an answer that names none), and the
    allowlisted fields it fills."""

    name: str
    feeds: tuple[AllowedField, ...]
    selects: bool = False
    """Read only to leave records out (archived, deleted): it fills nothing."""

    @property
    def kept(self) -> bool:
        """False for a field read only to decide a status or to leave records out: its value
        itself is never stored."""
        return any(not f.derived for f in self.feeds)


@dataclass(frozen=True)
class Request:
    """One call we make to a vendor: method, documented URL, the parameters we send, and the
    vendor fields it names (none where the API does not let us choose)."""

    method: str
    url: str
    parameters: tuple[tuple[str, str], ...]
    fields: tuple[ReadField, ...] = ()
    keeps: tuple[ReadField, ...] = ()
    """For a request that names no fields: the ones read from its answer; the rest is dropped."""
    per_record: bool = False
    """Made once for each record of the request before it (`{placeholder}` in the URL)."""
    sign_in: bool = False
    """Trades the credentials for a token: it reads no people data."""


@dataclass(frozen=True)
class VendorProfile:
    """What the connect pages show about one vendor, taken from its connector spec."""

    name: str
    display_name: str
    docs_url: str
    summary: str
    steps: tuple[str, ...]
    grant: tuple[str, ...]
    do_not_grant: tuple[str, ...]
    sources: tuple[str, ...]
    requests: tuple[Request, ...]
    kept: tuple[AllowedField, ...]
    """The allowlisted fields this vendor can fill, in allowlist order."""
    unavailable: tuple[AllowedField, ...]
    """Allowlisted fields this vendor never provides: shown as not available, not promised."""
    oauth: bool = False
    """Connected through the vendor's consent page, with the operator's OAuth app."""

    @property
    def status_only(self) -> tuple[str, ...]:
        """Vendor fields read only to decide employment status, never stored."""
        named = (
            f for r in self.requests for f in (*r.fields, *r.keeps) if not (f.kept or f.selects)
        )
        return tuple(dict.fromkeys(f.name for f in named))


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _read_fields(fields: tuple[VendorField, ...]) -> tuple[ReadField, ...]:
    # Imported here: listing the providers (`providers --json`) loads no model.
    from rostersync.model import allowed_field

    return tuple(
        ReadField(f.name, tuple(allowed_field(key) for key in f.feeds), f.selects) for f in fields
    )


def _requests(spec: ConnectorSpec) -> Iterator[Request]:
    # Token-based auth kinds name their sign-in call (absolute, or a path under the root).
    sign_in: str | None = getattr(spec.auth, "sign_in", None)
    if sign_in is not None:
        url = sign_in if "://" in sign_in else spec.api_root + sign_in
        yield Request("POST", url, (), sign_in=True)
    for stream in spec.shown_streams:
        listed = stream.field_list
        sent = {**stream.query, **(stream.payload or {})}
        yield Request(
            stream.method,
            spec.api_root + stream.path,
            # The field list is shown field by field, not as one more parameter.
            tuple((k, _shown(v)) for k, v in sent.items() if listed is None or k != listed.key),
            _read_fields(stream.fields),
            _read_fields(stream.keeps),
        )
        detail = stream.detail
        if detail is not None:
            sent = {**detail.query, **(detail.payload or {})}
            yield Request(
                detail.method,
                spec.api_root + detail.path,
                tuple((k, _shown(v)) for k, v in sent.items()),
                keeps=_read_fields(detail.keeps),
                per_record=True,
            )


def vendor_profile(provider: str) -> VendorProfile:
    connector = get_connector(provider)
    spec: ConnectorSpec | None = getattr(connector, "spec", None)
    guide = getattr(connector, "guide", None)
    if spec is None or guide is None:
        raise BadInput(f"{connector.display_name} cannot be connected through a link yet")
    from rostersync.model import ALLOWLIST  # here, as in _requests

    absent = set(spec.not_provided)
    return VendorProfile(
        connector.slug,
        connector.display_name,
        connector.docs_url,
        guide.summary,
        guide.steps,
        guide.grant,
        guide.do_not_grant,
        guide.sources,
        tuple(_requests(spec)),
        tuple(f for f in ALLOWLIST if f.key not in absent),
        tuple(f for f in ALLOWLIST if f.key in absent),
        oauth=spec.provider.oauth is not None,
    )
