"""The `groundbot` commands for operating the bot: the moderators' reports (unanswered, stats), health and backup.

Each is a thin Click command over a library call; ``bot.cli`` adds them to the group.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from bot import health as health_check
from bot.cli_common import Failure, data_dir_option, knowledge_option
from knowledge import KnowledgeBase, KnowledgeError
from knowledge.activity import backup as backups
from knowledge.activity.events import EVENTS_FILE, EventLog
from knowledge.activity.reports import stats_text, unanswered_text

days_option = click.option(
    "--days",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    help="Report on the last DAYS days; 0 for all time.",
)


@contextmanager
def _event_log(data_dir: Path) -> Iterator[EventLog]:
    """The bot's event log in ``data_dir``, read-only, closed on leaving."""
    path = data_dir / EVENTS_FILE
    # A report must not create an empty log where the bot's log is not: say where we looked.
    if not path.is_file():
        raise Failure(f"groundbot: no event log at {path} (set --data-dir or GROUNDBOT_DATA_DIR).")
    log = EventLog(path, readonly=True)
    try:
        yield log
    finally:
        log.close()


def _statements(knowledge: Path | None) -> Callable[[str], str | None] | None:
    """Claim id -> statement from the knowledge, or None (with a warning) if it does not load."""
    try:
        kb = KnowledgeBase.load(knowledge)
    except KnowledgeError as err:
        click.echo(f"groundbot: the knowledge has {len(err.problems)} problem(s); showing claim ids only.", err=True)
        return None

    def statement(claim_id: str) -> str | None:
        claim = kb.claim(claim_id)
        return claim.statement if claim else None

    return statement


@click.command()
@data_dir_option
@days_option
@knowledge_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most this many questions."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: the period and every group.")
def unanswered(data_dir: Path, days: int, knowledge: Path | None, limit: int, as_json: bool) -> None:
    """Questions the bot refused or people marked 👎, grouped by meaning, most asked first.

    Each line shows how often the question was asked, other wordings of it, and the
    nearest claim with its score: a high score means a phrasing is missing from that
    claim, a low one that no claim covers the question yet.
    """

    period = days or None
    with _event_log(data_dir) as log:
        groups = log.unanswered(period)
    statement = _statements(knowledge)
    if as_json:
        rows = []
        for g in groups[:limit]:
            row = g.to_dict()
            row["nearest_statement"] = statement(g.claim_id) if statement and g.claim_id else None
            rows.append(row)
        click.echo(json.dumps({"days": period, "groups": rows, "total_groups": len(groups)}, ensure_ascii=False))
    else:
        click.echo(unanswered_text(groups, period, statement, limit=limit))


@click.command()
@data_dir_option
@days_option
@click.option("--json", "as_json", is_flag=True, help="Print the stats as one JSON object.")
def stats(data_dir: Path, days: int, as_json: bool) -> None:
    """Questions asked, answered / ambiguous / refused shares, picks, top claims and feedback over a period."""

    period = days or None
    with _event_log(data_dir) as log:
        result = log.stats(period)
    if as_json:
        click.echo(json.dumps({"days": period, **result.to_dict()}, ensure_ascii=False))
    else:
        click.echo(stats_text(result, period))


# --- Operating the bot: health and backups ----------------------------------------------


@click.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    envvar="GROUNDBOT_HEALTH_PORT",
    required=True,
    help="The bot's health port (default: $GROUNDBOT_HEALTH_PORT).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address of the bot's health server (127.0.0.1 also reaches GROUNDBOT_LISTEN=0.0.0.0).",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds to wait for the answer."
)
@click.option("--json", "as_json", is_flag=True, help="Print the endpoint's JSON report as it came.")
def health(port: int, host: str, timeout: float, as_json: bool) -> None:
    """Ask a running bot's /healthz; exit 0 when it is healthy, 1 when not or unreachable.

    For Docker's HEALTHCHECK, monitors and deploy scripts. Prints one line: the claims
    served, whether the event log is writable, and when the last update arrived.
    """
    try:
        report = health_check.probe(host, port, timeout)
    except health_check.Unreachable as err:
        raise Failure(f"groundbot: {err}") from None
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else health_check.summary(report))
    click.get_current_context().exit(0 if report.get("status") == "ok" else 1)


@click.command()
@click.argument("dest")
@data_dir_option
def backup(dest: str, data_dir: Path) -> None:
    """Copy the event log (events.db) to DEST, safely while the bot runs.

    Uses SQLite's online backup, so the copy is consistent even mid-write, which a plain
    cp of a WAL database is not. DEST is a file; a directory (existing, or ending in /)
    to put events-YYYYMMDD-HHMMSS.db in; or - for standard output, to copy out of a
    container. A file is written beside DEST and renamed into place when complete.
    """
    source = data_dir / EVENTS_FILE
    if not source.is_file():
        raise Failure(f"groundbot: no event log at {source} (set --data-dir or GROUNDBOT_DATA_DIR).")
    if dest == "-":
        with tempfile.TemporaryDirectory() as scratch:
            copy_path = Path(scratch) / EVENTS_FILE
            _backup(source, copy_path)
            with copy_path.open("rb") as copied:
                shutil.copyfileobj(copied, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    try:
        target = backups.target(source, Path(dest), directory=dest.endswith(("/", "\\")))
    except backups.BackupError as err:
        raise Failure(f"groundbot: {err}", exit_code=_exit_code(err)) from None
    counts = _backup(source, target)
    click.echo(f"Backed up {counts[0]} questions and {counts[1]} feedback votes to {target}")


def _backup(source: Path, dest: Path) -> tuple[int, int]:
    """Copy ``source`` to ``dest`` through a temporary file; (questions, feedback votes) copied."""
    try:
        done = backups.backup(source, dest)
    except backups.BackupError as err:
        raise Failure(f"groundbot: {err}", exit_code=_exit_code(err)) from None
    return done.questions, done.feedback


def _exit_code(err: backups.BackupError) -> int:
    """2 when the backup has nowhere to go (as a bad setting: the command is wrong), else 1."""
    return 2 if isinstance(err, backups.NoPlace) else 1
