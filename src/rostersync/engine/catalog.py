"""The read-only provider catalog that the API, the web pages and the CLI show, and the
vendor profiles the connect pages are written from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rostersync.connectors import PROVIDERS, BadInput, Provider, get_connector

if TYPE_CHECKING:
    from rostersync.connectors import SetupGuide


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
                {"name": f.name, "label": f.label, "secret": f.secret, "required": f.required}
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
class Request:
    """One call we make to a vendor: method, documented URL, and the parameters we send."""

    method: str
    url: str
    parameters: tuple[tuple[str, str], ...]


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
    """Empty for vendors read by custom code; the page then points at the API reference."""
    oauth: bool = False
    """Connected through the vendor's consent page, with the operator's OAuth app."""


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def vendor_profile(provider: str) -> VendorProfile:
    connector = get_connector(provider)
    spec = getattr(connector, "spec", None)
    guide = getattr(connector, "guide", None)
    if spec is None or guide is None:
        raise BadInput(f"{connector.display_name} cannot be connected through a link yet")
    requests = tuple(
        Request(
            stream.method,
            spec.api_root + stream.path,
            tuple((k, _shown(v)) for k, v in {**stream.params, **(stream.body or {})}.items()),
        )
        for stream in spec.streams
    )
    return VendorProfile(
        connector.slug,
        connector.display_name,
        connector.docs_url,
        guide.summary,
        guide.steps,
        guide.grant,
        guide.do_not_grant,
        guide.sources,
        requests,
        oauth=spec.provider.oauth is not None,
    )
