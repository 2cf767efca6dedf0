"""Celery's filesystem broker (the embedded default) with atomic message writes.

kombu's filesystem channel creates the message file and then writes into it, so a consumer
polling the folder can take the file while it is still empty and crash its worker on the empty
JSON. Here a message is written under a name no consumer matches and renamed into place, which
is atomic on POSIX file systems.
"""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: dict, **kwargs: object) -> None:
        filename = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, filename)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as message_file:
                message_file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as error:
            raise filesystem.ChannelError(f"Cannot add file {filename!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel
