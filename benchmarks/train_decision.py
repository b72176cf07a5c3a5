"""Fit the answer model (``knowledge/answering/model.json``) on visible data and near misses only.

    .venv/bin/python benchmarks/train_decision.py            # fit, report, write model.json
    .venv/bin/python benchmarks/train_decision.py --check    # fit, and fail if model.json differs

Training data, the same for both matchers (lexical, and fused with the semantic tier):
- CLINC150 validation and CheckThat 2020 training, the *fit halves* (even positions; the odd
  halves are held out and only reported);
- the bundled regression questions, all of them (they must all pass, and the rules this
  model replaces were fitted on all of them), against the bundled knowledge and against its
  busy-moderator cut (first question per claim, no keywords);
- near misses generated from the bundled knowledge and its busy cut
  (``knowledge.answering.near_misses``): the claim each was made from is a negative. Not from
  CheckThat's claims: their headlines capitalise every word, so the generator cannot tell
  their names.

Every question runs through the real stages up to ``score``; ``features.gather`` gives each
candidate's features. The logistic model is fitted with an L2 penalty by Newton's method
for a fixed number of steps from zero, each data set weighing the same; its weights are
rounded to four places, so the same data give the same file byte for byte. The thresholds are then chosen on
the fit halves: the most questions answered right less ``WRONG_COST`` times those answered
wrong (CLINC, the bundled and the busy cut, equally weighted), with precision of answers and
out-of-scope refused at least ``PRECISION`` on CLINC, no must-refuse regression question
answered and at most ``NEAR_WRONG`` of the near misses answered with their own claim.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import EVAL, OUT, ROOT, shared_score  # noqa: E402
from fit import busy_cut  # noqa: E402

from knowledge import KnowledgeBase, Thresholds  # noqa: E402
from knowledge.answering.decision import rank, settle  # noqa: E402
from knowledge.answering.evaluation import Question, load_questions  # noqa: E402
from knowledge.answering.features import FEATURES, Evidence, gather  # noqa: E402
from knowledge.answering.model import MODEL_FILE, AnswerModel  # noqa: E402
from knowledge.answering.near_misses import near_misses  # noqa: E402
from knowledge.store.loader import BUNDLED, load_claims  # noqa: E402

SEMANTIC_DIR = OUT / "semantic"  # the embeddings cache, shared by every benchmark
REGRESSION = ROOT / "knowledge" / "regression-questions.yaml"
# On CLINC's fit half. The goal is 0.95 held out; no setting of this model reaches it there
# without answering far fewer questions right (benchmarks/RESULTS.md), so it is held to what
# the rules it replaces gave on the same half (0.93 fused, 0.92 lexical).
PRECISION = {"lexical": 0.92, "semantic": 0.93}
WRONG_COST = 2.0  # a wrong claim (or a "Did you mean" without the right one) costs two right answers
NEAR_WRONG = 0.01  # of the near misses, at most this share answered with their own claim
NEAR_WEIGHT = 0.2
# The sets of attributed claims from news, what the bot is for, weigh more than CLINC's intents.
SET_WEIGHT = {"bundled": 2.0, "busy": 2.0}
L2, STEPS = 1.0, 40
GRID_ANSWER = [round(0.40 + 0.025 * i, 3) for i in range(23)]
GRID_MARGIN = [0.0, 0.1, 0.2, 0.3, 0.4]
GRID_AMBIGUOUS = [round(0.20 + 0.05 * i, 2) for i in range(15)]


@dataclass
class Item:
    """One question against one store, with its candidates' evidence (in retrieval order)."""

    set: str
    fit: bool
    query: object
    scored: list
    expect: frozenset[str]
    made_from: str | None = None  # a near miss: the claim that must not answer it
    proper: frozenset[str] = frozenset()
    semantic: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    def gather(self) -> None:
        t = Thresholds().active(self.semantic)
        self.evidence = gather(self.query, self.scored, self.proper, t.ambiguous_coverage, t)  # type: ignore[arg-type]


def prepare(kb: KnowledgeBase, name: str, questions: list[Question], fit: list[bool], made_from=None) -> list[Item]:
    """Each question through the stages up to ``score``, as ``Matcher.answer`` runs them."""
    m = kb.matcher
    items = []
    for i, q in enumerate(questions):
        query, scored, _ = m.candidates(q.text, m.semantic)
        item = Item(
            name,
            fit[i],
            query,
            scored,
            q.expect,
            made_from[i] if made_from else None,
            m.store.proper,
            m.semantic is not None,
        )
        item.gather()
        items.append(item)
    return items


def load(path: Path, semantic: bool) -> KnowledgeBase:
    kb = KnowledgeBase.load(path)
    if semantic:
        status = kb.start_semantic(SEMANTIC_DIR, background=False, question_cache=True)
        if status.state != "ready":
            raise SystemExit(f"semantic tier not ready for {path}: {status}")
    return kb


def every_other(n: int) -> list[bool]:
    """The fit half: even positions."""
    return [i % 2 == 0 for i in range(n)]


def dataset(semantic: bool) -> list[Item]:
    """Every item of the training and held-out data, for one matcher."""
    clinc = load_questions(EVAL / "clinc150" / "questions-val.yaml")
    checkthat = load_questions(EVAL / "checkthat2020" / "questions-train.yaml")
    regression = load_questions(REGRESSION)
    items: list[Item] = []
    kb = load(EVAL / "clinc150" / "knowledge", semantic)
    items += prepare(kb, "clinc", clinc, every_other(len(clinc)))
    kb = load(EVAL / "checkthat2020" / "knowledge", semantic)
    items += prepare(kb, "checkthat", checkthat, every_other(len(checkthat)))
    for name, path in (("bundled", Path(BUNDLED)), ("busy", busy_cut())):
        kb = load(path, semantic)
        items += prepare(kb, name, regression, [True] * len(regression))
        items += _near(kb, path, f"{name} near", 1)
    return items


def _near(kb: KnowledgeBase, path: Path, name: str, sample: int) -> list[Item]:
    made = near_misses(load_claims(path)[::sample])
    questions = [Question(n.question, frozenset()) for n in made]
    return prepare(kb, name, questions, [True] * len(made), [n.claim_id for n in made])


def fit_weights(items: list[Item]) -> tuple[float, ...]:
    """Logistic regression over the fit items' candidates by Newton's method, each data set
    weighing the same, near misses less."""
    rows, labels, sets = [], [], []
    for item in items:
        if not item.fit:
            continue
        for e in item.evidence:
            if item.made_from is not None and e.scored.row.id != item.made_from:
                continue  # another claim may well answer a near miss: unlabelled
            rows.append(e.values)
            labels.append(1.0 if e.scored.row.id in item.expect else 0.0)
            sets.append(item.set)
    x, y = np.array(rows, dtype=np.float64), np.array(labels)
    counts = {s: sets.count(s) for s in sorted(set(sets))}
    # Near misses weigh less: all negatives, and close copies of their claims, at full
    # weight they teach that sharing words is bad.
    share = {s: NEAR_WEIGHT if s.endswith(" near") else SET_WEIGHT.get(s, 1.0) for s in counts}
    w = np.array([len(sets) / len(counts) * share[s] / counts[s] for s in sets])
    penalty = np.diag([0.0] + [L2] * (len(FEATURES) - 1))  # the bias is not shrunk
    beta = np.zeros(len(FEATURES))
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -60, 60)))
        gradient = x.T @ (w * (p - y)) + penalty @ beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + penalty
        beta -= np.linalg.solve(hessian, gradient)
    return tuple(round(float(b), 4) for b in beta)


def outcomes(items: list[Item], model: AnswerModel, judged: list[list[Evidence]]) -> list[tuple[str, str | None, list]]:
    """(status, answered claim id, top five (id, score)) per item under ``model``'s thresholds."""
    out = []
    for item, ranked in zip(items, judged):
        d = settle(item.query, ranked, model)  # type: ignore[arg-type]
        out.append(
            (
                d.status,
                d.ranked[0].row.id if d.status == "answered" else None,
                [(s.row.id, s.score) for s in d.ranked[:5]],
            )
        )
    return out


def metrics(items: list[Item], outs, name: str, fit: bool, map5: bool = False) -> dict:
    """The shared score.py metrics of one set's fit or held-out half."""
    pick = [(i, o) for i, o in zip(items, outs) if i.set == name and i.fit == fit]
    qs = [{"question": "", "expect": sorted(i.expect) or None} for i, _ in pick]
    preds = [
        {"status": s, "claim": {"id": c} if c else None, "candidates": [{"id": k} for k, _ in cands]}
        for _, (s, c, cands) in pick
    ]
    return shared_score()(qs, preds, map5)


def near_answered(items: list[Item], outs, fit: bool = True) -> tuple[int, int]:
    """(near misses answered with the claim they were made from, near misses)."""
    pick = [(i, o) for i, o in zip(items, outs) if i.made_from is not None and i.fit == fit]
    return sum(o[1] == i.made_from for i, o in pick), len(pick)


def leaked(items: list[Item], outs, fit: bool = True) -> int:
    """Must-refuse regression questions answered (bundled and busy cut)."""
    return sum(
        1
        for i, o in zip(items, outs)
        if i.set in ("bundled", "busy") and i.fit == fit and not i.expect and o[0] == "answered"
    )


def choose(items: list[Item], weights: tuple[float, ...], precision: float) -> tuple[AnswerModel, dict]:
    """The thresholds that answer the most fit-half questions right within the constraints."""
    probe = AnswerModel(weights, 1.0, 0.0, 1.0)
    judged = [rank(i.evidence, probe) for i in items]
    best: tuple[tuple, AnswerModel, dict] | None = None
    for answer, margin, ambiguous in itertools.product(GRID_ANSWER, GRID_MARGIN, GRID_AMBIGUOUS):
        if ambiguous > answer:
            continue
        model = AnswerModel(weights, answer, margin, ambiguous)
        outs = outcomes(items, model, judged)
        wrong, near = near_answered(items, outs)
        if leaked(items, outs) or wrong > NEAR_WRONG * near:
            continue
        c = metrics(items, outs, "clinc", True)
        if c.get("precision_of_answers", 0) < precision or c["oos_refused"] < precision:
            continue
        found = [c, *(metrics(items, outs, s, True) for s in ("bundled", "busy"))]
        gain = sum(m["answered_correct"] - WRONG_COST * m["wrong_claim"] for m in found)
        key = (round(gain, 4), answer, margin, -ambiguous)
        if best is None or key > best[0]:
            best = (key, model, {"clinc": c})
    if best is None:
        raise SystemExit("no thresholds meet the constraints on the fit halves")
    return best[1], best[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if the fitted model differs from model.json")
    ap.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model (default: the shipped file)")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="read the prepared items from benchmarks/out/train-*.pickle (after one run)",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    fitted = {}
    for tier, semantic in (("lexical", False), ("semantic", True)):
        saved = OUT / f"train-{tier}.pickle"
        if args.reuse and saved.exists():
            items = pickle.loads(saved.read_bytes())
            for item in items:
                item.gather()
        else:
            items = dataset(semantic)
            saved.write_bytes(pickle.dumps(items))
        weights = fit_weights(items)
        model, found = choose(items, weights, PRECISION[tier])
        fitted[tier] = model
        judged = [rank(i.evidence, model) for i in items]
        outs = outcomes(items, model, judged)
        print(
            f"[{tier}] {time.perf_counter() - t0:.0f} s  thresholds answer={model.answer} margin={model.margin} ambiguous={model.ambiguous}"
        )
        for name in ("clinc", "checkthat", "bundled", "busy"):
            for half in (True, False):
                m = metrics(items, outs, name, half, map5=name == "checkthat")
                print(f"  {name:9} {'fit ' if half else 'held'} {m}")
        print(f"  near misses answered with their own claim: {near_answered(items, outs)}")
        for name, w in zip(FEATURES, weights):
            print(f"    {w:+8.4f}  {name}")
    text = (
        json.dumps({"features": list(FEATURES), **{tier: m.to_dict() for tier, m in fitted.items()}}, indent=1) + "\n"
    )
    if args.check:
        if args.out.read_text(encoding="utf-8") != text:
            raise SystemExit(f"{args.out} differs from what the fit gives")
        print(f"{args.out}: identical")
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
