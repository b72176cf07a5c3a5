"""An in-process Telegram Bot API for groundbot's Application: every call answered and recorded.

Used by benchmarks/handlers.py to time the whole handler path without a network, and by
the tests (tests/telegram_fakes) to see what the bot sent:

- ``BotAPI``: what Telegram answers to each method, with every call recorded and faults
  (HTTP errors, 429 with retry_after, stalls, connections dropped with no answer) scripted
  per method, for the next calls or for every n-th one;
- ``RecordingRequest``: a ``telegram.request.BaseRequest`` that hands each call to a ``BotAPI``;
- ``running_bot``: groundbot's Application with a RecordingRequest, started and stopped as
  ``run_polling`` would, around the polling itself.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.app import build_application

# A syntactically valid token that no real bot has; tests grep logs for it.
TOKEN = "123456789:AAFakeTokenForTestsOnly-0123456789abcdefgh"
BOT_USER: dict[str, Any] = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Groundbot",
    "username": "groundbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}



@dataclass
class Call:
    """One Bot API request as Telegram received it."""

    method: str
    params: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)  # when Telegram received it
    result: Any = None  # what Telegram answered (the sent Message, for a send), once answered

    @property
    def text(self) -> str | None:
        return self.params.get("text")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard buttons, row by row flattened, or []."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


@dataclass
class Fault:
    """What to do instead of answering: an HTTP error, stall for ``delay`` seconds, or ``drop``.

    A stalled call is acted on (a send is delivered) and answered late, so the bot times out
    after Telegram has it. A dropped one is not acted on: the connection is closed with no
    answer, so the bot cannot tell whether it arrived (recorded with status 0).
    """

    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1
    drop: bool = False


DROPPED = 0  # the status recorded for a call whose connection was closed with no answer


# Telegram's limits on files: a bot downloads at most 20 MB (getFile) and uploads at most 50 MB.
DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024

# Parameters that are strings on the wire; everything else arrives JSON-encoded.
STRING_PARAMS = frozenset({
    "text", "parse_mode", "callback_query_id", "inline_query_id", "query", "url",
    "secret_token", "caption", "next_offset", "inline_message_id", "language_code",
    "description", "short_description", "name", "emoji",
})


class BotAPI:
    """Telegram's side: answers each method plausibly and records every call.

    ``fail(method, ...)`` scripts faults for the next calls of one method. Thread-safe, so
    the HTTP server's threads and the test can share it.
    """

    def __init__(self, bot_user: Mapping[str, Any] = BOT_USER):
        self.bot_user = dict(bot_user)
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        self.changed = threading.Condition()
        self._sent_ids = itertools.count(5000)
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self._file_ids = itertools.count(1)
        self.group_limit = 0  # messages per minute per group; 0: no limit (see limit_groups)
        self._group_sends: dict[int, list[float]] = {}
        self.not_started: set[int] = set()  # users who never started the bot (see never_started)
        self.periodic: dict[str, tuple[int, list[Fault]]] = {}  # method -> every n-th call fails (see fail_every)
        self._counts: dict[str, int] = {}  # calls per method, for fail_every

    def fail(self, method: str, status: int = 500, description: str = "Internal Server Error", *,
             retry_after: int | None = None, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status``."""
        with self.changed:
            self.faults.setdefault(method, []).append(
                Fault(status, description, retry_after=retry_after, times=times))

    def flood(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Make the next calls of ``method`` answer 429 Too Many Requests with ``retry_after``."""
        self.fail(method, 429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after, times=times)

    def stall(self, method: str, seconds: float, times: int = 1) -> None:
        """Make the next calls of ``method`` take ``seconds`` to answer (a time-out, for the bot)."""
        with self.changed:
            self.faults.setdefault(method, []).append(Fault(200, "", delay=seconds, times=times))

    def drop(self, method: str, times: int = 1) -> None:
        """Close the connection of the next calls of ``method`` with no answer, without acting on them."""
        with self.changed:
            self.faults.setdefault(method, []).append(Fault(DROPPED, "connection dropped", times=times, drop=True))

    def fail_every(self, method: str, every: int, faults: list[Fault]) -> None:
        """Make every ``every``-th call of ``method`` fail, with each of ``faults`` in turn (counting from now)."""
        with self.changed:
            self.periodic[method] = (every, list(faults))
            self._counts[method] = 0

    def take_fault(self, method: str) -> Fault | None:
        with self.changed:
            queue = self.faults.get(method)
            if not queue:
                return self._periodic_fault(method)
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def _periodic_fault(self, method: str) -> Fault | None:
        if method not in self.periodic:
            return None
        every, faults = self.periodic[method]
        n = self._counts[method] = self._counts[method] + 1
        if n % every or not faults:
            return None
        return dataclasses.replace(faults[(n // every - 1) % len(faults)])

    def record(self, call: Call) -> None:
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    def reply(self, method: str, params: Mapping[str, Any]) -> Any:
        """The ``result`` a healthy Telegram gives to ``method`` with ``params``."""
        if method == "getMe":
            return self.bot_user
        if method.startswith("send") or (method.startswith("edit") and "inline_message_id" not in params):
            chat_id = params.get("chat_id", 0)
            chat = {"id": chat_id, "type": "private" if isinstance(chat_id, int) and chat_id > 0 else "supergroup"}
            if chat["type"] == "supergroup":
                chat["title"] = "Team"
            else:
                chat["first_name"] = "User"
            sent: dict[str, Any] = {
                "message_id": params.get("message_id") or next(self._sent_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": self.bot_user,
            }
            if "text" in params:
                sent["text"] = params["text"]
            if "reply_markup" in params:
                sent["reply_markup"] = params["reply_markup"]
            if method == "sendDocument":
                sent.update(self._sent_document(params))
            return sent
        if method == "getFile":
            file_id = params.get("file_id", "")
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(self.files.get(file_id, b"")),
                "file_path": f"documents/{file_id}",
            }
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method == "getMyCommands":
            return []
        return True

    def upload(self, content: bytes, file_name: str, mime_type: str = "text/plain") -> dict[str, Any]:
        """Keep ``content`` as a file a user sent; returns the Document JSON for a message carrying it."""
        with self.changed:
            n = next(self._file_ids)
            file_id = f"BQACAgIAAxkBAAI{n:06d}"  # the shape of a real document's file_id
            self.files[file_id] = bytes(content)
        return {"file_id": file_id, "file_unique_id": f"AgAD{n:06d}", "file_name": file_name,
                "mime_type": mime_type, "file_size": len(content)}

    def download(self, file_path: str) -> bytes | None:
        """The bytes at ``file_path`` (as getFile gave it), or None: what /file/bot<token>/ serves."""
        folder, _, file_id = file_path.partition("/")
        with self.changed:
            return self.files.get(file_id) if folder == "documents" else None

    def _sent_document(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The ``document`` of a message the bot sent: an upload is kept, so it can be sent back."""
        uploads = list((params.get("_files") or {}).values())
        if not uploads:  # re-sent by file_id
            file_id = str(params.get("document", ""))
            return {"document": {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                                 "file_size": len(self.files.get(file_id, b""))}}
        name, content = uploads[0]
        document = self.upload(content, name or "document", "application/octet-stream")
        return {"document": document, **({"caption": params["caption"]} if "caption" in params else {})}

    def _file_fault(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        """Telegram's answers to getFile for an unknown file or one over the bots' download limit."""
        if method != "getFile":
            return None
        content = self.files.get(str(params.get("file_id", "")))
        if content is None:
            return Fault(400, "Bad Request: invalid file_id")
        if len(content) > DOWNLOAD_LIMIT:
            return Fault(400, "Bad Request: file is too big")
        return None

    def never_started(self, user_id: int) -> None:
        """Answer 403 to any message sent to ``user_id``'s private chat, as Telegram does for a user who never started the bot."""
        with self.changed:
            self.not_started.add(user_id)

    def _not_started(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        if method.startswith("send") and params.get("chat_id") in self.not_started:
            return Fault(403, "Forbidden: bot can't initiate conversation with a user")
        return None

    def limit_groups(self, per_minute: int = 20) -> None:
        """Answer 429 with retry_after to a message sent to a group over ``per_minute`` in 60 s, as Telegram does."""
        self.group_limit = per_minute

    def _over_group_limit(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        chat_id = params.get("chat_id")
        if not self.group_limit or not method.startswith("send") or not isinstance(chat_id, int) or chat_id >= 0:
            return None
        now = time.monotonic()
        with self.changed:
            sent = self._group_sends.setdefault(chat_id, [])
            sent[:] = [t for t in sent if now - t < 60]
            if len(sent) >= self.group_limit:
                retry = max(1, int(60 - (now - sent[0])) + 1)
                return Fault(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
            sent.append(now)
        return None

    def respond(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], Fault | None]:
        """Record the call and build the HTTP status and JSON body Telegram would send."""
        fault = (self.take_fault(method) or self._not_started(method, params) or self._file_fault(method, params)
                 or self._over_group_limit(method, params))
        status = fault.status if fault else 200
        # The answer is part of the record, so a test that saw the call can read it.
        call = Call(method, params, status, result=self.reply(method, params) if status == 200 else None)
        self.record(call)
        if fault is not None and fault.drop:
            return DROPPED, {}, fault
        if status != 200:
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return status, body, fault
        return 200, {"ok": True, "result": call.result}, fault

    # --- what tests ask ---

    def calls_to(self, method: str) -> list[Call]:
        with self.changed:
            return [c for c in self.calls if c.method == method]

    def sent(self) -> list[Call]:
        """Every successful call that puts text in a chat (sendMessage, editMessageText)."""
        with self.changed:
            return [c for c in self.calls if c.method in ("sendMessage", "editMessageText") and c.status == 200]

    def wait_for(self, method: str, where: Callable[[Call], bool] = lambda c: True, *,
                 after: int = 0, timeout: float = 10.0) -> Call:
        """Block until a call to ``method`` matching ``where`` arrives (among calls[after:])."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for call in self.calls[after:]:
                    if call.method == method and where(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.status, (c.text or "")[:60]) for c in self.calls[after:]]
                    raise AssertionError(f"no {method} call within {timeout}s; saw {seen}")
                self.changed.wait(remaining)

    def wait_for_count(self, method: str, count: int, *, after: int = 0, timeout: float = 10.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` have arrived among calls[after:]; return them."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [c for c in self.calls[after:] if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(found)} of {count} {method} calls within {timeout}s")
                self.changed.wait(remaining)

    def mark(self) -> int:
        """The number of calls so far: pass it as ``after=`` to wait only for newer calls."""
        with self.changed:
            return len(self.calls)


class RecordingRequest(BaseRequest):
    """A BaseRequest that never leaves the process: ``BotAPI`` answers and records each call.

    Faults become what PTB's real HTTP request (HTTPXRequest) would produce: a status code and
    error body (so PTB raises RetryAfter, NetworkError…), ``TimedOut`` from httpx's ReadTimeout
    for a stall, ``NetworkError`` from httpx's RemoteProtocolError for a dropped connection.
    """

    def __init__(self, api: BotAPI | None = None):
        self.api = api or BotAPI()

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download: the bytes a test put in api.files
            file_path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            content = self.api.download(file_path)
            self.api.record(Call("download", {"file_path": file_path}, 200 if content is not None else 404))
            if content is None:
                return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()
            return 200, content
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            # uploads (sendDocument): keep each file's name and bytes for the test to read
            params["_files"] = {
                key: (value[0], value[1])
                for key, value in (request_data.multipart_data or {}).items()
                if isinstance(value, tuple)
            }
        status, body, fault = self.api.respond(api_method, params)
        if fault is not None and fault.delay:
            raise TimedOut() from httpx.ReadTimeout("timed out")
        if fault is not None and fault.drop:
            raise NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.") from (
                httpx.RemoteProtocolError("Server disconnected without sending a response.")
            )
        return status, json.dumps(body).encode()



@dataclass
class RunningBot:
    """An initialised groundbot ``Application`` (post_init done) whose Bot API is ``api``.

    ``await bot.send(update_json)`` runs one update through the real handlers and returns
    the Bot API calls it made.
    """

    app: Any
    api: BotAPI

    async def send(self, update_json: Mapping[str, Any]) -> list[Call]:
        before = self.api.mark()
        await self.app.process_update(Update.de_json(dict(update_json), self.app.bot))
        return self.api.calls[before:]

    async def reply_to(self, update_json: Mapping[str, Any]) -> Call:
        """Send one update and return the one message it produced (sendMessage or editMessageText)."""
        calls = [c for c in await self.send(update_json) if c.method in ("sendMessage", "editMessageText")]
        assert len(calls) == 1, f"expected one message, got {[(c.method, c.text) for c in calls]}"
        return calls[0]

    @property
    def knowledge(self) -> Any:
        return self.app.bot_data.knowledge

    @property
    def events(self) -> Any:
        return self.app.bot_data.events


class running_bot:  # noqa: N801 (used like a function: `async with running_bot(settings) as bot`)
    """Build groundbot's Application with a RecordingRequest, and run its start-up and shut-down.

    Mirrors what ``run_polling`` does around the polling itself: initialize, post_init…
    post_stop, shutdown, post_shutdown.
    """

    def __init__(self, settings: Any, api: BotAPI | None = None, rate_limiter: Any = None):
        self.settings = settings
        self.api = api or BotAPI()
        self.rate_limiter = rate_limiter

    async def __aenter__(self) -> RunningBot:
        self.app = build_application(self.settings, request=RecordingRequest(self.api),
                                     rate_limiter=self.rate_limiter)
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        return RunningBot(self.app, self.api)

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()
        if self.app.post_shutdown:
            await self.app.post_shutdown(self.app)

