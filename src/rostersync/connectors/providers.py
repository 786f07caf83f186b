"""The vendors rostersync can connect to, as known before their connector modules are imported.

A vendor's name, documentation and credential fields are what listing the providers and asking
for credentials need; its connector module (specs, mappers, pydantic models, HTTP) is imported
only when a read needs it (`registry.get_connector`). Each vendor's spec takes its entry here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Listed:
    """The accounts a grant sees, listed: each item's id and the name the admin knows it by."""

    id_key: str
    name_key: str


@dataclass(frozen=True, slots=True)
class Discovery:
    """A credential field the connect flow fills itself after the consent: one GET under the
    API root with the new access token, and where the value sits in its JSON answer.

    With `listed`, `pointer` leads to a list of accounts: one is taken as it is, and from
    several the admin chooses (an admin of several organisations consents for all of them)."""

    field: str
    path: str
    pointer: tuple[str | int, ...]
    listed: Listed | None = None


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """How a vendor's OAuth 2.0 authorization code grant is run (RFC 6749 4.1).

    The operator's app (client id and secret, in settings) is filled into the `client_id` and
    `client_secret` credential fields, the token answer into `refresh_token`, and each
    `discovery` into its field: the admin only says Allow.
    """

    authorize_url: str
    token_url: str
    """Absolute, or a path under the API root (as the connector's own token URL)."""
    scopes: tuple[str, ...]
    """Sent as `scope`; empty where the vendor fixes the scopes when the app is registered."""
    pkce: bool
    """PKCE S256 (RFC 7636) is supported, so it is sent."""
    discovery: tuple[Discovery, ...] = ()


@dataclass(frozen=True, slots=True)
class CredentialField:
    name: str
    label: str
    secret: bool
    required: bool = True
    help: str = ""
    multiline: bool = False
    """A value of several lines (a PEM certificate or key): the form gives it a text area."""


@dataclass(frozen=True)
class Provider:
    slug: str
    """Also the name of its module under rostersync.connectors.vendors."""
    display_name: str
    docs_url: str
    credential_fields: tuple[CredentialField, ...]
    oauth: OAuthApp | None = None
    """Connected through the vendor's consent page, not a credential form."""


HIBOB = Provider(
    slug="hibob",
    display_name="HiBob",
    docs_url="https://apidocs.hibob.com/",
    credential_fields=(
        CredentialField(
            "service_user_id",
            "Service user ID",
            secret=False,
            help="Settings > Integrations > Service users: the ID shown when you created it.",
        ),
        CredentialField(
            "service_user_token",
            "Service user token",
            secret=True,
            help="Shown once, next to the ID, when the service user is created.",
        ),
    ),
)


SAGEHR = Provider(
    slug="sagehr",
    display_name="Sage HR",
    docs_url="https://developer.sage.com/hr/",
    credential_fields=(
        CredentialField(
            "subdomain",
            "Company subdomain",
            secret=False,
            help="The part before .sage.hr in your Sage HR address, e.g. 'acme' for acme.sage.hr.",
        ),
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            help="Settings > Integrations > API, shown once API access is enabled.",
        ),
    ),
)


BREATHEHR = Provider(
    slug="breathehr",
    display_name="Breathe HR",
    docs_url="https://developer.breathehr.com/",
    credential_fields=(
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            help="Configure > Settings > API setup in Breathe: the production key.",
        ),
    ),
)


CHARLIEHR = Provider(
    slug="charliehr",
    display_name="CharlieHR",
    docs_url="https://www.charliehr.com/api_docs/",
    credential_fields=(
        CredentialField(
            "client_id",
            "Client ID",
            secret=False,
            help="Integrations > API Keys in CharlieHR, shown when the key pair is generated.",
        ),
        CredentialField(
            "client_secret",
            "Client secret",
            secret=True,
            help="Shown once, next to the client ID.",
        ),
    ),
)


HUMAANS = Provider(
    slug="humaans",
    display_name="Humaans",
    docs_url="https://docs.humaans.io/api/",
    credential_fields=(
        CredentialField(
            "api_token",
            "API access token",
            secret=True,
            help="Created by a Humaans Owner or Admin with the private:read scope only.",
        ),
    ),
)


FACTORIAL = Provider(
    slug="factorial",
    display_name="Factorial",
    docs_url="https://apidoc.factorialhr.com/",
    credential_fields=(
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            help="Settings > API keys > New API key; it is shown only once.",
        ),
    ),
)


WORKDAY = Provider(
    slug="workday",
    display_name="Workday",
    docs_url="https://doc.workday.com/admin-guide/en-us/integration/workday-reports/report-as-a-service-raas.html",
    credential_fields=(
        CredentialField(
            "host",
            "Workday web services host",
            secret=False,
            help="Host name only, from your tenant's web service URLs, e.g. "
            "wd5-services1.myworkday.com or wd2-impl-services1.workday.com.",
        ),
        CredentialField("tenant", "Tenant name", secret=False, help="e.g. acme or acme_preview"),
        CredentialField(
            "username",
            "Integration System User name",
            secret=False,
            help="The ISU's user name without @tenant; rostersync adds it.",
        ),
        CredentialField("password", "Integration System User password", secret=True),
        CredentialField(
            "report_owner",
            "Report owner",
            secret=False,
            required=False,
            help="User name of the owner of the shared HRIS_* reports; defaults to the ISU.",
        ),
        CredentialField(
            "mode",
            "Read mode",
            secret=False,
            required=False,
            help="raas (default: the three HRIS_* custom reports) or soap "
            "(Human_Resources web service, for tenants that cannot create reports).",
        ),
    ),
)


BAMBOOHR = Provider(
    slug="bamboohr",
    display_name="BambooHR",
    docs_url="https://documentation.bamboohr.com/docs/getting-started",
    credential_fields=(
        CredentialField(
            "company_domain",
            "Company subdomain",
            secret=False,
            help="The 'acme' of https://acme.bamboohr.com.",
        ),
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            help="Created under your name (top right) > API Keys > Add New Key; shown once.",
        ),
    ),
)


DEEL = Provider(
    slug="deel",
    display_name="Deel",
    docs_url="https://developer.deel.com/api/endpoints/people/get-people",
    credential_fields=(
        CredentialField(
            "api_token",
            "API token",
            secret=True,
            help="More > Developer > Access Tokens: an organization token with scopes "
            "people:read and organizations:read, shown once when generated.",
        ),
    ),
)


NAMELY = Provider(
    slug="namely",
    display_name="Namely",
    docs_url="https://developers.namely.com/docs/namely-api",
    credential_fields=(
        CredentialField(
            "company",
            "Company subdomain",
            secret=False,
            help="The part before .namely.com in your Namely address (acme for "
            "https://acme.namely.com).",
        ),
        CredentialField(
            "access_token",
            "Personal access token",
            secret=True,
            help="Created under your profile > API > Personal Access Tokens; shown once.",
        ),
    ),
)


ZENEFITS = Provider(
    slug="zenefits",
    display_name="TriNet Zenefits",
    docs_url="https://developers.zenefits.com/",
    credential_fields=(
        CredentialField(
            "access_token",
            "Access token",
            secret=True,
            help="The OAuth access token of the rostersync app installed in your company, or "
            "an API token generated by a Zenefits admin.",
        ),
    ),
)


EMPLOYMENTHERO = Provider(
    slug="employmenthero",
    display_name="Employment Hero",
    docs_url="https://developer.employmenthero.com/api-references/",
    credential_fields=(
        CredentialField(
            "client_id", "Client ID", secret=False, help="Developer Portal > your OAuth 2.0 app."
        ),
        CredentialField("client_secret", "Client secret", secret=True),
        CredentialField(
            "refresh_token",
            "Refresh token",
            secret=True,
            help="Obtained when an admin authorises the app; rostersync stores newer ones.",
        ),
        CredentialField(
            "organisation_id",
            "Organisation ID",
            secret=False,
            help="The UUID in your Employment Hero URL: /app/v2/organisations/<id>/...",
        ),
    ),
    # https://developer.employmenthero.com/api-references/authentication: authorise at
    # oauth.employmenthero.com/oauth2/authorize, exchange the code at /oauth2/token with
    # client_id, client_secret, code, redirect_uri; PKCE is mandatory from 2026-09-14; scopes
    # are chosen once when the app is registered (.../authentication/obtain-credentials).
    oauth=OAuthApp(
        authorize_url="https://oauth.employmenthero.com/oauth2/authorize",
        token_url="https://oauth.employmenthero.com/oauth2/token",  # noqa: S106 - a URL
        scopes=(),
        pkce=True,
        # GET /api/v1/organisations lists every organisation the consenting admin sees
        # (https://developer.employmenthero.com/api-references/#get-organisations), paged
        # like every list; one page of the largest size is read.
        discovery=(
            Discovery(
                "organisation_id",
                "/api/v1/organisations?item_per_page=100",
                ("data", "items"),
                listed=Listed("id", "name"),
            ),
        ),
    ),
)


GUSTO = Provider(
    slug="gusto",
    display_name="Gusto",
    docs_url="https://docs.gusto.com/app-integrations/docs/introduction",
    credential_fields=(
        CredentialField(
            "client_id",
            "OAuth client ID",
            secret=False,
            help="From the Gusto Developer Portal application that the customer authorized.",
        ),
        CredentialField("client_secret", "OAuth client secret", secret=True),
        CredentialField(
            "refresh_token",
            "Refresh token",
            secret=True,
            help="Issued when the company admin authorized the application; Gusto rotates it "
            "on every refresh and rostersync stores the newest one.",
        ),
        CredentialField(
            "company_uuid",
            "Company UUID",
            secret=False,
            help="The company the grant is for (resource.uuid of GET /v1/token_info).",
        ),
    ),
    # https://docs.gusto.com/app-integrations/docs/oauth2: the admin authorizes at
    # /oauth/authorize (client_id, redirect_uri, response_type=code, state); the code is
    # exchanged at POST /oauth/token with client_id, client_secret, code, redirect_uri and
    # grant_type=authorization_code in the body. Scopes belong to the app
    # (https://docs.gusto.com/app-integrations/docs/scopes); no PKCE is documented.
    oauth=OAuthApp(
        authorize_url="https://api.gusto.com/oauth/authorize",
        token_url="/oauth/token",  # noqa: S106 - a URL, not a secret
        scopes=(),
        pkce=False,
        # "Strict access" (v2023-05-01): one grant, one company, named by GET /v1/token_info.
        discovery=(Discovery("company_uuid", "/v1/token_info", ("resource", "uuid")),),
    ),
)


PERSONIO = Provider(
    slug="personio",
    display_name="Personio",
    docs_url="https://developer.personio.de/v1.0/reference/introduction-1",
    credential_fields=(
        CredentialField(
            "client_id",
            "Client ID",
            secret=False,
            help="Marketplace > Connected integrations (older accounts: Settings > "
            "Integrations > API credentials): the Client ID of the credential.",
        ),
        CredentialField(
            "client_secret",
            "Client secret",
            secret=True,
            help="Shown once when the API credential is generated.",
        ),
    ),
)


RIPPLING = Provider(
    slug="rippling",
    display_name="Rippling",
    docs_url="https://developer.rippling.com/docs/rippling-api",
    credential_fields=(
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            help="Company Settings > API Access > Create API Key; shown once.",
        ),
    ),
)


LUCCA = Provider(
    slug="lucca",
    display_name="Lucca",
    docs_url="https://developers.lucca.fr/api-reference/legacy/authentication",
    credential_fields=(
        CredentialField(
            "host",
            "Lucca address",
            secret=False,
            help="The host you open Lucca on, without https://, e.g. acme.ilucca.net "
            "(acme.ilucca.ch in Switzerland, acme.ilucca-test.net for a test account).",
        ),
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            help="Settings (gear icon) > API keys: the key generated for rostersync.",
        ),
    ),
)


ORACLEHCM = Provider(
    slug="oraclehcm",
    display_name="Oracle HCM Cloud",
    docs_url="https://docs.oracle.com/en/cloud/saas/human-resources/farws/",
    credential_fields=(
        CredentialField(
            "host",
            "Oracle Cloud host",
            secret=False,
            help="The host of your Oracle Fusion address, without https://, e.g. "
            "acme.fa.us2.oraclecloud.com; it must end in .oraclecloud.com.",
        ),
        CredentialField(
            "username",
            "Integration user name",
            secret=False,
            help="The user created for rostersync with the read-only roles of the set-up guide.",
        ),
        CredentialField("password", "Integration user password", secret=True),
    ),
)


UKGPRO = Provider(
    slug="ukgpro",
    display_name="UKG Pro",
    docs_url="https://developer.ukg.com/hcm/reference",
    credential_fields=(
        CredentialField(
            "host",
            "Web services host",
            secret=False,
            help="The host of your UKG Pro web service URLs, without https://, e.g. "
            "service5.ultipro.com (Menu > System Configuration > Security > Web Services).",
        ),
        CredentialField(
            "username",
            "Service account user name",
            secret=False,
            help="Service Account Administration: the web service account made for rostersync.",
        ),
        CredentialField(
            "password",
            "Service account password",
            secret=True,
            help="Shown once when the service account is saved.",
        ),
        CredentialField(
            "customer_api_key",
            "Customer API key",
            secret=True,
            help="Shown at the top of the Service Account Administration page.",
        ),
    ),
)


ADPWORKFORCENOW = Provider(
    slug="adpworkforcenow",
    display_name="ADP Workforce Now",
    docs_url="https://developers.adp.com/articles/general/introduction-to-adp-restful-apis",
    credential_fields=(
        CredentialField(
            "client_id",
            "Client ID",
            secret=False,
            help="ADP API Central > your project > Credentials (RUN: the app's credentials in "
            "the ADP Marketplace).",
        ),
        CredentialField("client_secret", "Client secret", secret=True, help="Next to the ID."),
        CredentialField(
            "client_certificate",
            "Client certificate (PEM)",
            secret=True,
            multiline=True,
            help="The certificate ADP signed for this project, from -----BEGIN CERTIFICATE----- "
            "to -----END CERTIFICATE----- (with any intermediates after it).",
        ),
        CredentialField(
            "private_key",
            "Private key (PEM)",
            secret=True,
            multiline=True,
            help="The key the certificate request was made with, unencrypted, from "
            "-----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY) to its END line.",
        ),
    ),
)


PROVIDERS: dict[str, Provider] = {
    p.slug: p
    for p in (
        HIBOB,
        SAGEHR,
        BREATHEHR,
        CHARLIEHR,
        HUMAANS,
        FACTORIAL,
        WORKDAY,
        BAMBOOHR,
        DEEL,
        NAMELY,
        ZENEFITS,
        EMPLOYMENTHERO,
        GUSTO,
        PERSONIO,
        RIPPLING,
        LUCCA,
        ORACLEHCM,
        UKGPRO,
        ADPWORKFORCENOW,
    )
}
