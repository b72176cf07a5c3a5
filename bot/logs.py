"""What the log may say: other libraries' debug records carry people's messages, so their details are redacted.

At DEBUG, python-telegram-bot logs every update it fetches or receives (the question's
text, the asker's name and id) and every request it sends, and httpx/httpcore log
requests. Those are personal data, kept out of the log unless GROUNDBOT_LOG_QUESTIONS is
on: their messages keep their wording (which endpoint, how many updates) and lose
their arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

REDACTED = "[redacted]"
# Loggers whose DEBUG arguments can hold update payloads or request bodies.
LIBRARIES = ("telegram", "httpx", "httpcore", "hpack", "h11", "h2", "tornado")


class PrivacyFilter(logging.Filter):
    """Blanks the arguments of the chatty libraries' DEBUG records, unless questions may be logged."""

    def __init__(self, log_questions: bool = False):
        super().__init__()
        self.log_questions = log_questions

    def filter(self, record: logging.LogRecord) -> bool:
        if self.log_questions or record.levelno >= logging.INFO or not _from_library(record.name):
            return True
        if record.args:
            record.msg, record.args = _redacted(record), None
        return True


def _from_library(name: str) -> bool:
    return any(name == lib or name.startswith(lib + ".") for lib in LIBRARIES)


def _redacted(record: logging.LogRecord) -> str:
    """The record's message with every argument replaced by [redacted]."""
    template = str(record.msg)
    try:
        if isinstance(record.args, Mapping):
            return template % {key: REDACTED for key in record.args}
        return template % tuple(REDACTED for _ in record.args or ())
    except (TypeError, ValueError, KeyError):
        return f"{template} {REDACTED}"


def install(handler: logging.Handler, *, log_questions: bool) -> None:
    """Put the privacy filter on ``handler`` (once, however often logging is configured)."""
    for existing in handler.filters:
        if isinstance(existing, PrivacyFilter):
            handler.removeFilter(existing)
    handler.addFilter(PrivacyFilter(log_questions))
