"""The `groundbot` command line. Click gives every command and option its --help text."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click
from telegram.error import InvalidToken, NetworkError

from bot.app import configure_logging
from bot.app import run as run_bot
from bot.chat import COMMANDS as CHAT_COMMANDS
from bot.chat import HELP as CHAT_HELP
from bot.chat import HISTORY_FILE, QUIT, TerminalChat, line_editing
from bot.cli_common import Failure, check_data_dir, data_dir_option, knowledge_option, safe_url
from bot.config import ConfigError, Settings, load_limits, load_settings
from bot.operations_cli import backup, health, stats, unanswered
from handlers.render import plain
from knowledge import Answer, KnowledgeBase, KnowledgeError
from knowledge.activity.events import EVENTS_FILE, EventLog
from knowledge.answering.embedding import available as embedding_available
from knowledge.answering.evaluation import (
    MEANINGS,
    Question,
    as_expected,
    load_questions,
    metrics,
    unknown_ids,
    wrong_claim_split,
)
from knowledge.answering.explanation import explain as explanation
from knowledge.answering.model import ModelError, shipped
from knowledge.drafting.draft import DraftUnavailable, draft_article, load_pipeline, render_yaml
from knowledge.store.lint import describe, lint
from knowledge.store.loader import BUNDLED, Limits, inspect


def _limits() -> Limits:
    try:
        return load_limits()
    except ConfigError as err:
        raise click.ClickException(str(err)) from None


decision_option = click.option(
    "--decision",
    type=click.Choice(["rules", "model"]),
    default="rules",
    show_default=True,
    help="Who decides to answer, ask back or refuse: the thresholds and vetoes, or the learned answer model "
    "(knowledge/answering/model.json; benchmarks/RESULTS.md has both measured).",
)


def semantic_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--semantic/--no-semantic`` and ``--data-dir`` (where the embeddings cache lives)."""
    command = data_dir_option(command)
    return click.option(
        "--semantic/--no-semantic",
        envvar="GROUNDBOT_SEMANTIC",
        default=True,
        show_default=True,
        help="Use the embedding model if it is installed (default: $GROUNDBOT_SEMANTIC, else on).",
    )(command)


def _load(
    path: Path | None,
    limits: Limits | None = None,
    *,
    semantic: bool = False,
    data_dir: Path | None = None,
    decision: str = "rules",
) -> KnowledgeBase:
    try:
        models = shipped() if decision == "model" else None
        kb = KnowledgeBase.load(path, limits=limits or _limits(), models=models)
    except KnowledgeError as err:
        raise Failure(None, lines=map(str, err.problems)) from None
    except ModelError as err:
        raise Failure(str(err)) from None
    if semantic:
        # Embeds only what the cache lacks; stays lexical if the model is not installed.
        kb.start_semantic(data_dir, background=False)
    return kb


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="groundbot")
def cli() -> None:
    """groundbot: answers questions only from curated, attributed claims."""


# The operations commands (reports, health, backup) are defined in bot.operations_cli.
for operation in (unanswered, stats, health, backup):
    cli.add_command(operation)


@cli.command()
@click.argument("question", required=False)
@knowledge_option
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per question (the documented format).")
@click.option(
    "--explain",
    is_flag=True,
    help="Also show, for the top candidates, what the answer model read of each and the probability it gave "
    '(with --json, as an "explanation" object).',
)
@decision_option
@semantic_options
def ask(
    question: str | None,
    knowledge: Path | None,
    as_json: bool,
    explain: bool,
    decision: str,
    semantic: bool,
    data_dir: Path,
) -> None:
    """Answer QUESTION from the knowledge; with no QUESTION, answer each line of standard input."""
    kb = _load(knowledge, semantic=semantic, data_dir=data_dir, decision=decision)
    questions = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)

    for q in questions:
        answer = kb.answer(q)
        why = explanation(kb.matcher, q) if explain else None
        if as_json:
            found = answer.to_dict()
            if why is not None:
                found["explanation"] = why.to_dict()
            click.echo(json.dumps(found, ensure_ascii=False))
        else:
            text = plain(answer) + ("\n\nWhy:\n" + "\n".join(why.lines()) if why is not None else "")
            click.echo(text + ("" if question is not None else "\n"))


@cli.command()
@click.argument("path", required=False, envvar="GROUNDBOT_KNOWLEDGE", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on problems.")
def check(path: Path | None, strict: bool) -> None:
    """Validate knowledge files at PATH (default: $GROUNDBOT_KNOWLEDGE, else the bundled knowledge).

    Prints every problem in every file as file:line:col: message, the line and a caret under
    the place, then warnings about claims likely to be answered badly. Exits 0 when there is
    no problem (and, with --strict, no warning), else 1.
    """
    path = path or BUNDLED
    found = inspect(path, _limits())
    warnings = lint(found.claims, found.positions)
    for problem in found.problems:
        click.echo(describe(problem, "error"))
    for warning in warnings:
        click.echo(describe(warning, "warning"))
    if found.problems:
        raise Failure(f"{len(found.problems)} problem(s) and {len(warnings)} warning(s) found.")
    click.echo(
        f"OK: {len(found.claims)} claims from {len(found.sources)} source(s) in {path}"
        + (f", {len(warnings)} warning(s)" if warnings else "")
    )
    if strict and warnings:
        raise Failure(None)


@cli.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@knowledge_option
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 and show, for each question that did not come out as expected, what came out instead.",
)
@click.option("--map5", is_flag=True, help="Also report MAP@5 of the candidates.")
@decision_option
@semantic_options
def evaluate(
    questions: Path,
    knowledge: Path | None,
    as_json: bool,
    strict: bool,
    map5: bool,
    decision: str,
    semantic: bool,
    data_dir: Path,
) -> None:
    """Run the QUESTIONS file (question/expect pairs) and print the metrics of shared/eval/score.py.

    Each metric is followed by what it means. An expect id that is not a claim of the
    knowledge is a problem (file:line, exit 1): the question could never pass.
    """
    kb = _load(knowledge, semantic=semantic, data_dir=data_dir, decision=decision)
    items = load_questions(questions)
    unknown = unknown_ids(items, lambda claim_id: kb.claim(claim_id) is not None)
    if unknown:
        lines = [
            f"{questions}:{q.line}: expect {claim_id!r} is not a claim id in the knowledge" for q, claim_id in unknown
        ]
        raise Failure(f"groundbot: {len(unknown)} unknown claim id(s) in {questions}; no metrics.", lines=lines)
    answers = [kb.answer(q.text) for q in items]
    result = metrics(items, answers, map5=map5)
    failures = [(q, a) for q, a in zip(items, answers) if not as_expected(q, a)]
    if as_json:
        click.echo(json.dumps(result))
    else:
        for key, value in result.items():
            click.echo(f"{key:28} {value}")
            if key in MEANINGS:
                click.echo(f"{'':4}{MEANINGS[key]}")
            if key == "wrong_claim":
                wrong, unclear = wrong_claim_split(items, answers)
                click.echo(
                    f"{'':4}of which answered with a wrong claim: {wrong}; "
                    f'"Did you mean…" without a right option: {unclear}'
                )
        click.echo(f"{'as_expected':28} {len(items) - len(failures)}/{len(items)}")
        click.echo(f"{'':4}questions that came out as expected: a right card in scope, no card out of scope")
    if strict and failures:
        for q, a in failures:
            click.echo(_unexpected(questions, q, a), err=True)
        raise Failure(None)


def _unexpected(path: Path, question: Question, answer: Answer) -> str:
    """One failed question and what came out: status, claim id, score, the top three candidates."""
    want = ", ".join(sorted(question.expect)) or "refused"
    top = ", ".join(f"{c.claim.id} {c.score:.1f}" for c in answer.candidates[:3]) or "none"
    return (
        f"UNEXPECTED: {question.text!r} ({path}:{question.line}): expected {want}; got {answer.status}, "
        f"claim {answer.claim.id if answer.claim else '-'}, score {answer.score:.1f}; top candidates: {top}"
    )


@cli.command()
@click.option(
    "--check",
    is_flag=True,
    help="Validate the settings, the knowledge and the data directory, then exit "
    "(0: ready to run; 2: a bad setting, or a data directory or event log that cannot be used; 1: bad knowledge). "
    "Contacts no one: for deploy scripts.",
)
def run(check: bool) -> None:
    """Run the Telegram bot until SIGINT or SIGTERM.

    Settings come from GROUNDBOT_* environment variables and ./.env (see the README).
    Long polling by default; a webhook server when GROUNDBOT_WEBHOOK_URL is set.
    """
    try:
        settings = load_settings()
    except ConfigError as err:
        raise Failure(f"groundbot: {err}".replace("\n", "\ngroundbot: "), exit_code=2) from None
    if check:
        _check_deployment(settings)
        return
    # The data directory and event log first: a garbage events.db or a data directory that
    # is a file is one line here, not a traceback (or a misleading one) from inside start-up.
    check_data_dir(settings)
    configure_logging(settings)
    try:
        run_bot(settings)
    except KnowledgeError as err:
        lines = map(str, err.problems)
        raise Failure("groundbot: the knowledge has problems; not starting.", lines=lines) from None
    except InvalidToken:
        raise Failure("groundbot: GROUNDBOT_TOKEN: Telegram rejected the token.", exit_code=2) from None
    except NetworkError as err:
        raise Failure(
            f"groundbot: cannot reach the Bot API at {safe_url(settings.base_url)}: {type(err).__name__}"
        ) from None
    except OSError as err:  # the webhook or health port is taken, or the address is not ours
        raise Failure(f"groundbot: cannot listen on {settings.listen}: {err.strerror or err}") from None


def _semantic_line(kb: KnowledgeBase, settings: Settings) -> str:
    """How much of the knowledge the semantic tier has embedded already (the rest is embedded at start)."""
    if not settings.semantic:
        return "OK: semantic tier off (GROUNDBOT_SEMANTIC=false): the lexical matcher answers alone"
    if not embedding_available():
        return "OK: semantic tier not installed (pip install 'groundbot[semantic]'): the lexical matcher answers alone"
    done, total = kb.embedded(settings.data_dir)
    return f"OK: semantic tier: {done} of {total} texts embedded in {settings.data_dir}; the rest at start-up"


def _check_deployment(settings: Settings) -> None:
    """`groundbot run --check`: what `run` would load and open, loaded and opened, then closed."""
    mode = f"webhook at {safe_url(settings.webhook_url)}" if settings.webhook else "long polling"
    health = f"; /healthz and /metrics on {settings.listen}:{settings.health_port}" if settings.health_port else ""
    click.echo(f"OK: settings ({mode}{health})")
    kb = _load(settings.knowledge, settings.limits)
    try:
        click.echo(f"OK: knowledge: {len(kb)} claims from {len(kb.sources)} source(s) in {kb.path}")
        click.echo(_semantic_line(kb, settings))
    finally:
        kb.close()
    click.echo(f"OK: event log {check_data_dir(settings)} is writable")


def _chat_help() -> str:
    lines = "\n".join(f"  {name:12} {what}" for name, what in CHAT_COMMANDS)
    return (
        "Chat with the bot in this terminal: the same matcher and replies as in Telegram, no token needed.\n\n"
        "With --data-dir, every question and pick goes to that directory's event log as the bot "
        "logs it, so `groundbot unanswered` and `groundbot stats` report on the session. Line "
        "editing and history (arrow keys) work in a terminal; the history is kept in the data "
        f"directory's {HISTORY_FILE}, else in ~/.groundbot_history.\n\n"
        f"\b\nIn the chat, ask a question in words, or type:\n{lines}"
    )


@cli.command(help=_chat_help())
@knowledge_option
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Log the session to {EVENTS_FILE} in this directory, as the bot does (default: log nothing).",
)
def chat(knowledge: Path | None, data_dir: Path | None) -> None:
    kb = _load(knowledge)
    events = None
    if data_dir is not None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            events = EventLog(data_dir / EVENTS_FILE)
        except (OSError, ValueError, sqlite3.Error) as err:
            raise Failure(f"groundbot: cannot open the event log in {data_dir}: {err}") from None
    history = data_dir / HISTORY_FILE if data_dir is not None else Path.home() / ".groundbot_history"
    logged = f" Logging to {data_dir / EVENTS_FILE}." if data_dir is not None else ""
    click.echo(f"groundbot chat: {len(kb)} claims loaded.{logged} {CHAT_HELP}")
    session = TerminalChat(kb, events)
    try:
        with line_editing(history, interactive=sys.stdin.isatty()):
            while True:
                try:
                    line = input("you> ").strip()
                except (EOFError, KeyboardInterrupt):
                    click.echo()
                    break
                if line in QUIT:
                    break
                if line:
                    click.echo(f"{session.reply(line)}\n")
    finally:
        if events is not None:
            events.close()


@cli.command()
@click.argument("article", type=click.File("rb"))
@knowledge_option
@click.option("--source-id", help="The source id (a slug) for the file (default: from the title).")
@click.option(
    "--outlet",
    help="Who published the article; its own statements are attributed to it "
    "(default: an 'Outlet:' header line, else a guess, flagged).",
)
@click.option("--title", help="The article's title (default: a 'Title:' header line, else the first line).")
@click.option("--url", help="The article's http(s) address (default: a 'URL:' header line).")
@click.option("--published", help="Publication date, YYYY-MM-DD (default: a 'Date:' header line).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the draft to this file instead of standard output.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Write one JSON object per drafted claim (the documented format) instead of YAML.",
)
def draft(
    article: IO[bytes],
    knowledge: Path | None,
    source_id: str | None,
    outlet: str | None,
    title: str | None,
    url: str | None,
    published: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Draft a knowledge file from ARTICLE (a plain-text file, or - for standard input) to review.

    Needs the optional extra: pip install 'groundbot[draft]'. Claims like ones already in
    the knowledge (--knowledge, else the bundled knowledge) are flagged, and ids stay unique.
    """
    try:
        nlp = load_pipeline()
    except DraftUnavailable as err:
        raise Failure(f"groundbot: {err}") from None
    try:
        text = article.read().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Failure(f"groundbot: the article is not UTF-8 text (byte {err.start})") from None
    if not text.strip():
        raise Failure("groundbot: the article is empty")
    root = knowledge or BUNDLED
    found = inspect(root, _limits())
    if found.problems:
        click.echo(
            f"groundbot: not comparing with {root}: {len(found.problems)} problem(s) there (see groundbot check)",
            err=True,
        )
    result = draft_article(
        text,
        source_id=source_id,
        outlet=outlet,
        title=title,
        url=url,
        published=published,
        existing=[] if found.problems else found.claims,
        nlp=nlp,
    )
    if as_json:
        body = "".join(json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in result.claims)
    else:
        body = render_yaml(result)
    if output is None:
        click.echo(body, nl=False)
        return
    try:
        output.write_text(body, encoding="utf-8")
    except OSError as err:
        raise Failure(f"groundbot: cannot write {output}: {err.strerror}") from None
    flagged = sum(1 for c in result.claims if c.flags)
    click.echo(f"Drafted {len(result.claims)} claims ({flagged} to check) into {output}", err=True)
