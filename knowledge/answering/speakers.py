"""Whose words a question asks for: "What did Bondaz say?", "What did the IISS analyst find?".

Such a question is answered from its speaker's claims alone (``retrieval`` looks them up by
the stems of their ``attributed_to``, else their ``via``). When it asks nothing more than
what the speaker said, every claim of theirs answers it: the best leads and up to
``MAX_ALSO`` more go with it; when the words fit several people, it asks which one.
"""

from __future__ import annotations

from knowledge.answering.analysis import Query
from knowledge.answering.scoring import Scored
from knowledge.store.database import Row
from knowledge.store.language import ASKING_VERBS

MAX_ALSO = 3  # further claims in one reply, beside the one that leads
SEVERAL_PEOPLE = "several people fit"


def speaks(q: Query, row: Row) -> bool:
    """Whether the claim is said (or relayed) by the one ``q`` asks about: every word
    naming them is one of the claim's speakers' stems."""
    return all(w in row.speakers for w in q.speaker)


def only_speaker(q: Query, theirs: list[Scored]) -> bool:
    """Whether ``q`` asks for nothing but what the speaker said: each of its terms names the
    speaker, is a verb of saying, or names who else the claims' speakers are ("what did
    Szopa tell AFP?")."""
    said = set(q.speaker) | ASKING_VERBS
    for s in theirs:
        said |= s.row.speakers
    return all(term in said for term in q.terms)


def by_speaker(q: Query, ranked: list[Scored]) -> tuple[bool, list[Scored], list[Scored]] | None:
    """For "what did X say?" with nothing more asked: (one person, the candidates in the
    order to show, the further claims to go with the lead); None for any other question.

    One person: their claims best first, the first leads and the next ``MAX_ALSO`` go with
    it. Several people: each one's best claim first, to choose from.
    """
    if not q.speaker:
        return None
    theirs = [s for s in ranked if speaks(q, s.row)]
    if not theirs or not only_speaker(q, theirs):
        return None
    people = list(dict.fromkeys(s.row.attributed_to for s in theirs))
    if len(people) == 1:
        return True, [*theirs, *(s for s in ranked if not speaks(q, s.row))], theirs[1 : 1 + MAX_ALSO]
    firsts = [next(s for s in theirs if s.row.attributed_to == person) for person in people]
    return False, [*firsts, *(s for s in ranked if all(s is not f for f in firsts))], []


def one_voice(q: Query, ranked: list[Scored], floor: float) -> list[Scored]:
    """For "what did X say about Y?", the claims scoring at least ``floor`` when there are
    several and one person says them all, best first (at most 1 + ``MAX_ALSO``): each is
    theirs and on the topic, so all of them answer; [] otherwise."""
    if not q.speaker:
        return []
    close = [s for s in ranked if s.score >= floor]
    if len(close) < 2 or len({s.row.attributed_to for s in close}) > 1:
        return []
    return close[: 1 + MAX_ALSO]
