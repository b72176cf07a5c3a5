"""The webhook server: 200 only for an update taken in hand, and no oversized body is read.

Replaces PTB's webhook server, which answers 200 as soon as an update is in its memory
queue (lost on a crash) and reads bodies up to 100 MB before checking the secret. Here
the secret and ``Content-Length`` are checked from the headers alone, before any of the
body is read; an accepted update is answered 200 once it is kept in the event log
(handled after a restart if need be), finished, or was already handled. A body that is
not an update (not JSON, no update_id, or a shape PTB cannot parse) gets 400, never a 5xx:
Telegram would only send it again. Anything else gets a 5xx, so Telegram delivers it again later.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

import tornado.http1connection
import tornado.web
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.ledger import Ledger

logger = logging.getLogger("groundbot.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST <path>: one update from Telegram."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(
        self, app: Application, ledger: Ledger, secret: str, max_body: int, answer_within: float, state: dict[str, bool]
    ) -> None:
        self.app = app
        self.ledger = ledger
        self.secret = secret
        self.max_body = max_body
        self.answer_within = answer_within
        self.state = state
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        # Everything here reads headers only: no body byte has been read yet.
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self._refuse(403, "Forbidden")
            return
        length = self.request.headers.get("Content-Length")
        # isascii too: str.isdigit() accepts "²", which int() then refuses.
        if length is None or not (length.isascii() and length.isdigit()):
            self._refuse(411, "Length Required")
            return
        if int(length) > self.max_body:
            self._refuse(413, "Payload Too Large")
            return
        if self.state.get("stopping"):
            self._refuse(503, "Stopping")
            return
        connection = self.request.connection
        assert isinstance(connection, tornado.http1connection.HTTP1Connection)  # tornado's HTTP/1 server
        connection.set_max_body_size(self.max_body)

    def _refuse(self, status: int, reason: str) -> None:
        self.set_status(status)
        # Close rather than read (and discard) whatever body follows.
        self.set_header("Connection", "close")
        self.finish(reason)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size <= self.max_body:
            self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            data: Any = json.loads(b"".join(self.chunks))
        except ValueError:  # not JSON, or not UTF-8
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            self.set_status(400)
            self.finish("Bad Request")
            return
        if data["update_id"] in self.ledger.seen([data["update_id"]]):
            await self._again(data["update_id"])
            return
        update = self.ledger.parsed(data, self.app.bot)
        if update is None:  # logged, counted and recorded as handled: Telegram need not send it again
            self.set_status(400)
            self.finish("Bad Request")
            return
        kept = self.ledger.keep([data])
        future = self.ledger.take(update.update_id)
        await self.app.update_queue.put(update)
        if kept:
            self.finish()  # durably queued: handled even if the bot stops now
        else:
            await self._wait(future)

    async def _again(self, update_id: int) -> None:
        """An update delivered again: 200 once it is finished (at once if it was already)."""
        future = self.ledger.in_hand.get(update_id)
        if future is not None:
            await self._wait(future)
        else:
            self.finish()

    async def _wait(self, future: asyncio.Future[None]) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(future), self.answer_within)
        except (TimeoutError, asyncio.CancelledError):
            # Not finished: no 200, so Telegram sends it again; the ledger skips it if it was answered by then.
            if not self._finished:
                self.set_status(503)
                self.finish("Not handled yet")
            return
        self.finish()


class WebhookServer:
    """The tornado server for ``UpdateHandler`` on ``listen:port``/``path``."""

    def __init__(
        self,
        app: Application,
        ledger: Ledger,
        *,
        listen: str,
        port: int,
        path: str,
        secret: str,
        max_body: int,
        answer_within: float,
    ):
        self.state: dict[str, bool] = {"stopping": False}
        web = tornado.web.Application(
            [
                (
                    "/" + path.lstrip("/"),
                    UpdateHandler,
                    {
                        "app": app,
                        "ledger": ledger,
                        "secret": secret,
                        "max_body": max_body,
                        "answer_within": answer_within,
                        "state": self.state,
                    },
                )
            ],
            log_function=lambda handler: None,
        )
        # The server-wide cap only backs up prepare()'s check; it is what tornado enforces while reading.
        self.server = HTTPServer(web, max_body_size=max_body)
        self.listen, self.port = listen, port

    def start(self) -> None:
        """Listen (raises OSError if the port is taken)."""
        self.server.listen(self.port, address=self.listen)

    async def stop(self) -> None:
        """Refuse new updates and close the connections."""
        self.state["stopping"] = True
        self.server.stop()
        await self.server.close_all_connections()
