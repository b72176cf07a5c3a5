"""Stage ``decide``: ``Scored`` candidates -> a ``Decision``: answered, ambiguous or refused.

Built to refuse rather than guess, in one of two ways. The rules (the default): a claim is
answered only when it scores above a threshold, leads the next claim by a margin and no veto
stands in its way; close calls become ambiguous (a "Did you mean…"), everything else is
refused. The answer model (``model``, opt-in): each candidate gets the probability that it
answers the question, from its ``features``, and is ranked by it; answer when the best is
likely and clearly ahead, ask back when it is only fairly likely, refuse otherwise. Either
way "What did X say?" is answered with X's claims, the best leading, and a candidate with an
objection (a near miss: another name, a swapped key word, giver and receiver the other way
round) is never the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from knowledge.answering.analysis import Query
from knowledge.answering.answer import Status
from knowledge.answering.features import Evidence, gather
from knowledge.answering.model import AnswerModel
from knowledge.answering.scoring import Scored
from knowledge.answering.speakers import SEVERAL_PEOPLE, by_speaker, one_voice
from knowledge.answering.thresholds import Thresholds
from knowledge.answering.veto import veto

# Why a question sharing only a coincidental word or two with the claims is refused.
NOTHING_LIKE = "nothing like the question"
ABOUT_YOU = "the question is about you or me, and the best claim is not"
NOT_SURE = "not sure enough"
SEVERAL_FIT = "several claims fit"
NOTHING_FITS = "no claim fits well enough"


@dataclass(frozen=True)
class Decision:
    """What to do with a question, why (a refusal's or a doubt's reason, else ""), and the
    candidates ranked best first (the answer, if any, leads), each with its ``score``: the
    fused score under the rules, 100 x the probability under the answer model."""

    status: Status
    reason: str
    ranked: list[Scored]
    # Further claims that answer on their own, to go with the lead (answered only).
    also: list[Scored] = field(default_factory=list)


def decide(
    q: Query,
    scored: list[Scored],
    t: Thresholds,
    tuning: Thresholds,
    proper: frozenset[str],
    model: AnswerModel | None = None,
) -> Decision:
    """Answered / ambiguous / refused by ``model`` when one is given, else by the rules under
    thresholds ``t`` (the active ones; ``tuning`` is the lexical set, which decides when the
    embedding has no opinion; ``proper``, the store's proper nouns, for the vetoes)."""
    if model is not None:
        return settle(q, judge(q, scored, model, proper, t), model)

    def vetoed(s: Scored) -> str:
        return veto(q, s, proper, tuning.ambiguous_coverage)

    spoken = by_speaker(q, ranked(scored, t)) if q.speaker else None
    if spoken is not None:
        one, order, also = spoken
        return Decision("answered", "", order, also) if one else Decision("ambiguous", SEVERAL_PEOPLE, order)
    if t.far_from_all(s.cosine for s in scored):
        # The embedding finds nothing like the question. With a name to hold on to ("why does
        # Michel say we must remain careful?" is far from every claim) it has no opinion, and
        # the lexical matcher decides; without one ("thanks for your help", "how many days
        # have I used") the words the question shares with a claim are a coincidence.
        if q.named:
            t = tuning
        else:
            return Decision("refused", NOTHING_LIKE, ranked(scored, t))
    best = ranked(scored, t)
    top = best[0]
    margin = top.score - (best[1].score if len(best) > 1 else 0.0)
    reason = vetoed(top)
    if reason:
        return Decision("refused", reason, best)
    if not t.semantic and not q.named and top.overlap < t.unnamed_overlap:
        # Naming no one, and sharing a word or two with a longer phrasing ("what's the
        # time" against "How many times did North Korea fail to put a satellite into orbit?").
        return Decision("refused", NOTHING_LIKE, best)
    if not t.semantic and not q.named and q.personal and not top.row.personal and top.overlap < t.personal_overlap:
        # A question about the asker's own things, or about the bot, against a claim about the
        # world: "how many days off have I used?" is not "How many shells does Russia use a day?".
        return Decision("refused", ABOUT_YOU, best)
    if q.asked and q.asked not in top.row.answers:
        # The best claim cannot say when or how many: the best one that can may answer,
        # if it would have answered on its own merits against the others that can.
        able = [s for s in best if supplies(q, s)] if t.kind_fallback else []
        if (
            able
            and able[0].score >= t.answer
            and able[0].score - (able[1].score if len(able) > 1 else 0.0) >= t.margin
            and not vetoed(able[0])
        ):
            return Decision("answered", "", [able[0], *(s for s in best if s is not able[0])])
        return Decision("refused", f"the best claim gives no {q.asked}", best)
    if top.score >= t.answer and margin >= t.margin:
        return Decision("answered", "", best)
    if top.score >= t.ambiguous and top.coverage >= t.ambiguous_coverage:
        voice = [s for s in one_voice(q, best, t.ambiguous) if not vetoed(s)]
        if voice and voice[0] is top:
            return Decision("answered", "", best, voice[1:])
        return Decision("ambiguous", SEVERAL_FIT if margin < t.margin else NOT_SURE, best)
    return Decision("refused", NOTHING_FITS, best)


def ranked(scored: list[Scored], t: Thresholds) -> list[Scored]:
    """The candidates with their fused score under ``t``, best first."""
    # Python's sort is stable: equal scores stay in retrieval order.
    fused = [
        Scored(s.row, s.lexical, s.cosine, s.coverage, s.overlap, round(t.fuse(s.lexical, s.cosine), 2)) for s in scored
    ]
    return sorted(fused, key=lambda s: s.score, reverse=True)


def supplies(q: Query, s: Scored) -> bool:
    """Whether a claim unmistakably gives what ``q`` asks for: a date for "when", a count
    of the very thing counted for "how many"."""
    if q.asked == "time":
        return "date" in s.row.answers
    return q.asked == "count" and "count" in s.row.answers and any(w in s.row.vocabulary for w in q.counted)


def judge(q: Query, scored: list[Scored], model: AnswerModel, proper: frozenset[str], t: Thresholds) -> list[Evidence]:
    """Each candidate's evidence, its ``score`` set to 100 x the model's probability, best first."""
    return rank(gather(q, scored, proper, t.ambiguous_coverage, t), model)


def rank(evidence: list[Evidence], model: AnswerModel) -> list[Evidence]:
    """The evidence with each ``score`` set to 100 x ``model``'s probability, best first."""
    judged = [replace(e, scored=replace(e.scored, score=round(100 * model.probability(e.values), 2))) for e in evidence]
    # Python's sort is stable: equal probabilities stay in retrieval order, every time.
    return sorted(judged, key=lambda e: e.scored.score, reverse=True)


def settle(q: Query, judged: list[Evidence], model: AnswerModel) -> Decision:
    """The decision on candidates already judged (``judge``), under ``model``'s thresholds."""
    ranked = [e.scored for e in judged]
    spoken = by_speaker(q, ranked) if q.speaker and ranked else None
    if spoken is not None:
        one, order, also = spoken
        return Decision("answered", "", order, also) if one else Decision("ambiguous", SEVERAL_PEOPLE, order)
    if not ranked:
        return Decision("refused", NOTHING_FITS, ranked)
    if judged[0].objections:
        # A claim that names another country, swaps a key word or has giver and receiver the
        # other way round is never the answer, however likely the model finds it: a wrong
        # claim attributed to a real person is the worst reply there is.
        return Decision("refused", judged[0].objections[0].reason, ranked)
    best = ranked[0].score / 100
    lead = best - (ranked[1].score / 100 if len(ranked) > 1 else 0.0)
    if best >= model.answer and lead >= model.margin:
        return Decision("answered", "", ranked)
    if best >= model.ambiguous:
        # "What did X say about Y?" with several of X's claims on Y: each answers.
        clean = {id(e.scored) for e in judged if not e.objections}
        voice = [s for s in one_voice(q, ranked, 100 * model.ambiguous) if id(s) in clean]
        if voice and voice[0] is ranked[0]:
            return Decision("answered", "", ranked, voice[1:])
        return Decision("ambiguous", SEVERAL_FIT if lead < model.margin else NOT_SURE, ranked)
    return Decision("refused", refusal(q, judged[0]), ranked)


def refusal(q: Query, top: Evidence) -> str:
    """Why the best candidate does not answer, in a moderator's words."""
    if top.objections:
        return top.objections[0].reason
    if q.asked and q.asked not in top.scored.row.answers:
        return f"the best claim gives no {q.asked}"
    return NOTHING_FITS
