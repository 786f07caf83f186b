"""The read-only provider catalog that the API, the web pages and the CLI show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rostersync.connectors import CONNECTORS, CredentialField, SetupGuide


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    display_name: str
    docs_url: str
    credential_fields: tuple[CredentialField, ...]
    guide: SetupGuide

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "docs_url": self.docs_url,
            "credential_fields": [
                {"name": f.name, "label": f.label, "secret": f.secret, "required": f.required}
                for f in self.credential_fields
            ],
        }


def providers() -> list[ProviderInfo]:
    return [
        ProviderInfo(c.slug, c.display_name, c.docs_url, c.credential_fields, c.guide)
        for c in sorted(CONNECTORS.values(), key=lambda c: c.display_name.lower())
    ]


def provider(name: str) -> ProviderInfo | None:
    return next((p for p in providers() if p.name == name), None)


def hides_terminated(name: str) -> bool:
    """Whether a vendor leaves terminated people out of reads (they then just disappear)."""
    connector = CONNECTORS.get(name)
    return bool(getattr(connector, "hides_terminated", False))
