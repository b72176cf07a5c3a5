"""At-least-once requests to the Bot API: transient failures are retried with back-off and jitter.

Every request the bot makes, except ``getUpdates`` (the poller retries those itself),
goes through ``RetryingRequest``, which wraps the HTTP client PTB would use. What it does
with each failure depends on whether Telegram may already have acted on the request:

- **not sent** (no connection, a connect or pool time-out, a write that never finished)
  and **5xx** (Telegram answered that it failed): retried, up to ``attempts`` in all,
  waiting ``base * 2**n`` seconds with full jitter between them;
- **maybe delivered** (a read time-out, or the connection closed with no answer after the
  request was sent): re-sent at most once per request. The reply may be in the chat
  already, and one rare duplicate beats silence; more would be spam;
- **429** is not touched here: PTB's AIORateLimiter, above this layer, waits out its
  ``retry_after`` and tries again.

A request that still fails raises PTB's error as before; the error handler then notes its
update as unsent (handlers/errors.py), so it stays in the spool and is answered after a
restart (bot/runtime.py) rather than confirmed and forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from typing import Any, Literal

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger("groundbot.sending")

Outcome = Literal["not sent", "maybe delivered"]

BASE_DELAY = 0.5  # seconds before the first retry; doubled each time (with full jitter)
MAX_DELAY = 8.0  # a longer pause would outlast the stop grace and the asker's patience

# httpx's errors that mean the request never reached Telegram in full: nothing can have been acted on.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)


def outcome(err: BaseException) -> Outcome:
    """Whether Telegram may have acted on a request that failed with ``err`` (PTB's, caused by httpx's)."""
    cause = err.__cause__
    # Anything else (a read time-out, a connection closed after the request went out, an
    # unknown cause) may have been delivered: assume it was.
    return "not sent" if isinstance(cause, _NOT_SENT) else "maybe delivered"


class RetryingRequest(BaseRequest):
    """A ``BaseRequest`` that retries transient failures of ``inner`` (see the module docstring)."""

    def __init__(
        self,
        inner: BaseRequest,
        *,
        attempts: int,
        base_delay: float = BASE_DELAY,
        jitter: Callable[[float], float] = lambda most: random.uniform(0, most),
    ):
        self.inner = inner
        self.attempts = max(1, attempts)
        self.base_delay = base_delay
        self.jitter = jitter
        self.retries = 0  # requests sent again since start-up (read by /metrics)

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """``inner.do_request``, again after a 5xx or a network failure while attempts and the re-send rule allow."""
        resent = False  # whether a request that may have been delivered was sent again already
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                code, payload = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            except (TimedOut, NetworkError) as err:
                delivered = outcome(err) == "maybe delivered"
                if last or (delivered and resent):
                    raise
                resent = resent or delivered
                why = f"{type(err).__name__} ({outcome(err)})"
            else:
                if code < 500 or last:
                    return code, payload
                why = f"HTTP {code}"
            pause = self.jitter(min(MAX_DELAY, self.base_delay * 2 ** (attempt - 1)))
            # The method, never the URL: it holds the token.
            logger.warning(
                "%s failed: %s; attempt %d of %d in %.1f s", _api_method(url), why, attempt + 1, self.attempts, pause
            )
            self.retries += 1
            await asyncio.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _api_method(url: str) -> str:
    """``sendMessage`` from ``…/bot<token>/sendMessage``; "a file download" for file URLs."""
    return "a file download" if "/file/bot" in url else url.rsplit("/", 1)[-1]
