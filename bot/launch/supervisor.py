"""`python -m bot launch --processes N`: run N bot processes, restart one that dies, stop them all on a signal.

Each child is `python -m bot` with SHARD_COUNT and SHARD_IDS for its share (bot/launch/plan.py). Its log
lines are passed through prefixed with "[pN] "; the launcher's own lines say what happened to whom.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time

from bot.launch.launcher import EXIT_CONFIG
from bot.launch.plan import (
    LaunchError,
    ProcessShare,
    plan_processes,
    recommended_shard_count,
    refuse_sqlite,
    shard_choice,
)
from bot.logs import configure_logging, redact
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)

RESTART_FIRST = 1.0  # seconds before the first restart of a child that died
RESTART_CAP = 60.0  # the back-off doubles up to this
STABLE_AFTER = 60.0  # a child that ran this long before dying starts again from RESTART_FIRST
STOP_GRACE = 12.0  # seconds from SIGTERM to SIGKILL; the bot itself closes within SHUTDOWN_GRACE (5 s)
OUTPUT_DRAIN = 1.0  # seconds to read a dead child's last lines
LINE_LIMIT = 1 << 20  # a longer log line is cut, not allowed to stall the reader


class RestartBackoff:
    """How long to wait before restarting a child: doubling while it keeps dying young, reset once it ran stably."""

    def __init__(self, first: float = RESTART_FIRST, cap: float = RESTART_CAP, stable_after: float = STABLE_AFTER) -> None:
        self.first, self.cap, self.stable_after = first, cap, stable_after
        self._next = first

    def after_exit(self, ran_for: float) -> float:
        """The delay before the next start, given how long the run that just ended lasted."""
        if ran_for >= self.stable_after:
            self._next = self.first
        delay = self._next
        self._next = min(self._next * 2, self.cap)
        return delay


def describe_exit(code: int) -> str:
    """An exit status as the log says it: "code -9 (SIGKILL)" for a signal, "code 1" otherwise."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"code {code} ({signal.Signals(-code).name})"
    return f"code {code}"


class Child:
    """One slot of the launch: the bot process currently serving `share`, and its output pump."""

    def __init__(self, share: ProcessShare, env: dict[str, str]) -> None:
        self.share = share
        self.env = env
        self.backoff = RestartBackoff()
        self.process: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=self.env, limit=LINE_LIMIT,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        self.started_at = time.monotonic()
        assert self.process.stdout is not None
        self._pump = asyncio.create_task(self._forward(self.process.stdout))
        log.info("%s started, pid %d", self.share.label, self.process.pid)

    async def _forward(self, output: asyncio.StreamReader) -> None:
        """Pass the child's lines to our stderr, each prefixed with which process wrote it."""
        prefix = f"[p{self.share.index}] "
        while True:
            try:
                line = await output.readline()
            except ValueError:  # longer than LINE_LIMIT; the reader skipped it
                line = b"(a log line over 1 MiB was left out)\n"
            if not line:
                return
            with contextlib.suppress(OSError):  # our stderr went away (a closed pipe): keep reading, or the child blocks
                sys.stderr.write(prefix + line.decode("utf-8", errors="replace").rstrip("\n") + "\n")
                sys.stderr.flush()

    async def wait(self) -> int:
        """Until the child exits and its last lines are out; its exit status."""
        assert self.process is not None and self._pump is not None
        code = await self.process.wait()
        with contextlib.suppress(TimeoutError):  # a grandchild holding the pipe must not hold us
            await asyncio.wait_for(asyncio.shield(self._pump), OUTPUT_DRAIN)
        self._pump.cancel()
        return code

    def signal(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)


class Supervisor:
    """Keeps one bot process per share running until a signal, or until one reports a configuration error."""

    def __init__(self, shares: list[ProcessShare], base_env: dict[str, str]) -> None:
        self.children = [Child(share, share.environment(base_env)) for share in shares]
        self.stopping = asyncio.Event()  # set once: by SIGTERM/SIGINT, or by a child exiting 2
        self.hurry = asyncio.Event()  # a second signal: SIGKILL whatever is still running
        self.status = 0
        self._stop_deadline = 0.0

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            await asyncio.gather(*(self._keep_running(child) for child in self.children))
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        if self._stop_deadline:
            log.info("all processes stopped in %.1f s", time.monotonic() - (self._stop_deadline - STOP_GRACE))
        return self.status

    def _on_signal(self, sig: signal.Signals) -> None:
        if self.stopping.is_set():
            log.warning("%s received again; killing every process now", sig.name)
            self.hurry.set()
            return
        log.info("%s received; stopping %d process(es)", sig.name, len(self.children))
        self._begin_stop()

    def _begin_stop(self) -> None:
        self._stop_deadline = time.monotonic() + STOP_GRACE
        self.stopping.set()

    async def _keep_running(self, child: Child) -> None:
        """Start the child, and again whenever it dies, until the launch stops."""
        while not self.stopping.is_set():
            try:
                await child.start()
            except OSError as exc:  # e.g. out of processes or file descriptors: the others carry on
                delay = child.backoff.after_exit(0.0)
                log.error("%s could not be started (%s); trying again in %.1f s", child.share.label, exc, delay)
                await self._pause(delay)
                continue
            exited = asyncio.create_task(child.wait())
            stop = asyncio.create_task(self.stopping.wait())
            await asyncio.wait({exited, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if not exited.done():
                await self._stop_child(child, exited)
                return
            code = exited.result()
            if self.stopping.is_set():
                return
            if code == EXIT_CONFIG:
                log.error("%s exited with code 2, a configuration error (its lines above say what); stopping every process",
                          child.share.label)
                self.status = EXIT_CONFIG
                self._begin_stop()
                return
            delay = child.backoff.after_exit(time.monotonic() - child.started_at)
            log.warning("%s exited with %s; restarting in %.1f s", child.share.label, describe_exit(code), delay)
            await self._pause(delay)

    async def _pause(self, delay: float) -> None:
        """Sleep before a restart, waking early if the launch is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), delay)

    async def _stop_child(self, child: Child, exited: asyncio.Task[int]) -> None:
        """SIGTERM, then SIGKILL once the grace period is over (or at a second signal)."""
        child.signal(signal.SIGTERM)
        hurry = asyncio.create_task(self.hurry.wait())
        await asyncio.wait({exited, hurry}, timeout=max(0.0, self._stop_deadline - time.monotonic()),
                           return_when=asyncio.FIRST_COMPLETED)
        hurry.cancel()
        if not exited.done():
            if not self.hurry.is_set():
                log.warning("%s did not stop within %.0f s of SIGTERM; killing it", child.share.label, STOP_GRACE)
            child.signal(signal.SIGKILL)
        code = await exited
        log.info("%s stopped with %s", child.share.label, describe_exit(code))


async def launch(settings: Settings, processes: int) -> int:
    """Plan the shards (asking Discord if SHARD_COUNT is unset), then supervise the children."""
    choice = shard_choice(settings)
    recommended = None if choice.count is not None else await recommended_shard_count(settings)
    shares = plan_processes(processes, choice, recommended)
    count = shares[0].shard_count
    if choice.count is not None:
        whence = "SHARD_COUNT"
    else:
        whence = f"GET /gateway/bot recommends {recommended}" + ("; raised to one per process" if count != recommended else "")
    log.info("launching %d process(es) over %d shard(s) (%s): %s",
             processes, count, whence, "; ".join(share.label for share in shares))
    return await Supervisor(shares, dict(os.environ)).run()


def main(processes: int) -> int:
    """`python -m bot launch`: exit 0 after a signal, 2 for a configuration error, 1 if Discord could not be asked."""
    try:
        settings = load_settings()
        refuse_sqlite(processes, settings.database_url)
    except (SettingsError, LaunchError) as exc:
        print(f"fandex: {exc}", file=sys.stderr)
        return EXIT_CONFIG if isinstance(exc, SettingsError) else exc.status
    token = settings.discord_token.get_secret_value()
    configure_logging(settings.log_level, secrets=[token])
    try:
        return asyncio.run(launch(settings, processes))
    except KeyboardInterrupt:  # Ctrl-C before any child started (while asking Discord)
        return 0
    except (SettingsError, LaunchError) as exc:
        print(f"fandex: {redact(str(exc), [token])}", file=sys.stderr)
        return EXIT_CONFIG if isinstance(exc, SettingsError) else exc.status
