"""Telegram, faked at the HTTP boundary: the test harness every bot test builds on.

Three pieces, all speaking the real Bot API wire format:

- update builders (``private_message``, ``group_message``, ``callback``, ``inline_query``…)
  that return the JSON Telegram sends, ready for ``Update.de_json`` or ``FakeTelegram.push``;
- ``BotAPI``: what Telegram answers to each method, with every call recorded and faults
  (HTTP errors, 429 with retry_after, timeouts) scripted per method;
- two ways to put it in front of a bot: ``RecordingRequest``, a ``telegram.request.BaseRequest``
  for an in-process ``Application``, and ``FakeTelegram``, an HTTP server on 127.0.0.1 with
  long-polling ``getUpdates`` for a real ``groundbot run`` process (``BotProcess``).

Only ``running_bot`` (groundbot's Application with a RecordingRequest, started as
``run_polling`` would) touches groundbot, and imports it when called; the rest is
Telegram's side of the conversation only.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

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
BOT_USERNAME = BOT_USER["username"]

ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice", "username": "alice", "language_code": "en"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob", "username": "bob"}
TEAM_GROUP: dict[str, Any] = {"id": -1001234567890, "type": "supergroup", "title": "Team"}

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)


# --- Updates: the JSON Telegram sends ------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram counts entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def entities_in(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram would attach to ``text``."""
    found = []
    for i, word in _words_with_offsets(text):
        if word.startswith("/") and i == 0 and len(word) > 1:
            found.append({"type": "bot_command", "offset": 0, "length": utf16_len(word)})
        elif word.startswith("@") and len(word) > 1:
            found.append({"type": "mention", "offset": utf16_len(text[:i]), "length": utf16_len(word)})
    return found


def _words_with_offsets(text: str) -> Iterator[tuple[int, str]]:
    i = 0
    for word in text.split(" "):
        stripped = word.rstrip(",.!?:;")
        if stripped:
            yield i, stripped.split("\n")[0]
        i += len(word) + 1


def chat_of(user: Mapping[str, Any]) -> dict[str, Any]:
    """The private chat with ``user``."""
    return {"id": user["id"], "type": "private", "first_name": user["first_name"], "username": user.get("username")}


def message(
    text: str | None = None,
    *,
    chat: Mapping[str, Any] | None = None,
    sender: Mapping[str, Any] = ALICE,
    reply_to: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One Message object; entities are computed from ``text`` like Telegram does."""
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": dict(chat or chat_of(sender)),
        "from": dict(sender),
    }
    if text is not None:
        msg["text"] = text
        if entities := entities_in(text):
            msg["entities"] = entities
    if reply_to is not None:
        msg["reply_to_message"] = dict(reply_to)
    msg.update(extra)
    return msg


def update(**payload: Any) -> dict[str, Any]:
    """An Update wrapping one payload, e.g. ``update(message=...)``, with a fresh update_id."""
    return {"update_id": next(_update_ids), **payload}


def private_message(text: str, sender: Mapping[str, Any] = ALICE, **extra: Any) -> dict[str, Any]:
    """An update: ``sender`` writes ``text`` to the bot in a private chat."""
    return update(message=message(text, sender=sender, **extra))


def group_message(
    text: str,
    sender: Mapping[str, Any] = ALICE,
    chat: Mapping[str, Any] = TEAM_GROUP,
    reply_to: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An update: ``sender`` writes ``text`` in a group (optionally replying to a message)."""
    return update(message=message(text, chat=chat, sender=sender, reply_to=reply_to))


def bot_message(text: str, chat: Mapping[str, Any] = TEAM_GROUP) -> dict[str, Any]:
    """A Message the bot sent earlier, for replies to it."""
    return message(text, chat=chat, sender=BOT_USER)


def sticker_message(sender: Mapping[str, Any] = ALICE, chat: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An update: a sticker, no text."""
    sticker = {
        "file_id": "CAACAgIAAxkBAAIBZ2Zfake", "file_unique_id": "AgADfake", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
    }
    return update(message=message(None, chat=chat, sender=sender, sticker=sticker))


def photo_message(caption: str | None = None, sender: Mapping[str, Any] = ALICE) -> dict[str, Any]:
    """An update: a photo (with an optional caption), no text."""
    photo = [{"file_id": "AgACAgIAAxkBAAIBfake", "file_unique_id": "AQADfake", "width": 90, "height": 90}]
    extra: dict[str, Any] = {"photo": photo}
    if caption is not None:
        extra["caption"] = caption
    return update(message=message(None, sender=sender, **extra))


def edited_message(text: str, sender: Mapping[str, Any] = ALICE, chat: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An update: the user edited an earlier message to read ``text``."""
    msg = message(text, chat=chat, sender=sender, edit_date=int(time.time()))
    return update(edited_message=msg)


def callback(
    data: str,
    message_: Mapping[str, Any] | None = None,
    sender: Mapping[str, Any] = ALICE,
    inline_message_id: str | None = None,
) -> dict[str, Any]:
    """An update: ``sender`` taps an inline button carrying ``data`` under ``message_``."""
    query: dict[str, Any] = {
        "id": str(next(_callback_ids)),
        "from": dict(sender),
        "chat_instance": "-7000000000000000001",
        "data": data,
    }
    if inline_message_id is not None:
        query["inline_message_id"] = inline_message_id
    else:
        query["message"] = dict(message_ if message_ is not None else bot_message("…", chat=chat_of(sender)))
    return update(callback_query=query)


def inline_query(query: str, sender: Mapping[str, Any] = ALICE) -> dict[str, Any]:
    """An update: ``sender`` types ``@bot query`` in some chat."""
    return update(inline_query={"id": str(next(_callback_ids)), "from": dict(sender), "query": query, "offset": ""})


def chosen_inline_result(result_id: str, query: str, sender: Mapping[str, Any] = ALICE) -> dict[str, Any]:
    """An update: ``sender`` posted inline result ``result_id`` of ``query`` (inline feedback on)."""
    return update(chosen_inline_result={"result_id": result_id, "from": dict(sender), "query": query})


# --- The Bot API: answers, recording and faults ---------------------------------------


@dataclass
class Call:
    """One Bot API request as Telegram received it."""

    method: str
    params: dict[str, Any]
    status: int = 200

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
    """What to do instead of answering: an HTTP error, or stall for ``delay`` seconds."""

    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1


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

    def take_fault(self, method: str) -> Fault | None:
        with self.changed:
            queue = self.faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

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
            return sent
        if method == "getFile":
            file_id = params.get("file_id", "")
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                    "file_size": len(self.files.get(file_id, b"")), "file_path": f"documents/{file_id}"}
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method == "getMyCommands":
            return []
        return True

    def respond(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], Fault | None]:
        """Record the call and build the HTTP status and JSON body Telegram would send."""
        fault = self.take_fault(method)
        status = fault.status if fault else 200
        self.record(Call(method, params, status))
        if status != 200:
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return status, body, fault
        return 200, {"ok": True, "result": self.reply(method, params)}, fault

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

    Faults become what PTB's real HTTP request would produce: a status code and error body
    (so PTB raises RetryAfter, NetworkError…) or ``TimedOut`` for a stall.
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
            file_id = url.rsplit("/", 1)[-1]
            self.api.record(Call("download", {"file_id": file_id}, 200))
            return 200, self.api.files.get(file_id, b"")
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            # uploads (sendDocument): keep each file's name and bytes for the test to read
            params["_files"] = {key: (value[0], value[1]) for key, value in (request_data.multipart_data or {}).items()
                                if isinstance(value, tuple)}
        status, body, fault = self.api.respond(api_method, params)
        if fault is not None and fault.delay:
            raise TimedOut()
        return status, json.dumps(body).encode()


# --- A fake Bot API server for a real bot process ---------------------------------------


def _decode(params: Mapping[str, str]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in STRING_PARAMS:
            decoded[key] = value
            continue
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
    return decoded


class FakeTelegram:
    """The Bot API over HTTP on 127.0.0.1, with long-polling getUpdates fed by ``push``.

    Point the bot at ``base_url`` (PTB's ``base_url`` form, ending in ``/bot``). Requests
    with any token other than ``token`` get 401, like Telegram.

    >>> with FakeTelegram() as telegram:
    ...     telegram.push(private_message("hello"))
    ...     telegram.api.wait_for("sendMessage")
    """

    def __init__(self, token: str = TOKEN, api: BotAPI | None = None):
        self.token = token
        self.api = api or BotAPI()
        self.updates: list[dict[str, Any]] = []
        self._closing = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-telegram", daemon=True)

    def start(self) -> "FakeTelegram":
        self._thread.start()
        return self

    def stop(self) -> None:
        with self.api.changed:
            self._closing = True
            self.api.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeTelegram":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for the bot's next getUpdates (they are also answered to a waiting one)."""
        with self.api.changed:
            self.updates.extend(updates)
            self.api.changed.notify_all()

    def _get_updates(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 30.0)
        deadline = time.monotonic() + timeout
        with self.api.changed:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.api.changed.wait(remaining)
            return list(self.updates)

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode("utf-8") if length else ""
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return self._send(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = request.path[len(prefix):].split("?", 1)[0]
        content_type = request.headers.get("Content-Type", "")
        if "json" in content_type:
            params = json.loads(body or "{}")
        else:
            params = _decode(dict(parse_qsl(body, keep_blank_values=True)))
        if method == "getUpdates":
            status, payload, fault = self.api.respond(method, params)
            if status == 200:
                payload["result"] = self._get_updates(params)
        else:
            status, payload, fault = self.api.respond(method, params)
            if status == 200 and method in ("deleteWebhook", "setWebhook") and params.get("drop_pending_updates"):
                with self.api.changed:  # what Telegram does: the queued updates are gone
                    self.updates.clear()
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        self._send(request, status, payload)

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot gave up waiting (a time-out test, or shutdown)


# --- A real `groundbot run` process ----------------------------------------------------


def groundbot_command() -> list[str]:
    """The installed `groundbot` console script next to this Python, or the same via -c."""
    script = Path(sys.executable).with_name("groundbot")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from bot.cli import cli; cli()"]


@dataclass
class BotProcess:
    """`groundbot <args>` running in ``cwd`` with ``env``; its stderr goes to ``log_path``."""

    args: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> "BotProcess":
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*groundbot_command(), *self.args], cwd=self.cwd, env=self.env,
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @property
    def data_dir(self) -> Path:
        return Path(self.env["GROUNDBOT_DATA_DIR"])

    def wait_until(self, condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
        """Poll ``condition`` until true; fail with the bot's log if it exits or time runs out."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"groundbot exited with {self.process.returncode} before {what}:\n{self.log}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; log:\n{self.log}")
            time.sleep(0.02)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send ``sig`` and wait for the process to exit; returns its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
                raise AssertionError(f"groundbot did not stop within {timeout}s after {sig}; log:\n{self.log}")
        return self.process.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


def bot_env(telegram: FakeTelegram, data_dir: Path, **settings: str) -> dict[str, str]:
    """A clean environment for `groundbot run` against ``telegram``; ``settings`` are GROUNDBOT_* values.

    Keyword names are the variable without its prefix, any case: ``moderators="1001"``.
    The parent's GROUNDBOT_* variables are dropped so the developer's shell cannot leak in.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDBOT_")}
    env.update({
        "GROUNDBOT_TOKEN": telegram.token,
        "GROUNDBOT_BASE_URL": telegram.base_url,
        "GROUNDBOT_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    })
    env.update({f"GROUNDBOT_{k.upper()}": v for k, v in settings.items()})
    return env


# --- The bot in this process --------------------------------------------------------------


@dataclass
class RunningBot:
    """An initialised groundbot ``Application`` (post_init done) whose Bot API is ``api``.

    ``await bot.send(update_json)`` runs one update through the real handlers and returns
    the Bot API calls it made.
    """

    app: Any
    api: BotAPI

    async def send(self, update_json: Mapping[str, Any]) -> list[Call]:
        from telegram import Update

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
        from handlers.state import KNOWLEDGE

        return self.app.bot_data[KNOWLEDGE]

    @property
    def events(self) -> Any:
        from handlers.state import EVENTS

        return self.app.bot_data[EVENTS]


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
        from bot.app import build_application

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
