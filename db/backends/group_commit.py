"""Many small writes per transaction: those that arrive while a commit is under way share the next one.

One transaction per write costs a trip to the writer and a sync each; under a rush (a premiere-night
vote storm, a thousand reminders due at the same instant) that caps throughput far below what Discord
delivers. Each caller still returns only after the transaction holding its write has committed, so
nothing is confirmed that could be lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from db.backends.protocol import Params, Plan, Statement

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Queue items; `write` commits a whole batch in one transaction and returns one result per item."""

    def __init__(self, write: Callable[[list[Item]], Awaitable[Sequence[Result]]]) -> None:
        self._write = write
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions written (for benchmarks and tests)

    async def submit(self, item: Item) -> Result:
        """Write `item` in a shared transaction; its result once that has committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_batches())
        return await future

    async def _write_batches(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    results = await self._write([item for item, _ in batch])
                except Exception as exc:  # every caller of the batch hears it, and may retry on its own
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._writer = None


def statements(writes: Sequence[tuple[str, Params]]) -> Plan[list[None]]:
    """Plain writes as one plan (see db/backends/protocol.py), a run of the same statement sent as one `executemany`."""
    run: list[Params] = []
    for index, (sql, params) in enumerate(writes):
        run.append(params)
        if index + 1 == len(writes) or writes[index + 1][0] != sql:
            yield Statement(sql, many=run)
            run = []
    return [None] * len(writes)
