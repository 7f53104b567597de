"""End-to-end fixtures: a Discord double on 127.0.0.1 and the real bot process connected to it.

A module shares one double and one bot; each test gets its own guild (guilds are separate worlds, so
tests don't see each other). Tests that restart or reconfigure the bot start their own.

A module that sets `BACKENDS = ("sqlite", "postgresql")` runs every test on each backend: its double and
bot are made once per backend, and a test that starts its own bot gives it `database_url` (None on
SQLite: the bot's own file; on PostgreSQL a new empty database the bot migrates as it starts). Other
modules run on SQLite only, with their test ids unchanged.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.double.contract import SPEC_PATH, Contract
from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.bot_process import BotProcess
from tests.figures import tagged

_CONTRACT: Contract | None = Contract(SPEC_PATH) if SPEC_PATH.exists() else None


def fake_token() -> str:
    """Shaped like a bot token, unique per double, so a leak is found by grepping for it."""
    return f"MTk{secrets.token_urlsafe(20)}.{secrets.token_urlsafe(5)}.{secrets.token_urlsafe(27)}"


# Discord allows one IDENTIFY per bucket per 5 s; with that window every quick restart in the suite
# would be answered with op 9 and cost the bot a 5 s wait. tests/e2e/test_shards.py tests the window.
TEST_IDENTIFY_WINDOW = 1.0


async def new_double(*, shards: int = 1, max_concurrency: int = 1, identify_window: float = TEST_IDENTIFY_WINDOW) -> DiscordDouble:
    """A started double recommending `shards` shards."""
    double = DiscordDouble(
        token=fake_token(), contract=_CONTRACT, shards=shards, max_concurrency=max_concurrency, identify_window=identify_window
    )
    await double.start()
    return double


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of a module with `BACKENDS` run once per backend (module-scoped: one bot per backend)."""
    backends = getattr(metafunc.module, "BACKENDS", None)
    if backends and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends, indirect=True, scope="module")


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """Which store the module's bots run on: "sqlite" unless the module asked for more (see above)."""
    return str(getattr(request, "param", "sqlite"))


async def new_database(request: pytest.FixtureRequest, backend: str) -> str | None:
    """A new, empty store for one bot: None (its SQLite file) or a PostgreSQL database's URL."""
    if backend == "sqlite":
        return None
    databases = request.getfixturevalue("postgres_databases")  # skips without PostgreSQL
    url: str = await databases.fresh(migrated=False)  # the bot migrates it at start-up, as in production
    return url


async def drop_database(request: pytest.FixtureRequest, url: str | None) -> None:
    if url is not None:
        await request.getfixturevalue("postgres_databases").drop(url)


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, backend: str) -> AsyncIterator[str | None]:
    """The store of a bot the test starts itself: `BotProcess(..., database_url=database_url)`."""
    url = await new_database(request, backend)
    yield url
    await drop_database(request, url)


@pytest.fixture(scope="module")
async def double(backend: str) -> AsyncIterator[DiscordDouble]:
    d = await new_double()
    yield d
    await d.close()


@pytest.fixture(scope="module")
async def bot(
    double: DiscordDouble, backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    url = await new_database(request, backend)
    process = BotProcess(double, tmp_path_factory.mktemp("bot"), database_url=url)
    await process.start()
    yield process
    if process.running:
        await process.stop()
    await drop_database(request, url)


@pytest.fixture
async def fresh_double() -> AsyncIterator[DiscordDouble]:
    """A double of the test's own, for tests that count syncs or restart the bot."""
    d = await new_double()
    yield d
    await d.close()


@pytest.fixture
async def guild(double: DiscordDouble, bot: BotProcess) -> FakeGuild:
    return await double.add_guild()


@pytest.fixture
def member(double: DiscordDouble, guild: FakeGuild) -> FakeMember:
    return double.add_member(guild, "foggy")


@pytest.fixture
def moderator(double: DiscordDouble, guild: FakeGuild) -> FakeMember:
    return double.add_member(guild, "karen", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD | Permissions.MANAGE_MESSAGES)


@pytest.fixture(autouse=True)
def figures_by_backend(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test's figures on PostgreSQL are reported apart from SQLite's (whose names stay as they were)."""
    backend = request.getfixturevalue("backend") if "backend" in request.fixturenames else "sqlite"
    with tagged("" if backend == "sqlite" else f" [{backend}]"):
        yield


@pytest.fixture(autouse=True)
def discord_contract_kept(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every e2e test: no body broke Discord's spec, and no message could ping @everyone/@here."""
    doubles = [request.getfixturevalue(n) for n in ("double", "fresh_double") if n in request.fixturenames]
    marks = [(d, len(d.violations), len(d.message_bodies)) for d in doubles]
    yield
    for d, violations_before, bodies_before in marks:
        new_violations = d.violations[violations_before:]
        assert not new_violations, "the bot sent bodies Discord would reject:\n" + "\n".join(new_violations)
        for sent in d.message_bodies[bodies_before:]:
            assert "allowed_mentions" in sent.body, f"{sent.route} sent a message without allowed_mentions"
            assert not {"@everyone", "@here"} & set(sent.pings), f"{sent.route} could ping {sent.pings}"
            assert not [p for p in sent.pings if p.startswith("<@") and not p.startswith("<@&")], f"{sent.route} pings a member"
            roles = [p for p in sent.pings if p.startswith("<@&")]
            if roles:  # only a reminder, posted in its channel, pings — one configured role
                assert "/channels/" in sent.route and sent.route.startswith("POST") and len(roles) == 1, sent.route
                assert sent.body["allowed_mentions"].get("roles") == [roles[0][3:-1]], sent.route
        from tests.figures import record

        record("outgoing message bodies audited for pings", len(d.message_bodies) - bodies_before)


def workdir(tmp_path: Path, name: str = "bot") -> Path:
    path = tmp_path / name
    path.mkdir(parents=True, exist_ok=True)
    return path
