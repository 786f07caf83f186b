"""Every command README.md shows works as written.

The CLI walkthrough runs line by line in a fresh directory, the way a newcomer would paste it:
only the ids it prints (TEN, CON) and the emulator's port are filled in. `make demo` runs until
its banner, and the quick start's curl lines run against it until the next sync has turned them
into a joiner and a leaver. Every other command a ```sh block shows is in NOT_RUN with the reason
(a test checks that no command is left out), and every make target resolves with `make -n`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
VENV_BIN = ROOT / ".venv" / "bin"
EMULATOR_PORT = "9000"
DEMO_PORT = "8000"

NOT_RUN = {
    "make test": "it is the suite this test is part of: run here it would recurse (CI runs it)",
    "make lint": "the first step of make test, which CI runs",
    "make chaos": "long-running: minutes of injected faults and process kills",
    "make bench": "long-running: minutes of benchmarks at 1k and 10k people on two databases",
    "make lock": "re-pins every dependency: needs uv and the package index",
}
# The tests' .venv is already installed: make must not reinstall it (pip, the network) only
# because a checkout's pyproject.toml is newer than its stamp.
MAKE = ["make", "-o", ".venv/.installed"]


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
            process.communicate(timeout=30)


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


def test_every_command_the_readme_shows_is_run_or_says_why_not() -> None:
    blocks = shell_blocks(README.read_text())
    every = {command for commands in blocks.values() for command in commands}
    run = set(blocks["Using the CLI"]) | set(blocks["Quick start"]) - NOT_RUN.keys()
    run |= {c for c in every if c.startswith("rostersync connections policy")}
    assert every - run - NOT_RUN.keys() == set()
    # No reason outlives its command.
    assert NOT_RUN.keys() <= every


def _free_port_avoiding(taken: str) -> str:
    while (port := _free_port()) == taken:
        pass
    return port


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`make demo` as written, on a free port and in a throwaway directory (make demo PORT=...,
    DEMO_ARGS: README, Quick start), until its start-up banner: (base URL, what it printed)."""
    (command,) = [c for c in shell_blocks(README.read_text())["Quick start"] if c == "make demo"]
    port = _free_port_avoiding(DEMO_PORT)
    args = f"--data-dir {tmp_path / 'demo'} --people 40 --sync-every 2"
    log = tmp_path / "demo.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [*MAKE, *command.split()[1:], f"PORT={port}", f"DEMO_ARGS={args}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while not re.search(r"start-up finished.*data directory:[^\n]*\n", log.read_text(), re.S):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", log.read_text()
    finally:
        # make and the demo it started: the process group this test made.
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _changes_after(url: str, key: str, seen: set[str]) -> dict[str, int]:
    runs = httpx.get(f"{url}/api/v1/runs", headers={"Authorization": f"Bearer {key}"}).json()
    totals: dict[str, int] = {}
    for run in runs:
        if run["id"] not in seen:
            for name in ("provision", "deprovision"):
                totals[name] = totals.get(name, 0) + run["counts"].get(name, 0)
    return totals


def test_make_demo_and_the_quick_start_recipe_run_as_written(demo: tuple[str, str]) -> None:
    url, printed = demo
    admin_key = re.findall(r"admin API key (\S+)\)", printed)[-1]
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    headers = {"Authorization": f"Bearer {admin_key}"}
    seen = {r["id"] for r in httpx.get(f"{url}/api/v1/runs", headers=headers).json()}
    people = httpx.get(f"{url}/sandbox/hibob/_sandbox/people").json()
    leaver = next(p for p in people if p["status"] == "active" and p["work_email"])
    for command in shell_blocks(README.read_text())["Quick start"]:
        if command.startswith("curl "):
            command = command.replace(f"localhost:{DEMO_PORT}", url.removeprefix("http://"))
            command = command.replace("PERSON_ID", leaver["id"])
            done = subprocess.run(["bash", "-c", f"{command} --fail"], capture_output=True)
            assert done.returncode == 0, (command, done.stderr)
    # The next syncs (every 2 s here) turn the recipe into one joiner and one leaver.
    deadline = time.monotonic() + 60
    while (changes := _changes_after(url, admin_key, seen)) != {"provision": 1, "deprovision": 1}:
        assert time.monotonic() < deadline, changes
        time.sleep(0.5)
