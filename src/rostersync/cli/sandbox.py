"""`rostersync sandbox serve`: one vendor emulator on its own port, for manual tests."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from rostersync.cli.context import parse_pairs, valid_port
from rostersync.connectors import BadInput

sandbox_app = typer.Typer(help="Vendor emulators with synthetic people.", no_args_is_help=True)


def emulator_credentials(
    vendor: str, given: dict[str, str], accepted: tuple[str, ...]
) -> dict[str, str]:
    """The credentials the emulator will accept: those given, and a generated value for each
    one left out (printed at start, so a bare `sandbox serve --vendor hibob` works)."""
    unknown = sorted(given.keys() - set(accepted))
    if unknown:
        raise BadInput(
            f"the {vendor} emulator has no credential {unknown[0]!r}; "
            f"it takes: {', '.join(accepted)}"
        )
    return {name: given.get(name) or f"sandbox-{secrets.token_urlsafe(9)}" for name in accepted}


@sandbox_app.command("serve")
def sandbox_serve(
    vendor: Annotated[str, typer.Option(help="Emulator to serve, e.g. hibob.")] = "hibob",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.", callback=valid_port)] = 9000,
    people: Annotated[int, typer.Option(help="Synthetic people.")] = 300,
    seed: Annotated[int, typer.Option(help="Same seed, same people.")] = 42,
    credential: Annotated[
        list[str],
        typer.Option(help="NAME=VALUE the emulator accepts; each one left out is generated."),
    ] = [],  # noqa: B006
) -> None:
    """Serve the emulator at the vendor's documented paths on http://127.0.0.1:PORT."""
    # Imported when the command runs: the web stack would add about a second to every command.
    import uvicorn

    from rostersync.sandbox import EMULATOR_CREDENTIALS, EMULATORS, Faults, SyntheticCompany

    if vendor not in EMULATORS:
        raise BadInput(f"no emulator {vendor!r}; emulators: {', '.join(sorted(EMULATORS))}")
    accepted = emulator_credentials(
        vendor, parse_pairs(credential, option="--credential"), EMULATOR_CREDENTIALS[vendor]
    )
    company = SyntheticCompany(seed=seed, size=people)
    app = EMULATORS[vendor](company, credentials=accepted, faults=Faults())
    # A sandbox's credentials guard synthetic people only: shown so they can be used.
    shown = " ".join(f"{name}={value}" for name, value in accepted.items())
    typer.echo(f"{vendor} emulator on http://127.0.0.1:{port}/ accepting {shown}")
    uvicorn.run(app, host="127.0.0.1", port=port)
