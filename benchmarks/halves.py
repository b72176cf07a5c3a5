"""Answer quality on the fit and held-out halves of every visible set, this tree beside a base commit.

    .venv/bin/python benchmarks/halves.py --base 8add382 --write

Each set's questions are split once, by position, into the fit half (even) and the
held-out half (odd), as ``fit.py`` does; a change is fitted on the first and reported on
both. Every question goes through the real ``groundbot ask --json`` of each tree (the base
checked out once as a git worktree, as ``versus.py`` does), lexical and with the semantic
tier, and the shared ``score.py`` scores each half: CLINC150 validation, CheckThat 2020
training (MAP@5), the bundled regression questions against the bundled knowledge and
against the busy-moderator cut of it (first question only, no keywords). Both trees share
one embeddings cache. ``--write`` puts the table in RESULTS.md under its own markers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The repository first (results.py imports benchmarks.common), this folder last.
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import EVAL, OUT, ROOT, command_line, machine, machine_block, shared_score, table  # noqa: E402
from fit import busy_cut  # noqa: E402
from results import replace_section  # noqa: E402
from versus import checkout  # noqa: E402

from knowledge.answering.evaluation import Question, load_questions  # noqa: E402

MARK = "halves"
REGRESSION = ROOT / "knowledge" / "regression-questions.yaml"


def sets() -> dict[str, tuple[Path, Path | None, bool]]:
    """Name -> (questions file, knowledge (None: the bundled), MAP@5 is the measure)."""
    return {
        "CLINC150 validation": (EVAL / "clinc150" / "questions-val.yaml", EVAL / "clinc150" / "knowledge", False),
        "CheckThat 2020 training": (
            EVAL / "checkthat2020" / "questions-train.yaml",
            EVAL / "checkthat2020" / "knowledge",
            True,
        ),
        "bundled regression": (REGRESSION, None, False),
        "busy-moderator cut": (REGRESSION, busy_cut(), False),
    }


def ask(
    tree: Path,
    questions: list[Question],
    knowledge: Path | None,
    semantic: bool,
    data: Path,
    extra: tuple[str, ...] = (),
) -> list[dict]:
    """``groundbot ask --json`` of ``tree``'s code over ``questions`` (``extra``: more options),
    one object per question."""
    cmd = [sys.executable, "-c", "import sys; from bot.cli import cli; sys.argv[0] = 'groundbot'; cli()", "ask"]
    cmd += ["--json", "--semantic" if semantic else "--no-semantic", "--data-dir", str(data), *extra]
    if knowledge is not None:
        cmd += ["--knowledge", str(knowledge)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    stdin = "".join(q.text.replace("\n", " ") + "\n" for q in questions)
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True, env=env, cwd=tree)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def scored(questions: list[Question], predictions: list[dict], half: int, map5: bool) -> dict:
    idx = range(half, len(questions), 2)
    qs = [{"question": questions[i].text, "expect": sorted(questions[i].expect) or None} for i in idx]
    return shared_score()(qs, [predictions[i] for i in idx], map5)


def summary(m: dict, map5: bool) -> str:
    if map5:
        return f"MAP@5 {m['map_at_5']:.3f}"
    parts = [f"right {m.get('answered_correct', 0):.3f}", f"wrong {m.get('wrong_claim', 0):.3f}"]
    parts.append(f"clarify {m.get('clarify_with_right_option', 0):.3f}")
    if "oos_refused" in m:
        parts.append(f"oos refused {m['oos_refused']:.3f}")
    if "precision_of_answers" in m:
        parts.append(f"precision {m['precision_of_answers']:.3f}")
    return ", ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="HEAD~1", help="the commit to compare against (default: HEAD~1)")
    ap.add_argument("--data-dir", type=Path, default=OUT / "halves", help="where the embeddings cache is kept")
    ap.add_argument(
        "--write", action="store_true", help="write the table into RESULTS.md, in a section of its own for each --base"
    )
    args = ap.parse_args()
    trees = {"base": checkout(args.base), "this": ROOT}
    rows = []
    for name, (qfile, knowledge, map5) in sets().items():
        questions = load_questions(qfile)
        for semantic in (False, True):
            got = {label: ask(tree, questions, knowledge, semantic, args.data_dir) for label, tree in trees.items()}
            for half, label in ((0, "fit"), (1, "held out")):
                cells = [summary(scored(questions, got[t], half, map5), map5) for t in trees]
                rows.append([name, "semantic" if semantic else "lexical", label, *cells])
                print(" | ".join(rows[-1]), file=sys.stderr)
    body = "\n\n".join(
        [
            f"### Answer quality by half: this tree against {args.base} (`benchmarks/halves.py`)",
            machine_block(machine(), command_line()),
            "Fit half: even positions; held-out half: odd positions. `right`, `wrong` and `clarify` are "
            "shares of the in-scope questions (score.py's answered_correct, wrong_claim, "
            "clarify_with_right_option); `oos refused` of the out-of-scope ones.",
            table(["set", "matcher", "half", f"base ({args.base})", "this"], rows),
        ]
    )
    print(body)
    if args.write:
        replace_section(f"{MARK}-{args.base}", body)


if __name__ == "__main__":
    main()
