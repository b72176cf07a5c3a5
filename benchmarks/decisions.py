"""Answer quality of the two answer decisions, the rules and the learned model, in one tree.

    .venv/bin/python benchmarks/decisions.py --data-dir benchmarks/out/semantic --write

Every question goes through the real ``groundbot ask --json --decision rules|model``,
lexical and with the semantic tier, and the shared ``score.py`` scores it:
- CLINC150 validation and CheckThat 2020 training, by half: the model was fitted on the even
  positions only, the odd ones are held out;
- the bundled regression questions against the bundled knowledge and against its busy cut:
  the model was fitted on all of them (they must all pass), so neither half is held out;
- the near misses generated from the bundled knowledge and its busy cut (fitted on): how
  many are answered with the claim they were made from;
- every article under ``benchmarks/articles/``, curated and asked by hand, never fitted on:
  the held-out figure for lightly curated knowledge.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import OUT, ROOT, command_line, machine, machine_block, shared_score, table  # noqa: E402
from halves import ask, scored, sets, summary  # noqa: E402
from results import replace_section  # noqa: E402

from knowledge.answering.evaluation import Question, load_questions  # noqa: E402
from knowledge.answering.near_misses import near_misses  # noqa: E402
from knowledge.store.loader import BUNDLED, load_claims  # noqa: E402

MARK = "decisions"
DECISIONS = ("rules", "model")


def articles() -> dict[str, tuple[Path, Path]]:
    """Name -> (questions, knowledge) of each hand-curated article."""
    return {
        f"article: {d.name}": (d / "questions.yaml", d / "knowledge")
        for d in sorted((HERE / "articles").iterdir())
        if (d / "questions.yaml").exists()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=OUT / "semantic", help="where the embeddings cache is kept")
    ap.add_argument("--write", action="store_true", help="write the table into RESULTS.md")
    args = ap.parse_args()
    rows = []

    def both(questions: list[Question], knowledge: Path | None, semantic: bool) -> dict[str, list[dict]]:
        return {d: ask(ROOT, questions, knowledge, semantic, args.data_dir, ("--decision", d)) for d in DECISIONS}

    def row(*cells: str) -> None:
        rows.append(list(cells))
        print(" | ".join(cells), file=sys.stderr)

    for name, (qfile, knowledge, map5) in sets().items():
        questions = load_questions(qfile)
        for semantic in (False, True):
            got = both(questions, knowledge, semantic)
            tier = "semantic" if semantic else "lexical"
            halves = ((0, "fit"), (1, "held out")) if map5 or "CLINC" in name else ((None, "all, fitted on"),)
            for half, label in halves:
                if half is None:
                    idx = range(len(questions))
                    qs = [{"question": q.text, "expect": sorted(q.expect) or None} for q in questions]
                    cells = [summary(shared_score()(qs, [got[d][i] for i in idx], map5), map5) for d in DECISIONS]
                else:
                    cells = [summary(scored(questions, got[d], half, map5), map5) for d in DECISIONS]
                row(name, tier, label, *cells)
    for name, knowledge in (("bundled", Path(BUNDLED)), ("busy-moderator cut", sets()["busy-moderator cut"][1])):
        made = near_misses(load_claims(knowledge))
        questions = [Question(n.question, frozenset()) for n in made]
        for semantic in (False, True):
            got = both(questions, knowledge, semantic)
            cells = [
                f"{sum((a.get('claim') or {}).get('id') == n.claim_id for a, n in zip(got[d], made))} of {len(made)} "
                "answered with their own claim"
                for d in DECISIONS
            ]
            row(f"near misses of the {name}", "semantic" if semantic else "lexical", "all, fitted on", *cells)
    for name, (qfile, knowledge) in articles().items():
        questions = load_questions(qfile)
        for semantic in (False, True):
            got = both(questions, knowledge, semantic)
            qs = [{"question": q.text, "expect": sorted(q.expect) or None} for q in questions]
            cells = [summary(shared_score()(qs, got[d], False), False) for d in DECISIONS]
            row(name, "semantic" if semantic else "lexical", "all, held out", *cells)
    body = "\n\n".join(
        [
            "### The rules against the learned answer model (`benchmarks/decisions.py`)",
            machine_block(machine(), command_line()),
            "`right`, `wrong` and `clarify` are shares of the in-scope questions (score.py's answered_correct, "
            "wrong_claim, clarify_with_right_option); `oos refused` of the must-refuse ones; `precision` of the "
            "answers given. CLINC150 and CheckThat by half (the model was fitted on the even positions); the "
            "regression questions and near misses were all fitted on; the articles never were.",
            table(["set", "matcher", "questions", "rules (default)", "model (--decision model)"], rows),
        ]
    )
    print(body)
    if args.write:
        replace_section(MARK, body)


if __name__ == "__main__":
    main()
