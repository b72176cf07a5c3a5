"""The `groundbot` command line. Click gives every command and option its --help text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from knowledge import Answer, KnowledgeBase, KnowledgeError
from knowledge.evaluation import as_expected, load_questions, metrics
from knowledge.loader import BUNDLED, load_claims
from handlers.render import plain

KNOWLEDGE_HELP = "Knowledge file or directory (default: $GROUNDBOT_KNOWLEDGE, else the bundled knowledge)."
knowledge_option = click.option(
    "--knowledge",
    "knowledge",
    type=click.Path(exists=True, path_type=Path),
    envvar="GROUNDBOT_KNOWLEDGE",
    default=None,
    help=KNOWLEDGE_HELP,
)


def _load(path: Path | None) -> KnowledgeBase:
    try:
        return KnowledgeBase.load(path)
    except KnowledgeError as err:
        for problem in err.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="groundbot")
def cli() -> None:
    """groundbot: answers questions only from curated, attributed claims."""


@cli.command()
@click.argument("question", required=False)
@knowledge_option
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per question (the documented format).")
def ask(question: str | None, knowledge: Path | None, as_json: bool) -> None:
    """Answer QUESTION from the knowledge; with no QUESTION, answer each line of standard input."""
    kb = _load(knowledge)
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
def evaluate(questions: Path, knowledge: Path | None, as_json: bool, strict: bool, map5: bool) -> None:
    """Run the QUESTIONS file (question/expect pairs) and print the metrics of shared/eval/score.py."""
    kb = _load(knowledge)
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
