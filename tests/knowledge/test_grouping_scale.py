"""/unanswered grouping at scale: the same groups as comparing every pair, in a fraction of the time."""

from __future__ import annotations

import random
import time

import pytest

from benchmarks.unanswered import quadratic_group_unanswered, questions, rows
from knowledge.activity.reports import Asked, group_unanswered


def outline(groups) -> list[tuple]:
    return [(g.question, g.count, g.refused, g.downvoted, g.variants, g.claim_id, g.last_at) for g in groups]


@pytest.mark.parametrize("seed", [1, 2])
def test_blocked_grouping_gives_exactly_the_groups_of_comparing_every_pair(seed: int):
    data = rows(questions(700, seed=seed))
    assert outline(group_unanswered(data)) == outline(quadratic_group_unanswered(data))


def test_rewordings_typos_and_swapped_numbers_group_as_before():
    rng = random.Random(3)
    base = [
        "How many shells does Russia fire per day?",
        "Who supplies munitions to Russia?",
        "Did North Korea send 40,000 shells?",
        "What did Pyongyang get in exchange?",
        "Where is the office?",
    ]
    texts = []
    for _ in range(400):
        words = rng.choice(base).rstrip("?").split()
        roll = rng.random()
        if roll < 0.3:
            rng.shuffle(words)
        elif roll < 0.6:
            i = rng.randrange(len(words))
            if len(words[i]) > 4:
                words[i] = words[i][:2] + words[i][3:]
        elif roll < 0.7:
            words.append(rng.choice(["please", "today", "exactly", "60,000", "Ukraine"]))
        texts.append(" ".join(words) + "?")
    data = [
        Asked(question=t, at=f"2026-01-01T00:00:{i % 60:02d}.{i:06d}", kind="refused", claim_id=None, score=0)
        for i, t in enumerate(texts)
    ]
    assert outline(group_unanswered(data)) == outline(quadratic_group_unanswered(data))


def test_ten_thousand_distinct_questions_group_within_two_seconds_of_cpu():
    data = rows(questions(10_000))
    spent = []
    for _ in range(2):  # the better of two, as benchmarks do: a neighbour's burst is not ours
        started = time.process_time()
        groups = group_unanswered(data)
        spent.append(time.process_time() - started)
    assert sum(g.count for g in groups) == 10_000
    # CPU time, so a busy shared machine does not decide it; all threads count.
    assert min(spent) <= 2.0, f"{min(spent):.2f} s of CPU"
