"""Near misses made from a knowledge file: questions its claims must not answer.

Each is one of a claim's own questions with one thing changed that the claim does not
say: a name swapped for another name of the store, a number or a year changed, giver and
receiver turned round, a time asked of a claim that gives none, the words of someone who
did not say it. The answer model is fitted on them beside real questions, and the tests
run them against any knowledge file: the claim a near miss was made from must never be
the answer to it (another claim of the store may be).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from knowledge.answering.places import is_place, named_otherwise
from knowledge.store.language import answer_kinds
from knowledge.store.schema import Claim
from knowledge.store.text import terms

# Capitalised words inside a sentence ("North Korea", "Kim Jong-un"): a name, more often than not.
_NAME = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+(?:-[a-z]+)?(?: [A-Z][a-z]+(?:-[a-z]+)?)*)\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_YEAR = re.compile(r"\b(19|20)(\d\d)\b")
_DATE = re.compile(
    r"\b((?:19|20)\d\d|January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
_FUNCTION_WORDS = frozenset(
    "the a an this that these those how what who whom when where why which is are was were does did do has have "
    "had will would can could should its their there it".split()
)
_DAY = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_ADJECTIVE_ENDINGS = ("an", "ern", "ese", "ish", "ic", "et")
_NAMED = r"[A-Z][a-z]+(?:-[a-z]+)?(?: [A-Z][a-z]+(?:-[a-z]+)?)*"
# "<giver> gave/sold/supplied … to <receiver>": a transfer whose direction can be turned round.
_TRANSFER = re.compile(
    rf"(?<=[a-z,] )(?P<giver>{_NAMED}) (?:give|gave|given|send|sent|supply|supplied|sell|sold|provide|provided|deliver|delivered)"
    rf"\b[^?.]*? to (?P<receiver>{_NAMED})"
)


@dataclass(frozen=True)
class NearMiss:
    """A question made from claim ``claim_id`` that the claim does not answer, and how."""

    question: str
    claim_id: str
    kind: str  # "name", "number", "year", "direction", "time", "speaker"


def near_misses(claims: Sequence[Claim]) -> list[NearMiss]:
    """Near misses of every claim, in claim order; the same claims always give the same list."""
    names = sorted({n for c in claims for n in _NAME.findall(c.statement) if _is_name(n)})
    speakers = sorted({c.attributed_to.split(",")[0] for c in claims})
    out: list[NearMiss] = []
    for i, claim in enumerate(claims):
        out.extend(_of(claim, i, names, speakers))
    return out


def _of(claim: Claim, i: int, names: list[str], speakers: list[str]) -> Iterator[NearMiss]:
    question = claim.questions[0]
    said = " ".join(
        filter(None, [claim.statement, claim.quote, claim.attributed_to, claim.via, *claim.questions, *claim.keywords])
    )
    own = [n for n in _NAME.findall(question) if n in said and _is_name(n)]
    # Another name, sharing no word's beginning with the claim's ("North Koreans" is no near
    # miss of a claim about North Korea): a different country, person or body.
    stems = {w[:4].lower() for w in re.findall(r"\w+", said)}
    claim_terms = set(terms(said))
    others = [
        n for n in names if not any(w[:4].lower() in stems for w in n.split()) and not _same_country(n, claim_terms)
    ]
    # A country for a country, anyone else for anyone else: "Putin" for "Russia" may be no
    # near miss at all (a head of state speaks for the country).
    others = [n for n in others if own and is_place(n) == is_place(own[0])]
    if own and others:
        yield NearMiss(question.replace(own[0], others[i % len(others)], 1), claim.id, "name")
    year = _YEAR.search(question)
    if year:
        earlier = f"{year.group(1)}{(int(year.group(2)) + 91) % 100:02d}"  # nine years earlier
        yield NearMiss(question[: year.start()] + earlier + question[year.end() :], claim.id, "year")
    else:
        number = next((m for m in _NUMBER.finditer(question) if m.group().replace(",", "").isdigit()), None)
        if number is not None:
            other = str(int(number.group().replace(",", "")) * 3 + 7)
            yield NearMiss(question[: number.start()] + other + question[number.end() :], claim.id, "number")
    transfer = _TRANSFER.search(question)
    if transfer:
        a, b = transfer.group("giver"), transfer.group("receiver")
        turned = question[: transfer.start("giver")] + b + question[transfer.end("giver") : transfer.start("receiver")]
        yield NearMiss(turned + a + question[transfer.end("receiver") :], claim.id, "direction")
    formal = " . ".join(filter(None, [claim.statement, claim.quote, claim.attributed_to, claim.via]))
    if "time" not in answer_kinds(formal, claim.questions, claim.statement):
        yield NearMiss(f"When was it that {_clause(claim.statement, names)}?", claim.id, "time")
    other_speakers = [s for s in speakers if s not in said]
    if other_speakers:
        speaker = other_speakers[i % len(other_speakers)]
        topic = _clause(question, names).split(" ")
        while topic and topic[0] in _FUNCTION_WORDS:
            topic = topic[1:]
        if topic:
            yield NearMiss(f"What did {speaker} say about {' '.join(topic)}?", claim.id, "speaker")


def _same_country(name: str, claim_terms: set[str]) -> bool:
    """Whether ``name`` is another name of a country the claim names ("Pyongyang" of North Korea)."""
    asked = terms(name)
    return any(named_otherwise(t, asked, claim_terms) for t in asked)


def _is_name(words: str) -> bool:
    """Whether capitalised words name someone or something, not a time ("Tuesday", "June")
    or a people's adjective ("Korean", "Soviet-era", "Western")."""
    if _DATE.fullmatch(words) or _DAY.fullmatch(words):
        return False
    return " " in words or not words.lower().endswith(_ADJECTIVE_ENDINGS) and "-" not in words


def _clause(text: str, names: list[str]) -> str:
    """A sentence as a clause: its end mark gone, its first letter lower case unless its
    first word starts a name of the store ("The army…" -> "the army…", "Russia…" stays)."""
    text = text.strip().rstrip(".?!")
    first = text.split(" ", 1)[0].rstrip(",")
    if first.isupper() or any(n.split(" ")[0] == first for n in names):
        return text
    return text[:1].lower() + text[1:]
