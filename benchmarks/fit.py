"""Fit the fused (lexical + semantic) matcher's weight and thresholds on visible data only.

    .venv/bin/python benchmarks/fit.py            # fit, print the chosen Thresholds and the figures
    .venv/bin/python benchmarks/fit.py --show 20  # also the 20 best settings

Fit data, the same for every data set (nothing is tuned per data set):
- CLINC150 validation, the *fit half* (every other question, which is every other question
  of each intent and of the out-of-scope ones); the other half is held out and only reported;
- CheckThat! 2020 training tweets, the fit half (every other tweet); the other half held out;
- the bundled knowledge's regression questions (every one must come out as expected);
- the busy-moderator cut of the bundled file (each claim's first question only, no keywords)
  against the same regression questions: no must-refuse question may be answered.

The score stage runs once per question with the semantic tier on (its candidates, lexical
scores, cosines and vetoes are kept); each candidate setting then only re-runs the ``decide``
stage, which is where the weight and thresholds act. Embeddings come from the on-disk cache
in ``benchmarks/out/semantic/`` (computed once). The objective: the most CLINC fit-half
questions answered right with precision >= 0.93 and out-of-scope refused >= 0.93 there, every
bundled regression question as expected, no must-refuse answered on the busy cut; ties go
to the busy cut's right answers, then CheckThat MAP@5 on its fit half.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EVAL, OUT, ROOT  # noqa: E402

from knowledge import KnowledgeBase, Thresholds  # noqa: E402
from knowledge.answering.evaluation import Question, load_questions  # noqa: E402
from knowledge.store.loader import BUNDLED  # noqa: E402

SEMANTIC_DIR = OUT / "semantic"  # the embeddings cache (git-ignored), shared by every benchmark
REGRESSION = ROOT / "knowledge" / "regression-questions.yaml"
PRECISION, OOS = 0.93, 0.93


def busy_cut(dest: Path = OUT / "busy-moderator") -> Path:
    """The bundled knowledge as a busy moderator would write it: first question, no keywords."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in Path(BUNDLED).glob("*.yaml"):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        for claim in data["claims"]:
            claim["questions"] = claim["questions"][:1]
            claim.pop("keywords", None)
        (dest / f.name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def halves(questions: list[Question]) -> tuple[list[int], list[int]]:
    """Indices of the fit half (even positions) and the held-out half (odd positions)."""
    return list(range(0, len(questions), 2)), list(range(1, len(questions), 2))


def eval_questions(name: str, file: str) -> list[Question]:
    return load_questions(EVAL / name / file)


class Prepared:
    """One data set's questions run through the stages up to ``score`` with the semantic tier on."""

    def __init__(self, knowledge: Path, questions: list[Question], semantic: bool = True):
        self.kb = KnowledgeBase.load(knowledge)
        if semantic:
            status = self.kb.start_semantic(SEMANTIC_DIR, background=False, question_cache=True)
            if status.state != "ready":
                raise SystemExit(f"semantic tier not ready for {knowledge}: {status}")
        self.questions = questions
        m = self.kb.matcher
        # Everything scored in full, so that any floor of the grid decides on the same scores
        # (the matcher skips the costly scoring below its own floor).
        t = dataclasses.replace(m.tuning, semantic_floor=0.0).active(semantic)
        self.items = []
        for q in questions:
            query = m.analyse(q.text, m.semantic)
            hits = m.retrieve(query, t.retrieve, m.semantic) if query.terms else []
            scored = m.score(query, hits, t.scored_in_full, t) if hits else []
            self.items.append((query, scored))

    def outcomes(self, t: Thresholds) -> list[tuple[str, str | None, list[str]]]:
        """(status, claim id, candidate ids) per question under thresholds ``t``."""
        m = self.kb.matcher
        out = []
        for query, scored in self.items:
            if not scored:
                out.append(("refused", None, []))
                continue
            d = m.decide(query, scored, t)
            out.append((d.status, d.ranked[0].row.id if d.status == "answered" else None, [s.row.id for s in d.ranked[:5]]))
        return out


def metrics(questions: list[Question], outcomes, idx: list[int] | None = None, map5: bool = False) -> dict:
    """The shared score.py metrics over the questions ``idx`` (all when None)."""
    from common import shared_score

    idx = range(len(questions)) if idx is None else idx
    qs = [{"question": questions[i].text, "expect": sorted(questions[i].expect) or None} for i in idx]
    preds = [{"status": outcomes[i][0], "claim": {"id": outcomes[i][1]} if outcomes[i][1] else None,
              "candidates": [{"id": c} for c in outcomes[i][2]]} for i in idx]
    return shared_score()(qs, preds, map5)


def regression_pass(questions: list[Question], outcomes) -> tuple[int, int, int, int]:
    """(as expected, must-answer right, must-answer, must-refuse answered)."""
    ok = right = must = leaked = 0
    for q, (status, got, _) in zip(questions, outcomes):
        if q.expect:
            must += 1
            hit = status == "answered" and got in q.expect
            right += hit
            ok += hit
        else:
            leaked += status == "answered"
            ok += status != "answered"
    return ok, right, must, leaked


def grid(base: Thresholds):
    for w, answer, margin, amb_gap, amb_cov, floor in itertools.product(
        (0.4, 0.5, 0.6, 0.7, 0.8), range(36, 72, 2), (2, 4, 6, 8, 10), (10,), (0.3,), (0.0, 0.3, 0.35, 0.4),
    ):
        yield dataclasses.replace(
            base, semantic_weight=w, semantic_answer=float(answer), semantic_margin=float(margin),
            semantic_ambiguous=float(answer - amb_gap), semantic_ambiguous_coverage=amb_cov, semantic_floor=floor,
        ).active(True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", type=int, default=5, help="print this many of the best settings")
    ap.add_argument("--no-checkthat", action="store_true", help="leave CheckThat out (it only breaks ties)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    clinc_q = eval_questions("clinc150", "questions-val.yaml")
    ct_q = eval_questions("checkthat2020", "questions-train.yaml")
    reg_q = load_questions(REGRESSION)
    sets = {
        "clinc": Prepared(EVAL / "clinc150" / "knowledge", clinc_q),
        "bundled": Prepared(BUNDLED, reg_q),
        "busy": Prepared(busy_cut(), reg_q),
    }
    if not args.no_checkthat:
        sets["checkthat"] = Prepared(EVAL / "checkthat2020" / "knowledge", ct_q)
    print(f"prepared in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    c_fit, c_held = halves(clinc_q)
    t_fit, t_held = halves(ct_q)
    results = []
    for t in grid(Thresholds()):
        reg = regression_pass(reg_q, sets["bundled"].outcomes(t))
        if reg[0] != len(reg_q):
            continue
        busy = regression_pass(reg_q, sets["busy"].outcomes(t))
        if busy[3]:
            continue
        c = metrics(clinc_q, sets["clinc"].outcomes(t), c_fit)
        if c.get("precision_of_answers", 0) < PRECISION or c["oos_refused"] < OOS:
            continue
        results.append(((c["answered_correct"], busy[1], t.semantic_weight), t, c, busy))
    if not results:
        raise SystemExit("no setting meets the constraints on the fit data")
    results.sort(key=lambda r: r[0], reverse=True)
    # MAP@5 depends only on the weight: computed for the best few settings.
    for _key, t, c, busy in results[: args.show]:
        ct = metrics(ct_q, sets["checkthat"].outcomes(t), t_fit, map5=True) if "checkthat" in sets else {}
        print(f"w={t.semantic_weight} answer={t.answer} margin={t.margin} ambiguous={t.ambiguous} "
              f"amb_cov={t.ambiguous_coverage} floor={t.semantic_floor}: CLINC fit {c} | busy right {busy[1]}/{busy[2]} | "
              f"CheckThat fit MAP@5 {ct.get('map_at_5')}")
    _, best, _, _ = results[0]
    print("\nchosen:", {f: getattr(best, f) for f in ("semantic_weight", "answer", "margin", "ambiguous",
                                                       "ambiguous_coverage", "semantic_floor")})
    defaults = Thresholds().active(True)
    # The defaults are reported beside the grid's choice, so a choice not adopted shows what it would change.
    chosen = [("lexical", Thresholds()), ("fused, the grid's choice", best)]
    if best != defaults:
        chosen.append(("fused, the defaults in Thresholds", defaults))
    for label, t in chosen:
        if label == "lexical":
            lex = {k: Prepared(p, q, semantic=False) for k, (p, q) in {
                "clinc": (EVAL / "clinc150" / "knowledge", clinc_q),
                "checkthat": (EVAL / "checkthat2020" / "knowledge", ct_q),
                "busy": (busy_cut(), reg_q)}.items() if k in sets}
            src = lex
        else:
            src = sets
        co, bo = src["clinc"].outcomes(t), src["busy"].outcomes(t)
        print(f"\n[{label}]")
        print("  CLINC fit half     ", metrics(clinc_q, co, c_fit))
        print("  CLINC held-out half", metrics(clinc_q, co, c_held))
        if "checkthat" in src:
            to = src["checkthat"].outcomes(t)
            print("  CheckThat fit      ", metrics(ct_q, to, t_fit, map5=True))
            print("  CheckThat held-out ", metrics(ct_q, to, t_held, map5=True))
        print("  busy cut (as expected, right, must-answer, must-refuse answered)", regression_pass(reg_q, bo))
    print(f"\n{time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
