"""A real `groundbot run` process talking to a ``FakeTelegram``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.telegram_server import FakeTelegram


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
                raise AssertionError(
                    f"groundbot did not stop within {timeout}s after {sig}; log:\n{self.log}"
                ) from None
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
        # The lexical matcher unless a caller asks otherwise: an answer must not depend on
        # whether background embedding has finished.
        "GROUNDBOT_SEMANTIC": "false",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({f"GROUNDBOT_{k.upper()}": v for k, v in settings.items()})
    return env

