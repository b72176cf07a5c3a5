"""Shared fixtures. The Telegram side lives in tests/telegram_fakes/."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.seed import AMBIGUOUS, ANSWERED, REFUSED, SEED_KNOWLEDGE  # noqa: F401 (tests import them from here)
from tests.telegram_fakes import TOKEN, BotAPI, BotProcess, FakeTelegram, RunningBot, bot_env, running_bot


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A new directory the unprivileged ``nobody`` user can enter and read, not write (see
    tests/unprivileged.py); pytest's tmp_path is inside a directory only its owner can enter."""
    path = Path(tempfile.mkdtemp(prefix="groundbot-shared-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def seed_kb(tmp_path: Path) -> Path:
    """A knowledge directory holding SEED_KNOWLEDGE (edit or add files to change it)."""
    directory = tmp_path / "knowledge"
    directory.mkdir()
    (directory / "team.yaml").write_text(SEED_KNOWLEDGE, encoding="utf-8")
    return directory


@pytest.fixture(scope="session", autouse=True)
def embeddings_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data directory for the whole run, so commands that embed the claims (the semantic
    tier is on by default) share one embeddings cache and never write into the checkout."""
    path = tmp_path_factory.mktemp("groundbot-data")
    previous = os.environ.get("GROUNDBOT_DATA_DIR")
    os.environ["GROUNDBOT_DATA_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("GROUNDBOT_DATA_DIR", None)
    else:
        os.environ["GROUNDBOT_DATA_DIR"] = previous


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path with none of the developer's GROUNDBOT_* variables or .env."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("GROUNDBOT_"):
            monkeypatch.delenv(name)
    return tmp_path


@pytest.fixture
def bot_settings(clean_env: Path, seed_kb: Path):
    """Settings for a bot under test: the fake token, the seed knowledge, data in tmp_path.

    The lexical matcher alone, so that an answer under test cannot change when embeddings
    finish in the background; tests/bot/test_semantic_wiring.py turns the tier on.
    """
    from bot.config import Settings

    return Settings(token=TOKEN, knowledge=seed_kb, data_dir=clean_env / "data", semantic=False)


@pytest.fixture
def bot_api() -> BotAPI:
    """Telegram's side of the conversation, recording every call."""
    return BotAPI()


@pytest.fixture
async def recording_bot(bot_settings, bot_api: BotAPI) -> AsyncIterator[RunningBot]:
    """groundbot's real Application with the bundled knowledge, its Bot API calls recorded."""
    async with running_bot(bot_settings, bot_api) as bot:
        yield bot


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A fake Bot API server on 127.0.0.1, with long-polling getUpdates."""
    with FakeTelegram() as telegram:
        yield telegram


def listening(port: int) -> bool:
    """True once something accepts connections on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def start_bot(fake_telegram: FakeTelegram, tmp_path: Path, seed_kb: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start `groundbot run` against ``fake_telegram``: ``start_bot(moderators="1001")``.

    Keyword arguments are GROUNDBOT_* settings without the prefix; the knowledge is
    ``seed_kb`` unless ``knowledge=`` says otherwise. Waits until the bot
    polls (or, given a port in webhook mode, until its webhook server listens). Every bot still running at the
    end of the test is killed.
    """
    started: list[BotProcess] = []

    def start(*, ready: bool = True, args: tuple[str, ...] = ("run",), **settings: str) -> BotProcess:
        n = len(started)
        # A restarted bot passes the first one's data_dir= to keep its event log.
        data_dir = Path(settings.pop("data_dir", tmp_path / f"data{n}"))
        settings.setdefault("knowledge", str(seed_kb))
        mark = fake_telegram.api.mark()  # an earlier bot's calls do not count as this one's
        proc = BotProcess(
            list(args), bot_env(fake_telegram, data_dir, **settings), tmp_path, tmp_path / f"groundbot{n}.log"
        ).start()
        started.append(proc)
        if ready and "port" in {k.lower() for k in settings}:
            port = int(next(v for k, v in settings.items() if k.lower() == "port"))
            proc.wait_until(lambda: listening(port), what=f"the webhook server on port {port}")
        elif ready:
            proc.wait_until(
                lambda: any(c.method == "getUpdates" for c in fake_telegram.api.calls[mark:]),
                what="the bot's first getUpdates",
            )
        return proc

    yield start
    for proc in started:
        proc.kill()
