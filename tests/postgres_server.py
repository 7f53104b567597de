"""A real PostgreSQL server for the tests: the one named by FANDEX_TEST_POSTGRES_URL, or a throwaway
cluster started from the machine's own binaries in a temp folder, on a free loopback port.

No fake: the store's PostgreSQL backend is tested against the server it will run on. Without
PostgreSQL the tests that need it skip, saying how to get it; FANDEX_REQUIRE_POSTGRES=1 (set by CI)
turns that skip into a failure.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

URL_VARIABLE = "FANDEX_TEST_POSTGRES_URL"
REQUIRE_VARIABLE = "FANDEX_REQUIRE_POSTGRES"
HOW_TO_GET_IT = (
    "PostgreSQL is not installed: install Debian's `postgresql` package (initdb and pg_ctl are then "
    f"under /usr/lib/postgresql/*/bin) or set {URL_VARIABLE}=postgresql://user:password@host:port/dbname"
)
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """No server to test against; the message says how to get one."""


@dataclass(frozen=True)
class PostgresServer:
    """A server the tests may create databases on: `url` names its maintenance database."""

    host: str
    port: int
    user: str
    password: str | None = None

    def url(self, database: str = "postgres") -> str:
        secret = f":{self.password}" if self.password else ""
        return f"postgresql://{self.user}{secret}@{self.host}:{self.port}/{database}"


def postgres_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name or 0))
    for folder in reversed(versions):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


@contextlib.contextmanager
def postgres_server(*, fsync: bool = False) -> Iterator[PostgresServer]:
    """The server named in the environment, else a throwaway cluster stopped and deleted afterwards.
    Tests want it fast (`fsync` off); the benchmark compares it with SQLite's durable commits (on)."""
    if url := os.environ.get(URL_VARIABLE):
        yield _from_url(url)
        return
    binaries = postgres_binaries()
    if binaries is None:
        raise PostgresUnavailable(HOW_TO_GET_IT)
    with _throwaway_cluster(binaries, fsync=fsync) as server:
        yield server


def _from_url(url: str) -> PostgresServer:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise PostgresUnavailable(f"{URL_VARIABLE} must look like postgresql://user:password@host:port/dbname")
    return PostgresServer(parts.hostname, parts.port or 5432, parts.username or "postgres", parts.password)


@contextlib.contextmanager
def _throwaway_cluster(binaries: Path, *, fsync: bool) -> Iterator[PostgresServer]:
    """initdb, then pg_ctl start on 127.0.0.1 and a free port; as root, both run as the `postgres`
    user (PostgreSQL refuses to run as root)."""
    as_user = _run_as_postgres() if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="fandex-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if as_user:
        owner = pwd.getpwnam("postgres")
        for path in (folder, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    user = "fandex"
    try:
        _run([*as_user, str(binaries / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8",
              "--no-locale", "--no-sync"])
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={sockets} -c fsync={'on' if fsync else 'off'}"
        _run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "server.log"),
              "-w", "-t", str(START_TIMEOUT_S), "start"])
        try:
            yield PostgresServer("127.0.0.1", port, user)
        finally:
            _run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_as_postgres() -> list[str]:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root without a `postgres` user to start PostgreSQL as") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root without `runuser` to start PostgreSQL as the `postgres` user")
    return [runuser, "-u", "postgres", "--"]


def _run(command: list[str], *, check: bool = True) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)
    if check and done.returncode != 0:
        program = next(Path(part).name for part in command if Path(part).name in ("initdb", "pg_ctl"))
        raise PostgresUnavailable(f"{program} failed: {(done.stderr or done.stdout).strip()[-500:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
