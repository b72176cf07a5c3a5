"""The moderators' reports: what people asked that the bot could not answer, and how it is doing.

Pure functions over rows read from the event log, so the CLI and the bot show the same
numbers. Text here is plain; the bot escapes it for Telegram.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from rapidfuzz import fuzz, process

from knowledge.store.text import is_number, terms, words

# Words within this rapidfuzz ratio of each other are the same word mistyped ("pasword").
SAME_WORD = 80.0
# Phrasings that are the same question always score well above this on token_set_ratio.
PREFILTER = 80.0

Kind = Literal["refused", "downvoted"]
T = TypeVar("T")
Statements = Callable[[str], str | None]


@dataclass(frozen=True)
class Asked:
    """One question a moderator should look at: refused, or answered and marked 👎."""

    question: str
    at: str
    kind: Kind
    claim_id: str | None
    score: float


@dataclass
class UnansweredGroup:
    """One question, however it was worded, with how often it was asked and the nearest claim."""

    question: str
    count: int = 0
    refused: int = 0
    downvoted: int = 0
    variants: list[str] = field(default_factory=list)
    claim_id: str | None = None
    score: float = 0.0
    last_at: str = ""

    def add(self, asked: "Sequence[Asked]") -> None:
        """Count these rows (one wording, asked one or more times) into the group."""
        for row in asked:
            self.count += 1
            self.refused += row.kind == "refused"
            self.downvoted += row.kind == "downvoted"
            if row.claim_id and (self.claim_id is None or row.score > self.score):
                self.claim_id, self.score = row.claim_id, row.score
            self.last_at = max(self.last_at, row.at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "count": self.count,
            "refused": self.refused,
            "downvoted": self.downvoted,
            "variants": self.variants,
            "nearest_claim": self.claim_id,
            "score": round(self.score, 1),
            "last_asked": self.last_at,
        }


def _phrasing(question: str) -> str:
    """The question with case, accents and punctuation folded: exact repeats share this."""
    return " ".join(words(question)) or question.strip()


def _gist(question: str) -> str:
    """The content words of the question, stemmed: what fuzzy grouping compares."""
    return " ".join(terms(question)) or _phrasing(question)


def _unmatched(a: list[str], b: list[str]) -> tuple[list[str], list[str]]:
    """The words of ``a`` and of ``b`` that have no partner on the other side (typos forgiven)."""
    rest = list(b)
    alone = []
    for word in a:
        if word in rest:
            rest.remove(word)
            continue
        near = None
        if not is_number(word) and len(word) >= 4:
            near = next((w for w in rest if not is_number(w) and fuzz.ratio(word, w) >= SAME_WORD), None)
        if near is None:
            alone.append(word)
        else:
            rest.remove(near)
    return alone, rest


def _same_gist(a: str, b: str) -> bool:
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    only_a, only_b = _unmatched(wa, wb)
    # A word swapped for another ("Russia" for "Ukraine", 40,000 for 60,000) makes another
    # question; words only one side has are wording ("how many", "per") or a narrower
    # question about the same thing, which a moderator would answer together.
    if only_a and only_b:
        return False
    extra = len(only_a) + len(only_b)
    return extra <= max(1, max(len(wa), len(wb)) // 3)


def same_question(a: str, b: str) -> bool:
    """Whether two questions are the same question in other words, for grouping reports.

    Compared on content words (stemmed, stopwords dropped): word order, inflection and
    typos do not matter; a swapped name or number does; a few extra words do not.
    """
    return _same_gist(_gist(a), _gist(b))


def group_unanswered(rows: Iterable[Asked]) -> list[UnansweredGroup]:
    """Group questions asked in different words into one line each, most asked first.

    Exact repeats (ignoring case and punctuation) are one phrasing, and phrasings with
    the same content words in any order are one bucket. Each bucket, most asked first,
    joins the first group whose leading question is the same question (see
    ``same_question``) or starts a new group. The nearest claim of a group is the
    best-scoring claim any of its questions came close to.
    """
    phrasings: dict[str, list[Asked]] = {}
    for row in rows:
        phrasings.setdefault(_phrasing(row.question), []).append(row)
    buckets: dict[str, list[list[Asked]]] = {}
    for asked in _most_asked(phrasings.values()):
        gist = " ".join(sorted(_gist(asked[0].question).split()))
        buckets.setdefault(gist, []).append(asked)
    leaders = _Leaders(buckets)
    groups: list[UnansweredGroup] = []
    for gist in _most_asked(
        buckets,
        size=lambda g: sum(map(len, buckets[g])),
        latest=lambda g: max(r.at for asked in buckets[g] for r in asked),
    ):
        home_index = leaders.first_same(gist)
        home = groups[home_index] if home_index is not None else None
        for asked in buckets[gist]:
            # The wording typed most often (the first of equals) stands for the phrasing.
            wording = (
                asked[0].question.strip()
                if len(asked) == 1
                else Counter(r.question.strip() for r in asked).most_common(1)[0][0]
            )
            if home is None:
                home = UnansweredGroup(question=wording)
                leaders.add(gist)
                groups.append(home)
            else:
                home.variants.append(wording)
            home.add(asked)
    return _most_asked(groups, size=lambda g: g.count, latest=lambda g: g.last_at)


class _Leaders:
    """The gists of the groups' leading questions, indexed so a new gist meets only those it could match.

    ``_same_gist(a, b)`` holds only if every word of one side has a partner on the other,
    equal or within SAME_WORD (a mistyping). So a leader that is the same question as a
    gist G either holds a partner of every word of G (look up the word with fewest such
    leaders), or has its own rarest word partnered by one of G's words. Leaders are filed under every word they hold and under their
    rarest word, each word's partners are found once for the whole report (rapidfuzz's
    ``cdist``), and only the leaders filed under those words are compared. The outcome is
    the one comparing G with every leader gives; the work grows with the matches, not
    with the square of the questions.
    """

    def __init__(self, gists: Iterable[str]):
        self.keys: list[str] = []
        self.sizes: list[int] = []  # words in each leader
        self.holding: dict[str, list[int]] = {}  # word -> leaders holding it
        self.rarest: dict[str, list[int]] = {}  # word -> leaders whose rarest word it is
        self.wordless: list[int] = []
        df = Counter(w for gist in gists for w in set(gist.split()))
        # Words rarest first (fewest questions, then alphabetically): a leader's rarest word files it.
        self.rank = {w: i for i, w in enumerate(sorted(df, key=lambda w: (df[w], w)))}
        self.partners = _word_partners(list(df))

    def _rarest(self, words: list[str]) -> str:
        return min(words, key=self.rank.__getitem__)

    def _holding_count(self, word: str) -> int:
        return sum(len(self.holding.get(p, ())) for p in self.partners[word])

    def add(self, gist: str) -> None:
        index = len(self.keys)
        self.keys.append(gist)
        words = gist.split()
        self.sizes.append(len(words))
        if not words:
            self.wordless.append(index)
            return
        for word in set(words):
            self.holding.setdefault(word, []).append(index)
        self.rarest.setdefault(self._rarest(words), []).append(index)

    def first_same(self, gist: str) -> int | None:
        """The index of the first leader that is the same question as ``gist``, or None."""
        words = gist.split()
        if not words:
            candidates: Iterable[int] = range(len(self.keys))
        else:
            distinct = set(words)
            found = set(self.wordless)
            # Every word of the gist has a partner in such a leader: look up the cheapest.
            for partner in self.partners[min(distinct, key=self._holding_count)]:
                found.update(self.holding.get(partner, ()))
            for word in distinct:
                for partner in self.partners[word]:
                    found.update(self.rarest.get(partner, ()))
            # With one side's words all partnered, the other's extra words are the difference
            # in length, which _same_gist bounds: a cheap test before the character-level ones.
            n, sizes = len(words), self.sizes
            candidates = [i for i in found if abs(sizes[i] - n) <= max(1, sizes[i] // 3, n // 3)]
        # The prefilter the grouping has always applied (kept so the outcome is the same), in one call.
        near = process.extract(
            gist, {i: self.keys[i] for i in candidates}, scorer=fuzz.token_set_ratio, score_cutoff=PREFILTER, limit=None
        )
        return next((i for i in sorted(i for *_, i in near) if _same_gist(gist, self.keys[i])), None)


def _word_partners(vocabulary: list[str]) -> dict[str, list[str]]:
    """Each word and the words within SAME_WORD of it (itself included)."""
    import numpy as np  # only reports need it: the bot does not load it until a report is asked for

    partners = {word: [word] for word in vocabulary}
    # Only words ``_unmatched`` may forgive a typo in: 4 letters or more, and not numbers
    # (40,000 for 60,000 is another question). Numbers and ids are the vocabulary that grows
    # with every distinct question ("depot 4711"), and comparing them all with each other
    # made a report quadratic in the questions (16,000 took 27 s).
    long = [w for w in vocabulary if len(w) >= 4 and not is_number(w)]
    if len(long) < 2:
        return partners
    chunk = max(1, 4_000_000 // len(long))  # rows of the score matrix at a time: bounded memory
    for start in range(0, len(long), chunk):
        rows = long[start : start + chunk]
        scores = process.cdist(rows, long, scorer=fuzz.ratio, score_cutoff=SAME_WORD, dtype=np.uint8, workers=-1)
        for r, c in zip(*np.nonzero(scores)):
            if start + r != c:
                partners[rows[r]].append(long[c])
    return partners


def _most_asked(
    items: Iterable[T], size: Callable[[Any], int] = len, latest: Callable[[Any], str] | None = None
) -> list[T]:
    """``items`` most asked first and, among equals, most recently asked first."""
    last = latest or (lambda rows: max(r.at for r in rows))
    # Two stable sorts: the second decides, the first breaks its ties.
    ordered = sorted(items, key=last, reverse=True)
    ordered.sort(key=size, reverse=True)
    return ordered


@dataclass(frozen=True)
class Stats:
    """How the bot did over a period."""

    since: dt.datetime | None
    until: dt.datetime
    questions: int
    outcomes: dict[str, int]
    people: int
    chat_types: dict[str, int]
    top_claims: list[tuple[str, int]]
    helpful: int
    unhelpful: int
    most_unhelpful: list[tuple[str, int]]
    latency_ms_median: float | None
    latency_ms_p95: float | None
    picked: int = 0  # "Did you mean…" options tapped
    dropped: int = 0  # updates dropped unanswered: unreadable, or failed GROUNDBOT_UPDATE_ATTEMPTS times

    def share(self, status: str) -> float:
        """The fraction of questions with this outcome (0 when there were none)."""
        return self.outcomes.get(status, 0) / self.questions if self.questions else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The `groundbot stats --json` object."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "questions": self.questions,
            "answered": self.outcomes.get("answered", 0),
            "ambiguous": self.outcomes.get("ambiguous", 0),
            "refused": self.outcomes.get("refused", 0),
            "shares": {s: round(self.share(s), 4) for s in ("answered", "ambiguous", "refused")},
            "people": self.people,
            "chat_types": self.chat_types,
            "top_claims": [{"id": i, "count": n} for i, n in self.top_claims],
            "feedback": {"up": self.helpful, "down": self.unhelpful},
            "picked": self.picked,
            "dropped_updates": self.dropped,
            "most_downvoted": [{"id": i, "count": n} for i, n in self.most_unhelpful],
            "latency_ms": {"median": self.latency_ms_median, "p95": self.latency_ms_p95},
        }


def build_stats(
    questions: Sequence[tuple[str, str | None, str, str | None, float | None]],
    votes: Sequence[tuple[int, str | None]],
    picked: int = 0,
    *,
    days: float | None,
    since: dt.datetime | None,
    until: dt.datetime,
    top: int = 5,
    dropped: int = 0,
) -> Stats:
    """Stats from (status, claim_id, chat_type, user, latency_ms) and (value, claim_id) rows,
    how many "Did you mean…" options were picked, and how many updates were dropped unanswered."""
    outcomes = Counter(status for status, *_ in questions)
    claims = Counter(claim for status, claim, *_ in questions if status == "answered" and claim)
    latencies = sorted(lat for *_, lat in questions if lat)
    downs = Counter(claim for value, claim in votes if value < 0 and claim)
    return Stats(
        since=since,
        until=until,
        questions=len(questions),
        outcomes={s: outcomes.get(s, 0) for s in ("answered", "ambiguous", "refused")},
        people=len({user for *_, user, _lat in questions if user}),
        chat_types=dict(Counter(chat for _s, _c, chat, *_ in questions).most_common()),
        top_claims=claims.most_common(top),
        helpful=sum(1 for value, _ in votes if value > 0),
        unhelpful=sum(1 for value, _ in votes if value < 0),
        most_unhelpful=downs.most_common(top),
        latency_ms_median=round(statistics.median(latencies), 1) if latencies else None,
        latency_ms_p95=round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1) if latencies else None,
        picked=picked,
        dropped=dropped,
    )


def period(days: float | None) -> str:
    """'the last 7 days', 'the last day', or 'all time'."""
    if days is None:
        return "all time"
    if days == 1:
        return "the last day"
    return f"the last {days:g} days"


def unanswered_text(
    groups: Sequence[UnansweredGroup], days: float | None, statement: Statements | None = None, limit: int = 20
) -> str:
    """The /unanswered report as plain text: one numbered line per question, then its nearest claim."""
    if not groups:
        return f"Nothing unanswered in {period(days)}."
    total = sum(g.count for g in groups)
    lines = [f"Unanswered in {period(days)}: {len(groups)} question(s), asked {total} time(s)."]
    for i, g in enumerate(groups[:limit], 1):
        marks = []
        if g.refused:
            marks.append(f"{g.refused} refused")
        if g.downvoted:
            marks.append(f"{g.downvoted} 👎")
        lines.append(f"{i}. ×{g.count} “{_clip(g.question, 200)}” ({', '.join(marks)})")
        if g.variants:
            more = f" and {len(g.variants) - 3} more" if len(g.variants) > 3 else ""
            lines.append("   also asked as: " + "; ".join(f"“{_clip(v, 100)}”" for v in g.variants[:3]) + more)
        if g.claim_id:
            text = statement(g.claim_id) if statement else None
            gone = statement is not None and text is None
            about = f": {_clip(text)}" if text else (" (no longer in the store)" if gone else "")
            lines.append(f"   nearest: {g.claim_id} (score {g.score:.0f}){about}")
        else:
            lines.append("   nearest: none (no claim shares a word)")
    if len(groups) > limit:
        lines.append(f"…and {len(groups) - limit} more.")
    return "\n".join(lines)


def stats_text(stats: Stats, days: float | None) -> str:
    """The /stats report as plain text."""
    n = stats.questions
    lines = [f"Stats for {period(days)}: {n} question(s) from {stats.people} people."]
    if n:
        lines.append(
            "answered {:.0%} ({}), ambiguous {:.0%} ({}), refused {:.0%} ({})".format(
                stats.share("answered"),
                stats.outcomes["answered"],
                stats.share("ambiguous"),
                stats.outcomes["ambiguous"],
                stats.share("refused"),
                stats.outcomes["refused"],
            )
        )
        lines.append("by chat: " + ", ".join(f"{k} {v}" for k, v in stats.chat_types.items()))
    if stats.outcomes.get("ambiguous") or stats.picked:
        lines.append(f"“Did you mean…” options picked: {stats.picked}")
    lines.append(f"feedback: {stats.helpful} 👍, {stats.unhelpful} 👎")
    if stats.top_claims:
        lines.append("top claims: " + ", ".join(f"{i} ×{c}" for i, c in stats.top_claims))
    if stats.most_unhelpful:
        lines.append("most 👎: " + ", ".join(f"{i} ×{c}" for i, c in stats.most_unhelpful))
    if stats.latency_ms_median is not None:
        lines.append(f"answer time: median {stats.latency_ms_median:g} ms, p95 {stats.latency_ms_p95:g} ms")
    if stats.dropped:
        lines.append(f"updates dropped unanswered (unreadable, or failing every time): {stats.dropped}")
    return "\n".join(lines)


def _clip(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
