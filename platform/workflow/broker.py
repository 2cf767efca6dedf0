"""Celery's filesystem broker (the embedded default) with atomic writes.

kombu's filesystem channel creates a file and then writes into it, so a reader can open it
while it is still empty and crash its worker on the empty JSON: a consumer taking a message, or
a publisher reading the exchange's routing table while a worker starting up binds its queue.
Here both are written under a name no reader looks at and renamed into place, which is atomic
on POSIX file systems. Binding a queue is a read-modify-write of the routing table, so it is
serialized by a lock on a separate file (the table file itself is replaced, not rewritten).
"""

import fcntl
import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps, loads


def _write_atomically(path: str, content: bytes) -> None:
    partial = f"{path}.partial"
    with open(partial, "wb") as partial_file:
        partial_file.write(content)
    os.replace(partial, path)


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: dict, **kwargs: object) -> None:
        filename = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, filename)
        try:
            _write_atomically(final, str_to_bytes(dumps(payload)))
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add file {filename!r} to directory") from error

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        table_file = self._exchange_file(exchange)
        self.control_folder.mkdir(exist_ok=True)
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with open(f"{table_file}.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                table = [filesystem.exchange_queue_t(*row) for row in loads(table_file.read_text())]
            except FileNotFoundError:
                table = []
            if binding not in table:
                table.insert(0, binding)
                _write_atomically(str(table_file), str_to_bytes(dumps(table)))


class Transport(filesystem.Transport):
    Channel = Channel
