"""How long `/unanswered` takes to group many distinct refused questions: the blocked grouping beside the old all-pairs one.

Questions are generated (seeded): a few content words drawn from the bundled knowledge's
vocabulary and from made-up names, and a quarter of them rewordings of earlier ones (words
reordered, one mistyped, one added or dropped), so the grouping has real work. Both
groupings run on the same rows in the same process; their outputs are compared.

    .venv/bin/python benchmarks/unanswered.py                 # 2,000 / 10,000 questions; writes RESULTS.md
    .venv/bin/python benchmarks/unanswered.py --sizes 1000 --no-write
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process  # noqa: E402

from benchmarks.common import command_line, machine, machine_block, table  # noqa: E402
from benchmarks.results import replace_section  # noqa: E402
from knowledge import KnowledgeBase  # noqa: E402
from knowledge.activity.reports import (  # noqa: E402
    PREFILTER,
    Asked,
    UnansweredGroup,
    _gist,
    _most_asked,
    _phrasing,
    _same_gist,
    group_unanswered,  # noqa: E402
)

OPENERS = ["What did", "Why did", "How many", "When will", "Is it true that", "Did", "Who said", "Where did"]
SYLLABLES = "ka lo mi ren tas vor bel dun fi gar hol zen pra sto quo wel nir bax tor lum".split()


def quadratic_group_unanswered(rows) -> list[UnansweredGroup]:
    """The grouping as it was: every bucket compared with every group's leader (the baseline)."""
    phrasings: dict[str, list[Asked]] = {}
    for row in rows:
        phrasings.setdefault(_phrasing(row.question), []).append(row)
    buckets: dict[str, list[list[Asked]]] = {}
    for asked in _most_asked(phrasings.values()):
        gist = " ".join(sorted(_gist(asked[0].question).split()))
        buckets.setdefault(gist, []).append(asked)
    keys: list[str] = []
    groups: list[UnansweredGroup] = []
    for gist in _most_asked(buckets, size=lambda g: sum(map(len, buckets[g])), latest=lambda g: max(
        r.at for asked in buckets[g] for r in asked
    )):
        near = process.extract(gist, keys, scorer=fuzz.token_set_ratio, score_cutoff=PREFILTER, limit=None)
        home = next((groups[i] for i in sorted(i for *_, i in near) if _same_gist(gist, keys[i])), None)
        for asked in buckets[gist]:
            wording = Counter(r.question.strip() for r in asked).most_common(1)[0][0]
            if home is None:
                home = UnansweredGroup(question=wording)
                keys.append(gist)
                groups.append(home)
            else:
                home.variants.append(wording)
            home.add(asked)
    return _most_asked(groups, size=lambda g: g.count, latest=lambda g: g.last_at)


def vocabulary() -> list[str]:
    """Words of the bundled knowledge (statements and phrasings), four letters or more."""
    kb = KnowledgeBase.load()
    text = " ".join(f"{c.statement} {' '.join(c.questions)}" for c in kb.claims())
    kb.close()
    return sorted({w for w in re.findall(r"[A-Za-z]{4,}", text)})


def mistype(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1:] if rng.random() < 0.5 else word[:i] + rng.choice("aeiourstn") + word[i:]


def questions(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct questions, a quarter of them rewordings of earlier ones."""
    rng = random.Random(seed)
    words = vocabulary()
    names = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                    for _ in range(3000)})
    out: list[str] = []
    seen: set[str] = set()
    kept: list[list[str]] = []
    while len(out) < n:
        if kept and rng.random() < 0.25:
            body = list(rng.choice(kept))
            change = rng.randrange(4)
            if change == 0:
                rng.shuffle(body)
            elif change == 1:
                i = rng.randrange(len(body))
                body[i] = mistype(body[i], rng)
            elif change == 2:
                body.insert(rng.randrange(len(body) + 1), rng.choice(words))
            elif len(body) > 2:
                body.pop(rng.randrange(len(body)))
        else:
            body = [rng.choice(names)] + rng.sample(words, rng.randint(2, 5))
            kept.append(body)
        text = f"{rng.choice(OPENERS)} {' '.join(body)}?"
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def rows(texts: list[str]) -> list[Asked]:
    return [Asked(question=t, at=f"2026-11-30T00:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i:06d}+00:00",
                  kind="refused", claim_id=None, score=0.0) for i, t in enumerate(texts)]


def timed(group, data) -> tuple[float, float, list[UnansweredGroup]]:
    """(wall seconds, CPU seconds of every thread, the groups)."""
    started, cpu = time.perf_counter(), time.process_time()
    out = group(data)
    return time.perf_counter() - started, time.process_time() - cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated numbers of distinct questions")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    info = machine()
    lines = []
    for n in (int(s) for s in args.sizes.split(",")):
        data = rows(questions(n))
        new_s, new_cpu, new = timed(group_unanswered, data)
        old_s, old_cpu, old = timed(quadratic_group_unanswered, data)
        same = [(g.question, g.count, g.variants) for g in new] == [(g.question, g.count, g.variants) for g in old]
        lines.append([f"{n:,}", f"{len(new):,}", f"{old_cpu:.2f} ({old_s:.2f})", f"{new_cpu:.2f} ({new_s:.2f})",
                      f"{old_cpu / new_cpu:.1f}×", "yes" if same else "NO"])
        print(lines[-1], flush=True)
    body = "\n".join([
        "## `/unanswered` grouping (benchmarks/unanswered.py)",
        "",
        "Generated by `benchmarks/unanswered.py`; do not edit by hand between these markers.",
        "",
        machine_block(info, command_line()),
        "",
        table(["distinct questions", "groups", "all pairs (old): CPU s (wall s)", "blocked (new): CPU s (wall s)",
               "CPU speed-up", "same groups"], lines),
        "",
        "- `group_unanswered` on seeded questions (a quarter rewordings of earlier ones), both in this "
        "process one after the other. CPU is every thread's (`time.process_time`; the new grouping's "
        "`cdist` uses both cores), wall is elapsed time on a machine shared with other jobs (load "
        f"average at the end: {os.getloadavg()[0]:.1f}). Target: 10,000 in ≤ 2 s. \"same groups\" compares "
        "every group's leading question, count and variants.",
    ])
    print(body)
    if not args.no_write:
        replace_section("unanswered-grouping", body)

if __name__ == "__main__":
    main()
