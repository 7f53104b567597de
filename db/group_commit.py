"""Many small writes per transaction: those that arrive while a commit is under way share the next one.

One transaction per write costs a trip to the writer and a sync each; a thousand reminders due at
the same instant would queue behind each other's bookkeeping. Each caller still returns only after
the transaction holding its write has committed, so nothing is confirmed that could be lost.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from db.backend import Params

if TYPE_CHECKING:
    from db.store import Store


class GroupCommit:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: list[tuple[str, Params, asyncio.Future[int]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions written (for benchmarks and tests)

    async def execute(self, sql: str, params: Params) -> int:
        """Run one statement in a shared transaction; returns its row count once that has committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.append((sql, params, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_batches())
        return await future

    async def _write_batches(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    async with self._store.transaction() as conn:
                        counts = [await conn.execute(sql, params) for sql, params, _ in batch]
                except Exception as exc:  # every caller of the batch hears it, and may retry on its own
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                for (_, _, future), count in zip(batch, counts, strict=True):
                    if not future.done():
                        future.set_result(count)
        finally:
            self._writer = None
