"""The `groundbot` command line. Click gives every command and option its --help text."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from handlers.render import plain
from knowledge import Answer, KnowledgeBase, KnowledgeError
from knowledge.evaluation import as_expected, load_questions, metrics
from knowledge.loader import BUNDLED, load_claims

if TYPE_CHECKING:
    from knowledge.events import EventLog

KNOWLEDGE_HELP = "Knowledge file or directory (default: $GROUNDBOT_KNOWLEDGE, else the bundled knowledge)."
knowledge_option = click.option(
    "--knowledge",
    "knowledge",
    type=click.Path(exists=True, path_type=Path),
    envvar="GROUNDBOT_KNOWLEDGE",
    default=None,
    help=KNOWLEDGE_HELP,
)


def semantic_options(command):
    """``--semantic/--no-semantic`` and ``--data-dir`` (where the embeddings cache lives)."""
    command = click.option(
        "--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="GROUNDBOT_DATA_DIR",
        default=Path("data"), show_default=True,
        help="Where the embeddings cache embeddings.db lives (default: $GROUNDBOT_DATA_DIR, else ./data).",
    )(command)
    return click.option(
        "--semantic/--no-semantic", envvar="GROUNDBOT_SEMANTIC", default=True, show_default=True,
        help="Use the embedding model if it is installed (default: $GROUNDBOT_SEMANTIC, else on).",
    )(command)


def _load(path: Path | None, semantic: bool = False, data_dir: Path | None = None) -> KnowledgeBase:
    try:
        kb = KnowledgeBase.load(path)
    except KnowledgeError as err:
        for problem in err.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    if semantic:
        # Embeds only what the cache lacks; stays lexical if the model is not installed.
        kb.start_semantic(data_dir, background=False)
    return kb


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="groundbot")
def cli() -> None:
    """groundbot: answers questions only from curated, attributed claims."""


@cli.command()
@click.argument("question", required=False)
@knowledge_option
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per question (the documented format).")
@semantic_options
def ask(question: str | None, knowledge: Path | None, as_json: bool, semantic: bool, data_dir: Path) -> None:
    """Answer QUESTION from the knowledge; with no QUESTION, answer each line of standard input."""
    kb = _load(knowledge, semantic, data_dir)
    questions = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)

    def show(answer: Answer) -> None:
        if as_json:
            click.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            click.echo(plain(answer) + ("" if question is not None else "\n"))

    for q in questions:
        show(kb.answer(q))


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check(path: Path | None) -> None:
    """Validate knowledge files at PATH (default: $GROUNDBOT_KNOWLEDGE, else the bundled knowledge).

    Prints every problem as file:line:col: message. Exits 0 when clean, 1 when not.
    """
    import os

    path = path or (Path(os.environ["GROUNDBOT_KNOWLEDGE"]) if os.environ.get("GROUNDBOT_KNOWLEDGE") else BUNDLED)
    try:
        claims = load_claims(path)
    except KnowledgeError as err:
        for problem in err.problems:
            click.echo(str(problem))
        click.echo(f"{len(err.problems)} problem(s) found.", err=True)
        raise SystemExit(1) from None
    sources = {c.source.id for c in claims}
    click.echo(f"OK: {len(claims)} claims from {len(sources)} source(s) in {path}")


@cli.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@knowledge_option
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option("--strict", is_flag=True, help="Exit 1 and list each question that did not come out as expected.")
@click.option("--map5", is_flag=True, help="Also report MAP@5 of the candidates.")
@semantic_options
def evaluate(questions: Path, knowledge: Path | None, as_json: bool, strict: bool, map5: bool,
             semantic: bool, data_dir: Path) -> None:
    """Run the QUESTIONS file (question/expect pairs) and print the metrics of shared/eval/score.py."""
    kb = _load(knowledge, semantic, data_dir)
    items = load_questions(questions)
    answers = [kb.answer(q.text) for q in items]
    result = metrics(items, answers, map5=map5)
    failures = [(q, a) for q, a in zip(items, answers) if not as_expected(q, a)]
    if as_json:
        click.echo(json.dumps(result))
    else:
        for key, value in result.items():
            click.echo(f"{key:28} {value}")
        click.echo(f"{'as_expected':28} {len(items) - len(failures)}/{len(items)}")
    if strict and failures:
        for q, a in failures:
            want = ", ".join(sorted(q.expect)) or "refused"
            got = a.claim.id if a.claim else a.status
            click.echo(f"UNEXPECTED: {q.text!r}: expected {want}, got {got} (score {a.score:.1f})", err=True)
        raise SystemExit(1)


@cli.command()
@click.option("--check", is_flag=True,
              help="Validate the settings, the knowledge and the data directory, then exit "
              "(0: ready to run; 2: a bad setting; 1: bad knowledge or an unwritable data directory). "
              "Contacts no one: for deploy scripts.")
def run(check: bool) -> None:
    """Run the Telegram bot until SIGINT or SIGTERM.

    Settings come from GROUNDBOT_* environment variables and ./.env (see the README).
    Long polling by default; a webhook server when GROUNDBOT_WEBHOOK_URL is set.
    """
    from telegram.error import InvalidToken, NetworkError

    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as err:
        click.echo(f"groundbot: {err}".replace("\n", "\ngroundbot: "), err=True)
        raise SystemExit(2) from None
    if check:
        _check_deployment(settings)
        return
    from bot.app import configure_logging
    from bot.app import run as run_bot

    configure_logging(settings)
    try:
        run_bot(settings)
    except KnowledgeError as err:
        for problem in err.problems:
            click.echo(str(problem), err=True)
        click.echo("groundbot: the knowledge has problems; not starting.", err=True)
        raise SystemExit(1) from None
    except InvalidToken:
        click.echo("groundbot: GROUNDBOT_TOKEN: Telegram rejected the token.", err=True)
        raise SystemExit(2) from None
    except NetworkError as err:
        click.echo(f"groundbot: cannot reach the Bot API at {settings.base_url}: {type(err).__name__}", err=True)
        raise SystemExit(1) from None
    except OSError as err:  # the webhook or health port is taken, or the address is not ours
        click.echo(f"groundbot: cannot listen on {settings.listen}: {err.strerror or err}", err=True)
        raise SystemExit(1) from None


def _check_deployment(settings) -> None:
    """`groundbot run --check`: what `run` would load and open, loaded and opened, then closed."""
    from knowledge.events import EventLog

    mode = f"webhook at {settings.webhook_url}" if settings.webhook else "long polling"
    health = f"; /healthz on {settings.listen}:{settings.health_port}" if settings.health_port else ""
    click.echo(f"OK: settings ({mode}{health})")
    kb = _load(settings.knowledge)
    try:
        click.echo(f"OK: knowledge: {len(kb)} claims from {len(kb.sources)} source(s) in {kb.path}")
    finally:
        kb.close()
    try:
        log = EventLog(settings.events_path, hash_users=settings.hash_user_ids)
    except (OSError, sqlite3.Error) as err:
        click.echo(f"groundbot: cannot open the event log {settings.events_path}: {err}", err=True)
        raise SystemExit(1) from None
    try:
        problem = log.writable()
    finally:
        log.close()
    if problem is not None:
        click.echo(f"groundbot: the event log {settings.events_path} is not writable: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: event log {settings.events_path} is writable")


CHAT_HELP = ("Ask a question in words. /topics and /sources list what I know, /claim ID shows one "
             "claim, a number picks a \"Did you mean…\" option, /quit (or Ctrl-D) leaves.")


def chat_reply(kb: KnowledgeBase, line: str, offered: list) -> tuple[str, list]:
    """The bot's plain-text reply to one line of `groundbot chat`, and the options it now offers."""
    from handlers import render

    command, _, rest = line.partition(" ")
    if command in ("/help", "/start"):
        return CHAT_HELP, offered
    if command == "/topics":
        return render.topics(kb, html=False), offered
    if command == "/sources":
        return render.sources(kb, html=False), offered
    if command == "/claim":
        claim = kb.claim(rest.strip())
        return (render.plain_card(claim) if claim else f"There is no claim with id {rest.strip()!r}."), offered
    if line.isdigit() and offered:
        n = int(line)
        if not 1 <= n <= len(offered):
            return f"Pick a number from 1 to {len(offered)}.", offered
        claim = kb.claim(offered[n - 1])
        return (render.plain_card(claim) if claim else "That claim is no longer in the knowledge base."), []
    answer = kb.answer(line)
    if answer.status == "refused":
        return f"{render.REFUSAL}\n{render.TOPICS_HINT}", []
    options = [c.claim.id for c in answer.options]
    text = plain(answer) + ("\n(type a number to pick one)" if options else "")
    return text, options


@cli.command()
@knowledge_option
def chat(knowledge: Path | None) -> None:
    """Chat with the bot in this terminal: the same matcher and replies as in Telegram, no token needed."""
    kb = _load(knowledge)
    click.echo(f"groundbot chat: {len(kb)} claims loaded. {CHAT_HELP}")
    offered: list = []
    while True:
        try:
            line = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            break
        if line in ("/quit", "/exit"):
            break
        if not line:
            continue
        reply, offered = chat_reply(kb, line, offered)
        click.echo(f"{reply}\n")


# The moderators' reports on the server: the same numbers as /unanswered and /stats.
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GROUNDBOT_DATA_DIR",
    default=Path("data"),
    show_default=True,
    help="The bot's data directory, holding events.db (default: $GROUNDBOT_DATA_DIR, else ./data).",
)
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
    from knowledge.events import EventLog

    path = data_dir / "events.db"
    # A report must not create an empty log where the bot's log is not: say where we looked.
    if not path.is_file():
        click.echo(f"groundbot: no event log at {path} (set --data-dir or GROUNDBOT_DATA_DIR).", err=True)
        raise SystemExit(1)
    log = EventLog(path, readonly=True)
    try:
        yield log
    finally:
        log.close()


def _statements(knowledge: Path | None):
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


@cli.command()
@data_dir_option
@days_option
@knowledge_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most this many questions.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: the period and every group.")
def unanswered(data_dir: Path, days: int, knowledge: Path | None, limit: int, as_json: bool) -> None:
    """Questions the bot refused or people marked 👎, grouped by meaning, most asked first.

    Each line shows how often the question was asked, other wordings of it, and the
    nearest claim with its score: a high score means a phrasing is missing from that
    claim, a low one that no claim covers the question yet.
    """
    from knowledge.reports import unanswered_text

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


@cli.command()
@data_dir_option
@days_option
@click.option("--json", "as_json", is_flag=True, help="Print the stats as one JSON object.")
def stats(data_dir: Path, days: int, as_json: bool) -> None:
    """Questions asked, answered / ambiguous / refused shares, picks, top claims and feedback over a period."""
    from knowledge.reports import stats_text

    period = days or None
    with _event_log(data_dir) as log:
        result = log.stats(period)
    if as_json:
        click.echo(json.dumps({"days": period, **result.to_dict()}, ensure_ascii=False))
    else:
        click.echo(stats_text(result, period))


# --- Operating the bot: health and backups ----------------------------------------------


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), envvar="GROUNDBOT_HEALTH_PORT", required=True,
              help="The bot's health port (default: $GROUNDBOT_HEALTH_PORT).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address of the bot's health server (127.0.0.1 also reaches GROUNDBOT_LISTEN=0.0.0.0).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds to wait for the answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the endpoint's JSON report as it came.")
def health(port: int, host: str, timeout: float, as_json: bool) -> None:
    """Ask a running bot's /healthz; exit 0 when it is healthy, 1 when not or unreachable.

    For Docker's HEALTHCHECK, monitors and deploy scripts. Prints one line: the claims
    served, whether the event log is writable, and when the last update arrived.
    """
    import urllib.error
    import urllib.request

    url = f"http://{host}:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as err:  # 503: unhealthy, with the report as its body
        body = err.read()
    except (urllib.error.URLError, OSError) as err:
        click.echo(f"groundbot: no health endpoint at {url}: {getattr(err, 'reason', err)}", err=True)
        raise SystemExit(1) from None
    try:
        report = json.loads(body)
    except ValueError:
        click.echo(f"groundbot: {url} did not answer with a health report", err=True)
        raise SystemExit(1) from None
    healthy = report.get("status") == "ok"
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        last = report["last_update"]
        when = f"{last['seconds_ago']} s ago" if last["at"] else "none yet"
        summary = (f"{report['knowledge']['claims']} claims; event log "
                   f"{'writable' if report['event_log']['writable'] else 'NOT writable'}; "
                   f"last update {when}; {report['mode']}")
        click.echo(f"{'healthy' if healthy else 'UNHEALTHY: ' + '; '.join(report['problems'])} ({summary})")
    raise SystemExit(0 if healthy else 1)


@cli.command()
@click.argument("dest")
@data_dir_option
def backup(dest: str, data_dir: Path) -> None:
    """Copy the event log (events.db) to DEST, safely while the bot runs.

    Uses SQLite's online backup, so the copy is consistent even mid-write, which a plain
    cp of a WAL database is not. DEST is a file; a directory (existing, or ending in /)
    to put events-YYYYMMDD-HHMMSS.db in; or - for standard output, to copy out of a
    container. A file is written beside DEST and renamed into place when complete.
    """
    import datetime as dt
    import shutil
    import tempfile

    source = data_dir / "events.db"
    if not source.is_file():
        click.echo(f"groundbot: no event log at {source} (set --data-dir or GROUNDBOT_DATA_DIR).", err=True)
        raise SystemExit(1)
    if dest == "-":
        with tempfile.TemporaryDirectory() as scratch:
            copy_path = Path(scratch) / "events.db"
            _backup(source, copy_path, copy_path.with_name("events.db.partial"))
            with copy_path.open("rb") as copied:
                shutil.copyfileobj(copied, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    target = Path(dest)
    if target.is_dir() or dest.endswith(("/", "\\")):
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"events-{dt.datetime.now(dt.timezone.utc):%Y%m%d-%H%M%S}.db"
    counts = _backup(source, target, target.with_name(target.name + ".partial"))
    click.echo(f"Backed up {counts[0]} questions and {counts[1]} feedback votes to {target}")


def _backup(source: Path, dest: Path, partial: Path) -> tuple[int, int]:
    """Copy ``source`` to ``partial`` with SQLite's backup API, check it, rename it to ``dest``."""
    from contextlib import closing

    partial.unlink(missing_ok=True)
    try:
        # closing(): a sqlite3 connection's own `with` commits but leaves the file open.
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=10)) as src, \
                closing(sqlite3.connect(partial)) as copy:
            src.backup(copy)
            counts = [copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("questions", "feedback")]
            ok = copy.execute("PRAGMA quick_check").fetchone()[0]
    except (sqlite3.Error, OSError) as err:
        partial.unlink(missing_ok=True)
        click.echo(f"groundbot: backup failed: {err}", err=True)
        raise SystemExit(1) from None
    if ok != "ok":
        partial.unlink(missing_ok=True)
        click.echo(f"groundbot: the copy failed its check: {ok}", err=True)
        raise SystemExit(1)
    partial.replace(dest)
    return counts[0], counts[1]
