"""The access log of `rostersync serve` shows no connect-link token and no query string."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli.serving import cli_env, serving
from tests.cli.test_cli import rostersync


def test_the_access_log_carries_no_link_token_and_no_query(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    tenant = rostersync("tenants", "create", "Acme", env=env).stdout.strip()
    log = tmp_path / "serve.log"
    with log.open("w") as output, serving(env, output=output) as base_url:
        link = rostersync(
            "links", "create", "--tenant", tenant, "--base-url", base_url, env=env
        ).stdout.strip()
        token = link.rsplit("/", 1)[1]
        assert token.startswith("cl_")
        assert httpx.get(link).status_code == 200
        assert httpx.get(f"{link}/hris/hibob").status_code == 200
        assert httpx.get(f"{base_url}/healthz?token=secret").status_code == 200
    logged = log.read_text()
    assert token not in logged
    assert "secret" not in logged
    assert logged.count('"GET /connect/… HTTP/1.1" 200') == 2  # still logged, redacted
    assert '"GET /healthz HTTP/1.1" 200' in logged
