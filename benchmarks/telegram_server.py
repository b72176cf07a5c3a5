"""A fake Bot API server on 127.0.0.1 for a real bot process, with long-polling ``getUpdates``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from benchmarks.telegram_double import STRING_PARAMS, TOKEN, UPLOAD_LIMIT, BotAPI, Call


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


def _multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """A multipart/form-data request's parameters, with its files as ``_files``: {field: (name, bytes)}.

    The same shape ``RecordingRequest`` gives an upload, so tests read both alike.
    """
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
    )
    fields: dict[str, str] = {}
    files: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, content)
        else:
            fields[name] = content.decode("utf-8")
    params = _decode(fields)
    if files:
        params["_files"] = files
    return params


class _Server(ThreadingHTTPServer):
    # http.server's backlog of 5 resets connections a bot opens at once under load (its
    # 32 handlers reply together), which Telegram does not do.
    request_queue_size = 256


class FakeTelegram:
    """The Bot API over HTTP on 127.0.0.1, with long-polling getUpdates fed by ``push``.

    Point the bot at ``base_url`` (PTB's ``base_url`` form, ending in ``/bot``). Requests
    with any token other than ``token`` get 401, like Telegram. Uploads (multipart, as
    sendDocument sends a file) are recorded with their bytes under ``params["_files"]``;
    files that ``api.upload`` keeps are served by getFile and ``/file/bot<token>/<file_path>``.

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

        self.server = _Server(("127.0.0.1", 0), Handler)
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
            limit = int(params.get("limit") or 100)
            return list(self.updates[: max(1, min(limit, 100))])  # Telegram's cap: 100 a call

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        if length > UPLOAD_LIMIT:
            request.close_connection = True  # the body is not read: answer and hang up, as Telegram does
            return self._send(request, 413, {"ok": False, "error_code": 413,
                                             "description": "Request Entity Too Large"})
        body = request.rfile.read(length) if length else b""
        files = f"/file/bot{self.token}/"
        path = unquote(request.path.split("?", 1)[0])  # PTB quotes a file URL, the token's ':' too
        if path.startswith(files):
            return self._download(request, path[len(files):])
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return self._send(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = request.path[len(prefix):].split("?", 1)[0]
        content_type = request.headers.get("Content-Type", "")
        if "json" in content_type:
            params = json.loads(body or b"{}")
        elif content_type.startswith("multipart/form-data"):
            params = _multipart(body, content_type)
        else:
            params = _decode(dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))
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
        if fault is not None and fault.drop:
            request.close_connection = True  # hang up with no answer: the bot cannot tell what became of it
            return
        self._send(request, status, payload)

    def _download(self, request: BaseHTTPRequestHandler, file_path: str) -> None:
        """``GET /file/bot<token>/<file_path>``: the file's bytes, or Telegram's 404."""
        content = self.api.download(file_path)
        self.api.record(Call("download", {"file_path": file_path}, 200 if content is not None else 404))
        if content is None:
            return self._send(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        self._send(request, 200, content, "application/octet-stream")

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, payload: Mapping[str, Any] | bytes,
              content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot gave up waiting (a time-out test, or shutdown)

