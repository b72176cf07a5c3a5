"""Answer quality of groundbot beside two baselines, on the shared public benchmarks.

    .venv/bin/python benchmarks/quality.py            # measure, print, update RESULTS.md
    .venv/bin/python benchmarks/quality.py --no-write # measure and print only

Data (read in place from ../shared/eval, never copied): CLINC150 validation split (150
intents x 10 phrasings as claims; 3000 in-scope + 100 out-of-scope questions) and CheckThat!
2020 task 2 (10,375 verified claims; 800 training tweets), scored by ../shared/eval/score.py.

Systems, all in this one run, all with default settings (nothing tuned per data set except
where a baseline says so):

- groundbot: ``KnowledgeBase.load(dir).answer(q)``, and the same questions piped through
  the real ``groundbot ask --json`` and scored by the shared ``score.py`` in a subprocess,
  to show both paths give the same figures.
- fuzz: rapidfuzz ``process.extractOne`` with ``fuzz.token_set_ratio`` over all phrasings
  (statement and questions of every claim), answering when the score >= 80, else refusing.
- bm25: plain SQLite FTS5 (unicode61), one row per phrasing, OR query of the question's
  words; answers the best claim when its BM25 >= a cutoff tuned on the very questions it is
  scored on (the cutoff with the most right answers among those refusing >= 90% of the
  out-of-scope questions): a generous baseline.
- bm25-doc: as bm25, but one FTS5 row per claim (all its phrasings in one document).

And the bundled knowledge's regression questions through
``groundbot eval knowledge/regression-questions.yaml --strict``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    EVAL,
    OUT,
    ROOT,
    BM25Baseline,
    FuzzBaseline,
    command_line,
    machine,
    machine_block,
    phrasings_of,
    prediction,
    shared_score,
    table,
    update_results,
)
from fit import SEMANTIC_DIR, busy_cut  # noqa: E402

from knowledge import KnowledgeBase, Thresholds  # noqa: E402
from knowledge.answering.embedding import available  # noqa: E402
from knowledge.store.loader import load_claims  # noqa: E402

FUZZ_CUTOFF = 80.0
OOS_FLOOR = 0.90  # the bm25 cutoff is tuned to refuse at least this share of out-of-scope questions

DATASETS = {
    "clinc150": ("questions-val.yaml", False),
    "checkthat2020": ("questions-train.yaml", True),
}

TARGETS = {
    "clinc150": {"precision_of_answers": 0.90, "answered_correct": 0.50, "oos_refused": 0.90},
    "checkthat2020": {"map_at_5": 0.80},
}

GROUNDBOT = Path(sys.executable).with_name("groundbot")


def expected(item: dict) -> set[str]:
    exp = item["expect"]
    return set(exp) if isinstance(exp, list) else ({exp} if exp else set())


def tune_bm25_cutoff(questions: list[dict], preds: list[dict]) -> float | None:
    """The cutoff giving the most right answers while refusing >= OOS_FLOOR of out-of-scope.

    Tuned on the questions it is then scored on. None when there is nothing to tune
    (no out-of-scope questions): the baseline then answers whenever it retrieves anything.
    """
    n_in = sum(1 for q in questions if expected(q))
    n_oos = len(questions) - n_in
    if not n_oos:
        return None
    points = []  # (best bm25, right, out of scope)
    for q, p in zip(questions, preds):
        if p["candidates"]:
            top = p["candidates"][0]
            points.append((top["score"], top["id"] in expected(q), not expected(q)))
    points.sort(key=lambda x: -x[0])
    best: tuple[tuple[float, float], float] | None = None
    right = wrong = oos = 0
    for i, (score, is_right, is_oos) in enumerate(points):
        right += is_right and not is_oos
        wrong += not is_right and not is_oos
        oos += is_oos
        if i + 1 < len(points) and points[i + 1][0] == score:
            continue  # a cutoff answers every question scoring at least it
        if 1 - oos / n_oos < OOS_FLOOR:
            break
        key = (right / n_in, right / max(1, right + wrong + oos))
        if best is None or key > best[0]:
            best = (key, score)
    return best[1] if best else float("inf")


def run_groundbot_cli(knowledge: Path, qfile: Path, questions: list[dict], map5: bool, out: Path) -> dict:
    """`groundbot ask --json` over stdin, then ../shared/eval/score.py on its output."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stdin = "".join(q["question"] + "\n" for q in questions)
    t = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        subprocess.run(
            [str(GROUNDBOT), "ask", "--json", "--no-semantic", "--knowledge", str(knowledge)],
            input=stdin, stdout=fh, text=True, check=True, cwd=ROOT,
        )
    elapsed = time.perf_counter() - t
    cmd = [sys.executable, str(EVAL / "score.py"), str(qfile), str(out)] + (["--map5"] if map5 else [])
    scored = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    return {"metrics": scored, "seconds": elapsed}


def timed(fn, questions: list[dict]) -> tuple[list[dict], float]:
    t = time.perf_counter()
    preds = [fn(q["question"]) for q in questions]
    return preds, time.perf_counter() - t


def run_dataset(name: str, cli: bool) -> dict:
    qname, map5 = DATASETS[name]
    qfile, knowledge = EVAL / name / qname, EVAL / name / "knowledge"
    questions = yaml.load(qfile.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    score = shared_score()
    result: dict = {"questions": len(questions), "systems": {}}

    t = time.perf_counter()
    kb = KnowledgeBase.load(knowledge)
    load_s = time.perf_counter() - t
    preds, secs = timed(lambda q: kb.answer(q).to_dict(), questions)
    result["systems"]["groundbot"] = {"metrics": score(questions, preds, map5), "seconds": secs, "load_seconds": load_s}
    result["claims"] = len(kb)
    # What the when/how-many fallback (issue 12.7) changes: the same matcher without it.
    no_fallback = KnowledgeBase(kb.store, kb.path, Thresholds(kind_fallback=False))
    result["fallback_diff"] = [
        {"question": q["question"], "expect": q["expect"], "with": p["claim"]["id"] if p["claim"] else p["status"],
         "without": o.claim.id if o.claim else o.status}
        for q, p, o in ((q, p, no_fallback.answer(q["question"])) for q, p in zip(questions, preds))
        if (p["claim"] or {}).get("id") != (o.claim.id if o.claim else None) or p["status"] != o.status
    ]
    kb.close()
    print(f"[{name}] groundbot: {result['systems']['groundbot']['metrics']}", file=sys.stderr)

    if available():
        t = time.perf_counter()
        kb = KnowledgeBase.load(knowledge)
        kb.start_semantic(SEMANTIC_DIR, background=False, question_cache=True)
        start_s = time.perf_counter() - t
        preds, secs = timed(lambda q: kb.answer(q).to_dict(), questions)
        result["systems"]["groundbot-semantic"] = {
            "metrics": score(questions, preds, map5), "seconds": secs, "load_seconds": start_s}
        kb.close()
        print(f"[{name}] groundbot semantic: {result['systems']['groundbot-semantic']['metrics']}", file=sys.stderr)

    if cli:
        r = run_groundbot_cli(knowledge, qfile, questions, map5, OUT / "quality" / f"{name}-groundbot-ask.jsonl")
        r["agrees"] = r["metrics"] == result["systems"]["groundbot"]["metrics"]
        result["cli"] = r
        print(f"[{name}] groundbot ask --json | score.py: {r['metrics']} (agrees: {r['agrees']})", file=sys.stderr)

    claims = load_claims(knowledge)
    texts, owners = phrasings_of(claims)

    fuzz = FuzzBaseline(texts, owners, FUZZ_CUTOFF)
    preds, secs = timed(fuzz.predict, questions)
    result["systems"]["fuzz"] = {"metrics": score(questions, preds, map5), "seconds": secs, "cutoff": FUZZ_CUTOFF}
    print(f"[{name}] fuzz: {result['systems']['fuzz']['metrics']}", file=sys.stderr)

    for label, rows in [
        ("bm25", (texts, owners)),
        ("bm25-doc", ([" . ".join([c.statement, *c.questions]) for c in claims], [c.id for c in claims])),
    ]:
        bm25 = BM25Baseline(*rows)
        raw, secs = timed(bm25.predict, questions)  # cutoff None: candidates only
        cutoff = tune_bm25_cutoff(questions, raw)
        bm25.cutoff = cutoff if cutoff is not None else float("-inf")
        preds = [
            prediction("answered", p["candidates"][0]["id"], [(c["id"], c["score"]) for c in p["candidates"]])
            if p["candidates"] and p["candidates"][0]["score"] >= bm25.cutoff
            else p
            for p in raw
        ]
        result["systems"][label] = {"metrics": score(questions, preds, map5), "seconds": secs, "cutoff": cutoff}
        print(f"[{name}] {label} (cutoff {cutoff}): {result['systems'][label]['metrics']}", file=sys.stderr)
    return result


def run_regression(semantic: bool = False, knowledge: Path | None = None) -> dict:
    cmd = [str(GROUNDBOT), "eval", "knowledge/regression-questions.yaml", "--strict"]
    cmd += ["--data-dir", str(SEMANTIC_DIR)] if semantic else ["--no-semantic"]
    cmd += ["--knowledge", str(knowledge)] if knowledge else []
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    lines = dict(
        (parts[0], parts[1]) for parts in (line.split(None, 1) for line in proc.stdout.splitlines()) if len(parts) == 2
    )
    failures = [line for line in proc.stderr.splitlines() if line.startswith("UNEXPECTED")]
    return {
        "command": " ".join(["groundbot", *cmd[1:]]).replace(str(ROOT) + "/", ""),
        "exit_code": proc.returncode,
        "as_expected": lines.get("as_expected", "?"),
        "metrics": {k: v for k, v in lines.items() if k != "as_expected"},
        "failures": failures,
    }


def fmt(v) -> str:
    return f"{v:.3f}" if isinstance(v, float) else ("–" if v is None else str(v))


def render(results: dict, info: dict, command: str) -> str:
    clinc, ct, reg = results["clinc150"], results["checkthat2020"], results["regression"]
    out = ["### Answer quality (`benchmarks/quality.py`)", "", machine_block(info, command), ""]

    def cell(ds: dict, system: str, key: str) -> str:
        return fmt(ds["systems"][system]["metrics"].get(key))

    def ms(ds: dict, system: str) -> str:
        return f"{1000 * ds['systems'][system]['seconds'] / ds['questions']:.1f}"

    def verdict(ds_name: str, key: str) -> str:
        got = results[ds_name]["systems"]["groundbot"]["metrics"].get(key)
        return "met" if got is not None and got >= TARGETS[ds_name][key] else "**MISSED**"

    names = {
        "groundbot": lambda c: "**groundbot** lexical (`GROUNDBOT_SEMANTIC=off` or no extra)",
        "groundbot-semantic": lambda c: "**groundbot semantic** (defaults, `[semantic]` extra)",
        "fuzz": lambda c: f"fuzz: extractOne token_set_ratio, answers if >= {FUZZ_CUTOFF:g}",
        "bm25": lambda c: "bm25: plain FTS5, a row per phrasing" + (
            f", answers if >= {c:.2f} (tuned on this data)" if c is not None else ", always answers"),
        "bm25-doc": lambda c: "bm25-doc: plain FTS5, a row per claim" + (
            f", answers if >= {c:.2f} (tuned on this data)" if c is not None else ", always answers"),
    }
    if "groundbot-semantic" not in clinc["systems"]:
        del names["groundbot-semantic"]
    out += [
        f"CLINC150 validation: {clinc['questions']} questions ({clinc['claims']} claims x 10 phrasings; "
        f"{clinc['systems']['groundbot']['metrics']['out_of_scope']} out of scope). "
        "Metrics of `../shared/eval/score.py`; ms/q is wall time per question, unpinned, for scale only.",
        "",
        table(
            ["system", "precision_of_answers", "answered_correct", "oos_refused", "wrong_claim",
             "clarify_with_right_option", "refused_in_scope", "ms/q"],
            [[names[s](clinc["systems"][s].get("cutoff")), *[cell(clinc, s, k) for k in (
                "precision_of_answers", "answered_correct", "oos_refused", "wrong_claim",
                "clarify_with_right_option", "refused_in_scope")], ms(clinc, s)] for s in names]
            + [["target (groundbot)", ">= 0.90 " + verdict("clinc150", "precision_of_answers"),
                ">= 0.50 " + verdict("clinc150", "answered_correct"),
                ">= 0.90 " + verdict("clinc150", "oos_refused"), "", "", "", ""]],
        ),
        "",
        f"CheckThat! 2020 training tweets: {ct['questions']} questions against {ct['claims']} verified claims; "
        "MAP@5 of the five `candidates`.",
        "",
        table(
            ["system", "MAP@5", "answered_correct", "ms/q"],
            [[names[s](ct["systems"][s].get("cutoff")), cell(ct, s, "map_at_5"),
              cell(ct, s, "answered_correct"), ms(ct, s)] for s in names]
            + [["target (groundbot)", ">= 0.80 " + verdict("checkthat2020", "map_at_5"), "", ""]],
        ),
        "",
    ]
    g_c, g_t = clinc["systems"]["groundbot"]["metrics"], ct["systems"]["groundbot"]["metrics"]
    lines = []
    for s in ("fuzz", "bm25", "bm25-doc"):
        b_c, b_t = clinc["systems"][s]["metrics"], ct["systems"][s]["metrics"]
        lines.append(
            f"- groundbot / {s}: precision_of_answers x{g_c['precision_of_answers'] / b_c['precision_of_answers']:.2f}, "
            f"answered_correct x{g_c['answered_correct'] / b_c['answered_correct']:.2f}, "
            f"oos_refused x{g_c['oos_refused'] / b_c['oos_refused']:.2f}, "
            f"CheckThat MAP@5 x{g_t['map_at_5'] / b_t['map_at_5']:.2f}"
        )
    out += ["Ratios (same run):", "", *lines, ""]
    for ds_name in ("clinc150", "checkthat2020"):
        cli = results[ds_name].get("cli")
        if cli:
            _, map5 = DATASETS[ds_name]
            out.append(
                f"- `groundbot ask --json --knowledge ../shared/eval/{ds_name}/knowledge < questions | "
                f"python ../shared/eval/score.py ../shared/eval/{ds_name}/{DATASETS[ds_name][0]} -{' --map5' if map5 else ''}`"
                f" gives the same figures as `KnowledgeBase.answer` above: **{'yes' if cli['agrees'] else 'NO'}**"
                + ("" if cli["agrees"] else f" (score.py says {json.dumps(cli['metrics'])})")
            )
    out += [
        "",
        f"Bundled knowledge regression (`{reg['command']}`): as expected **{reg['as_expected']}**, "
        f"exit code {reg['exit_code']} — target: every question as expected: "
        + ("met" if reg["exit_code"] == 0 else "**MISSED**"),
    ]
    if reg["failures"]:
        out += ["", "<details><summary>questions not as expected</summary>", "", "```",
                *reg["failures"], "```", "</details>"]
    sem = results.get("regression-semantic")
    if sem:
        out += ["", f"Semantic tier (`{sem['command']}`): as expected **{sem['as_expected']}**, exit code "
                f"{sem['exit_code']} — " + ("met" if sem["exit_code"] == 0 else "**MISSED**")]
        if sem["failures"]:
            out += ["", "```", *sem["failures"], "```"]
        g = clinc["systems"]["groundbot-semantic"]["metrics"]
        gt = ct["systems"]["groundbot-semantic"]["metrics"]
        out += ["", "Semantic targets (issue 9) on the full sets: CLINC precision >= 0.93 "
                f"({fmt(g.get('precision_of_answers'))}), answered right >= 0.70 ({fmt(g.get('answered_correct'))}), "
                f"out-of-scope refused >= 0.93 ({fmt(g.get('oos_refused'))}); CheckThat MAP@5 >= 0.90 "
                f"({fmt(gt.get('map_at_5'))}). Fit and held-out halves: `benchmarks/fit.py` (RESULTS.md, semantic section)."]
    busy = results.get("busy")
    if busy:
        out += ["", "Busy-moderator cut (the bundled file with each claim's first question only, no keywords; "
                "target >= 85% of must-answer right, 0 must-refuse answered), regression questions:", ""]
        rows = []
        for label, r in busy.items():
            m = r["metrics"]
            rows.append([label, r["as_expected"], m.get("answered_correct", "?"), m.get("oos_answered", "?"),
                         f"`{r['command']}`"])
        out.append(table(["matcher", "as expected", "must-answer right", "must-refuse answered", "command"], rows))
    for ds_name in ("clinc150", "checkthat2020"):
        diff = results[ds_name].get("fallback_diff")
        if diff is None:
            continue
        out += ["", f"When/how-many fallback (issue 12.7), lexical, {ds_name}: {len(diff)} outcome(s) differ "
                "from the same matcher without it" + (":" if diff else ".")]
        for d in diff:
            exp = d["expect"] if d["expect"] else "refuse"
            out.append(f"- {d['question']!r} (expect {exp}): {d['without']} -> {d['with']}")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--no-cli", action="store_true", help="skip the `groundbot ask --json | score.py` cross-check")
    args = ap.parse_args()
    info, command = machine(), command_line()
    results = {name: run_dataset(name, cli=not args.no_cli) for name in DATASETS}
    results["regression"] = run_regression()
    busy = busy_cut()
    results["busy"] = {"lexical": run_regression(knowledge=busy)}
    if available():
        results["regression-semantic"] = run_regression(semantic=True)
        results["busy"]["semantic"] = run_regression(semantic=True, knowledge=busy)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "quality.json").write_text(json.dumps({"machine": info, "command": command, **results}, indent=1))
    body = render(results, info, command)
    print(body)
    if not args.no_write:
        update_results("quality", body)


if __name__ == "__main__":
    main()
