"""Every command README.md shows works as written.

The CLI walkthrough runs line by line in a fresh directory, the way a newcomer would paste it:
only the ids it prints (TEN, CON) and the emulator's port are filled in. The make targets are
resolved with `make -n` (running `make test` inside the tests would recurse; CI runs it, and
tests/e2e/test_demo.py runs the demo and the README's curl lines against it).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
VENV_BIN = ROOT / ".venv" / "bin"
EMULATOR_PORT = "9000"


def shell_blocks(text: str) -> dict[str, list[str]]:
    """The ```sh blocks under each `## ` heading, as commands: continuations joined, comments
    dropped."""
    blocks: dict[str, list[str]] = {}
    heading = ""
    for match in re.finditer(r"^## ([^\n]+)$|^```sh\n(.*?)^```$", text, re.M | re.S):
        if match.group(1):
            heading = match.group(1).strip()
            continue
        blocks.setdefault(heading, []).extend(_commands(match.group(2)))
    return blocks


def _commands(block: str) -> list[str]:
    commands: list[str] = []
    pending = ""
    for line in block.replace("\\\n", " ").splitlines():
        # A line inside an open single quote belongs to the command above it.
        pending = f"{pending}\n{line}" if pending else _without_comment(line)
        if pending.count("'") % 2 == 0:
            if pending:
                commands.append(pending)
            pending = ""
    return commands


def _without_comment(line: str) -> str:
    # README comments follow a command after blanks, or fill a line of their own.
    return re.sub(r"(^|\s+)# .*$", "", line).strip()


def test_every_make_target_the_readme_shows_exists() -> None:
    targets = {
        command.split()[1]
        for commands in shell_blocks(README.read_text()).values()
        for command in commands
        if command.startswith("make ")
    }
    assert {"demo", "test"} <= targets
    for target in sorted(targets):
        done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, f"make {target}: {done.stderr}"


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


class Walkthrough:
    """A newcomer's shell: exported variables persist, `&` starts a server in the background."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
        self.ids: dict[str, str] = {}
        self.port = _free_port()
        self.background: list[subprocess.Popen[str]] = []

    def run(self, command: str) -> str:
        command = command.replace(EMULATOR_PORT, self.port)
        for placeholder, value in self.ids.items():
            command = re.sub(rf"\b{placeholder}\b", value, command)
        if command == ". .venv/bin/activate":
            assert (VENV_BIN / "activate").is_file()
            self.env["PATH"] = f"{VENV_BIN}{os.pathsep}{self.env['PATH']}"
            return ""
        if command.startswith("export "):
            name = command.removeprefix("export ").split("=", 1)[0]
            self.env[name] = self._bash(f'{command}; printf %s "${name}"')
            return ""
        if command.endswith("&"):
            self._start(command.removesuffix("&"))
            return ""
        return self._bash(command)

    def _bash(self, command: str) -> str:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        return done.stdout

    def _start(self, command: str) -> None:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.background.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", int(self.port))) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError(f"{command} never listened on {self.port}")

    def stop(self) -> None:
        for process in self.background:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def walkthrough(tmp_path: Path) -> Iterator[Walkthrough]:
    shell = Walkthrough(tmp_path)
    yield shell
    shell.stop()


def test_the_cli_walkthrough_runs_as_written(walkthrough: Walkthrough) -> None:
    blocks = shell_blocks(README.read_text())
    every = [command for commands in blocks.values() for command in commands]
    policy = [c for c in every if c.startswith("rostersync connections policy")]
    commands = blocks["Using the CLI"] + policy
    outputs = {}
    for command in commands:
        output = walkthrough.run(command)
        outputs[command.split(" --")[0]] = output
        if command.startswith("rostersync tenants create"):
            walkthrough.ids["TEN"] = output.strip()
        elif command.startswith("rostersync connections create"):
            walkthrough.ids["CON"] = output.split()[0]
    assert walkthrough.ids.keys() == {"TEN", "CON"}
    assert "succeeded" in outputs["rostersync sync CON"]
    assert '"type": "employee"' in outputs["rostersync extract hibob"].replace('":"', '": "')
