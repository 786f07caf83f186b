"""`rostersync sandbox serve`: one vendor emulator on its own port, for manual tests."""

from __future__ import annotations

from typing import Annotated

import typer

from rostersync.cli.context import parse_pairs, valid_port
from rostersync.connectors import BadInput

sandbox_app = typer.Typer(help="Vendor emulators with synthetic people.", no_args_is_help=True)


@sandbox_app.command("serve")
def sandbox_serve(
    vendor: Annotated[str, typer.Option(help="Emulator to serve, e.g. hibob.")] = "hibob",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.", callback=valid_port)] = 9000,
    people: Annotated[int, typer.Option(help="Synthetic people.")] = 300,
    seed: Annotated[int, typer.Option(help="Same seed, same people.")] = 42,
    credential: Annotated[
        list[str], typer.Option(help="NAME=VALUE the emulator accepts (see its CREDENTIALS).")
    ] = [],  # noqa: B006
) -> None:
    """Serve the emulator at the vendor's documented paths on http://127.0.0.1:PORT."""
    # Imported when the command runs: the web stack would add about a second to every command.
    import uvicorn

    from rostersync.sandbox import EMULATORS, Faults, SyntheticCompany

    if vendor not in EMULATORS:
        raise BadInput(f"no emulator {vendor!r}; emulators: {', '.join(sorted(EMULATORS))}")
    company = SyntheticCompany(seed=seed, size=people)
    app = EMULATORS[vendor](
        company, credentials=parse_pairs(credential, option="--credential"), faults=Faults()
    )
    uvicorn.run(app, host="127.0.0.1", port=port)
