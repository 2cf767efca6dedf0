"""A logging filter that keeps verification link tokens out of every log line.

A token is the only credential of a person's verification page, and Django logs the path of
every 4xx and 5xx request ("Bad Request: /api/v1/verifications/<token>/code/").
"""

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/verif(?:y|ications)/)[A-Za-z0-9_-]{20,}")


class RedactVerificationTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_IN_PATH.sub(r"\1<token>", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
