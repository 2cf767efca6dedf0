"""Celery's brokers as kombu ships them, with two fixes: atomic writes for the filesystem broker
(the embedded default), and a Redis channel that survives its own close after a lost connection.

Redis: when a worker loses the broker, its consumer releases the connection, and closing each
channel restores the unacknowledged messages, which needs a client; by then the transport is
already detached (`connection.client` is None) and kombu's `_connparams` fails with
`'NoneType' object has no attribute 'hostname'`. That AttributeError is no connection error,
so the consumer does not ignore it, and the whole worker (a threads pool with 16 calls in
flight) stops with "Unrecoverable error". Here it is a redis ConnectionError, which the consumer
ignores while it reconnects; the messages stay in Redis's unacked set, restored after the
visibility timeout, and the sweeper re-drives their work long before.

Filesystem:
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
from kombu.transport import redis as kombu_redis
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps, loads
from redis.exceptions import ConnectionError as RedisConnectionError


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


class RedisChannel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous)


class RedisTransport(kombu_redis.Transport):
    Channel = RedisChannel
