"""Draft questions for a claim: the questions a user might ask that the claim answers.

A yes/no question from the statement ("Would X provide …?"), what the speaker (or the
outlet) says about the statement's subject, and what the speaker said; at most three,
each made from the statement without its leading "According to X,".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.drafting.reading import clean_text

if TYPE_CHECKING:
    from spacy.tokens import Doc


def draft_questions(statement: str, sdoc: "Doc", attributed: str, person: bool, outlet_own: bool) -> list[str]:
    """Up to three questions ``statement`` answers (``sdoc`` is its parse), ``attributed`` to its speaker."""
    qs = []
    yn = _yes_no(sdoc)
    if yn:
        qs.append(yn)
    topic = _topic(sdoc)
    short = attributed.split(",")[0].split(" cited by ")[0]
    short = re.sub(r"^The ", "the ", short)
    if topic and topic.lower().removeprefix("the ") == short.lower().removeprefix("the "):
        topic = None  # not "What does Washington say about Washington?"
    # Only questions the statement answers: what the speaker (or the outlet) says about its
    # subject. "What do we know about North Korea?" is not answered by one fact about North
    # Korea, and as a phrasing it drew every question naming North Korea to this claim.
    verb = "report" if outlet_own else "say"
    does = "does"
    if " cited by " in attributed and re.fullmatch(r"[A-Z][a-z]+s", short):
        short, does = short.lower(), "do"  # a group the outlet cites: "What do experts say?"
    if topic:
        qs.append(f"What {does} {short} {verb} about {topic}?")
    if not outlet_own:
        qs.append(f"What did {short} say?" if person else f"What {does} {short} say?")
    if len(qs) < 2:
        # the subject was the speaker itself ("According to Kyiv, …"): ask about the next thing named
        other = next(
            (
                c.text
                for c in sdoc.noun_chunks
                if c.root.pos_ != "PRON" and c.text.lower().removeprefix("the ") != short.lower().removeprefix("the ")
            ),
            None,
        )
        if other:
            other = other[0].lower() + other[1:] if other.split()[0] in ("The", "A", "An") else other
            qs.append(f"What {does} {short} {verb} about {other}?")
    out = []
    for q in qs:
        q = re.sub(r"\s+", " ", q).strip()
        if q and q not in out:
            out.append(q)
    if not out:
        out.append(statement.rstrip(".") + "?")
    return out[:3]


def _topic(sdoc: "Doc") -> str | None:
    """What the statement is about: its subject, else its first noun phrase."""
    root = next((t for t in sdoc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    phrase = None
    if subj is not None and subj.pos_ != "PRON" and subj.right_edge.i - subj.left_edge.i < 8:
        phrase = sdoc[subj.left_edge.i : subj.right_edge.i + 1]
    else:
        phrase = next((chunk for chunk in sdoc.noun_chunks if chunk.root.pos_ != "PRON"), None)
    if phrase is None:
        return None
    text = phrase.text
    # mid-question, "The North Korean munitions" reads "the North Korean munitions"
    return text[0].lower() + text[1:] if phrase[0].pos_ == "DET" else text


def _yes_no(sdoc: "Doc") -> str | None:
    """The statement as a positive yes/no question, when its parse allows one."""
    root = next((t for t in sdoc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
    if subj is None:
        return None
    # The positive question: "X would not provide …" answers "Would X provide …?".
    words = ["" if t.dep_ == "neg" and t.head.i == root.i else t.text_with_ws for t in sdoc]
    aux = next((c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i and c.i > subj.i), None)
    start = sdoc[subj.left_edge.i].i
    end = len(sdoc)
    while end > 0 and sdoc[end - 1].is_punct and sdoc[end - 1].text in ".!?":
        end -= 1
    lead_tokens = "".join(words[:start])
    front: str | None
    if aux is not None:
        front = aux.text
        rest = words[start : aux.i] + words[aux.i + 1 : end]
    elif root.lemma_ == "be" or root.pos_ == "AUX":
        front = root.text
        rest = words[start : root.i] + words[root.i + 1 : end]
    else:
        front = {"VBZ": "Does", "VBD": "Did", "VBP": "Do"}.get(root.tag_)
        if front is None:
            return None
        rest = words[start : root.i] + [root.lemma_ + root.whitespace_] + words[root.i + 1 : end]
    body = "".join(rest).strip()
    if not body:
        return None
    if sdoc[start].pos_ != "PROPN" and not sdoc[start].ent_type_ and not sdoc[start].text.isupper():
        body = body[0].lower() + body[1:]
    lead = lead_tokens.strip().rstrip(",")
    q = f"{front[0].upper()}{front[1:]} {body}"
    if lead and len(lead.split()) <= 4:
        q = (
            f"{q}, {lead[0].lower() + lead[1:]}"
            if not lead[:1].isupper() or sdoc[0].pos_ != "PROPN"
            else f"{q}, {lead}"
        )
    return clean_text(q).rstrip(".,") + "?"
