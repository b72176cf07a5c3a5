"""From findings to statements: what a claim says, in a sentence that stands on its own,
and the flags that tell the reviewer what to check in it.

A finding's words become a statement ("According to X, …" kept whole, a relative clause
given back its antecedent, "he" replaced by the speaker's name); an outlet's own sentence is
cut into one statement per fact where the parse shows them apart. ``review_flags`` and
``similar_claim_flag`` mark what is uncertain rather than guess: a pronoun, two facts in one
statement, an unsure speaker, a claim the knowledge already has.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from knowledge.drafting.findings import Finding
from knowledge.drafting.reading import Paragraph, as_sentence, clean_text
from knowledge.drafting.speakers import Speaker
from knowledge.drafting.vocabulary import ACCORDING, DEICTIC, FIRST_PERSON, PERSONAL

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from knowledge.store.schema import SourcedClaim

# --- statements ------------------------------------------------------------------------------


def statement_of(f: Finding | None, para: Paragraph, unit: tuple[int, int]) -> tuple[str, tuple[int, int]]:
    """The statement of finding ``f`` (or of the whole ``unit`` without one) and its offsets in ``para``."""
    text = para.doc.text
    if f is None:
        return as_sentence(text[unit[0] : unit[1]]), unit
    s, e = f.content
    body = text[s:e]
    if f.statement:
        return as_sentence(f.statement), (s, e)
    if f.kind == "according":
        c0, c1 = f.cut or (s, s)
        phrase = clean_text(text[c0:c1])
        rest = text[s:c0].rstrip(" ,") + " " + text[c1:e].lstrip(" ,") if s <= c0 < e else text[s:e]
        rest = as_sentence(rest)
        word = next(
            (t for t in para.doc if t.idx >= s and t.is_alpha and t.lower_ not in ("where", "which", "but", "and")),
            None,
        )
        if rest and word is not None and word.pos_ != "PROPN" and not word.text.isupper():
            rest = rest[0].lower() + rest[1:]  # it now follows "According to X, "
        return f"{phrase[0].upper()}{phrase[1:]}, {rest}", (s, e)
    if f.kind == "quote":
        doc = para.doc
        span = doc.char_span(s, e, alignment_mode="expand")
        lead = ""
        if span is not None:
            root = span.root
            subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None and not s <= subj.idx < e and subj.lower_ in ("which", "who", "that"):
                # "Seoul, which “supplies arms …”": the quotation's subject is the antecedent.
                ante = _antecedent(doc, subj)
                if ante:
                    lead = ante + " "
                    tail = doc[root.i : root.right_edge.i + 1]
                    e2 = max(e, tail.end_char)
                    return as_sentence(lead + text[s:e2].replace("“", "").replace("”", "")), (s, e2)
        return as_sentence(body), (s, e)
    return as_sentence(body), (s, e)


def without_claimed_tail(
    text: str, statement: str, piece: tuple[int, int], claimed: list[tuple[int, int]]
) -> tuple[str, tuple[int, int]]:
    """The outlet's ``statement`` without a last part that is someone else's claim: in
    "Putin received Kim, a meeting likely according to the United States to lead to an arms
    deal", the meeting's outcome is the United States' claim, drafted as theirs, not AFP's."""
    s, e = piece
    for c0, c1 in claimed:
        head = text[s:c0].rstrip()
        if s < c0 < e and c1 <= e and not re.search(r"\w", text[c1:e]) and head.endswith((",", ";", "–", "—")):
            head = head.rstrip(",;–— ")
            if len(re.findall(r"[^\W\d_]+", head)) >= 4:
                return as_sentence(head), (s, s + len(head))
    return statement, piece


def _numbered(tokens: Iterable["Token"]) -> bool:
    """Whether any of ``tokens`` is a figure."""
    return any(t.like_num or any(ch.isdigit() for ch in t.text) for t in tokens)


def _object(verb: "Token") -> "Token | None":
    """The first thing ``verb`` takes: its direct object or attribute."""
    return next((c for c in verb.children if c.dep_ in ("dobj", "attr")), None)


def _counted_beside(t: "Token", root: "Token") -> "Token | None":
    """The first thing the sentence's verb takes, when ``t`` is a second one and each has
    figures of its own ("40 tanks in 2020 and 12 helicopters in 2022"); else None."""
    if t.dep_ != "conj" or t.pos_ not in ("NOUN", "PROPN") or not _numbered(t.subtree):
        return None
    first = t.head if t.head.dep_ in ("dobj", "attr") and t.head.head.i == root.i else None
    if first is None and t.head.i == root.i:
        first = _object(root)
    if first is None or first.i > t.i:
        return None
    inside = {x.i for x in t.subtree}
    return first if _numbered(x for x in first.subtree if x.i not in inside) else None


def outlet_statements(para: Paragraph, unit: tuple[int, int]) -> list[tuple[str, tuple[int, int]]]:
    """The outlet's sentence, one claim per fact where the parse shows them apart: a clause
    joined by "and" with its own subject, a "while …" clause, ", which …" about a name
    (which becomes the subject: "Pyongyang, which holds stocks" -> "Pyongyang holds stocks"),
    and a second thing the verb takes with figures of its own ("… and 12 helicopters in 2022")."""
    doc = para.doc
    whole = [(as_sentence(doc.text[unit[0] : unit[1]]), unit)]
    span = doc.char_span(unit[0], unit[1], alignment_mode="expand")
    # Span.sents exists since spaCy 3.2; its stub (span.pyi) does not declare it.
    if span is None or len(list(span.sents)) != 1:  # type: ignore[attr-defined]
        return whole
    root = span.root
    pieces: list[tuple["Token", list, str]] = []  # (clause head, its words, a subject to put first)
    for t in span:
        if (
            t.dep_ == "conj"
            and t.head.i == root.i
            and t.pos_ in ("VERB", "AUX")
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
        ):
            pieces.append((t, list(t.subtree), ""))
        elif t.dep_ == "advcl" and any(c.lower_ in ("while", "whereas") for c in t.children):
            pieces.append((t, [x for x in t.subtree if x.lower_ not in ("while", "whereas")], ""))
        elif (first := _counted_beside(t, root)) is not None:
            # "has 152 mm D-20 guns from the 1950s, and 122 mm D-30 howitzers from the 1960s":
            # each thing with its own figures is a fact; as one claim, a question pairing the
            # D-30 with the 1950s would find every word and number it asks for.
            pieces.append((t, list(t.subtree), doc[span.start : first.left_edge.i].text))
        elif (
            t.dep_ == "relcl"
            and t.head.pos_ == "PROPN"
            and t.left_edge.i > 0
            and doc[t.left_edge.i - 1].text == ","
            and t.left_edge.lower_ in ("which", "who")
        ):
            pieces.append((t, [x for x in t.subtree if x is not t.left_edge], _name_at(doc, t.head)))
    if not pieces:
        return whole
    # a clause's marker ("while", "which") belongs to neither piece
    taken = {x.i for clause, _, _ in pieces for x in clause.subtree}
    main = [t for t in span if t.i not in taken]
    out = []
    for tokens, subject in [(main, ""), *((words, subject) for _, words, subject in pieces)]:
        words = [t.text for t in tokens if t.is_alpha] + re.findall(r"[^\W\d_]+", subject)
        if len(words) < 4:
            return whole
        while tokens and tokens[-1].is_punct and tokens[-1].text not in ')”"':
            tokens = tokens[:-1]
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        text = "".join(t.text_with_ws for t in tokens).strip()
        text = re.sub(r"\s+([,.;])", r"\1", text)
        text = re.sub(r"[\s,;.]*(?:\b(?:and|but))?[\s,;.]*$", "", text)
        out.append((as_sentence(f"{subject} {text}" if subject else text), (start, end)))
    return out


def _name_at(doc: "Doc", token: "Token") -> str:
    """The whole name ``token`` is part of, or the token itself."""
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent.text
    return token.text


def _antecedent(doc: "Doc", rel: "Token") -> str | None:
    """The name or noun a relative word ("which", "who") stands for: the one just before it."""
    i = rel.i - 1
    while i >= 0 and (doc[i].is_punct or doc[i].is_space):
        i -= 1
    if i < 0 or doc[i].pos_ not in ("PROPN", "NOUN"):
        return None
    for ent in doc.ents:
        if ent.start <= i < ent.end:
            return ent.text
    return doc[i].text


def resolve_speaker_pronoun(statement: str, f: Finding | None) -> str:
    """``statement`` standing on its own: the antecedent a relative clause left out put back,
    a leading "that" dropped from indirect speech, and a leading "he"/"she" as the speaker's name."""
    if f is None:
        return statement
    if f.append:
        statement = re.sub(r"^(?:That|Which|Who) ", "", statement).rstrip(".") + " " + f.append + "."
        statement = statement[0].upper() + statement[1:]
    if f.kind != "indirect":
        return statement
    statement = re.sub(r"^(?:Only )?(?:That )?(?:only )?(?:that )?", "", statement)
    statement = statement[:1].upper() + statement[1:]
    if not f.speaker.person:
        return statement
    return re.sub(r"^(He|She|he|she)\b", f.speaker.name, statement)


def without_according(statement: str) -> str:
    """``statement`` without a leading "According to X," or "In the opinion of X,"."""
    lead = ACCORDING.match(statement)
    comma = statement.find(", ", lead.end()) if lead else -1
    if comma < 0:
        return statement
    rest = statement[comma + 2 :]
    return rest[0].upper() + rest[1:] if rest else statement


# --- flags for the reviewer ------------------------------------------------------------------


def review_flags(statement: str, sdoc: "Doc", f: Finding | None, speaker: Speaker | None) -> list[str]:
    """What the reviewer must check in a statement (``sdoc`` is its parse): a pronoun, two facts, the speaker."""
    flags = []
    pron = False
    noun_seen = False
    for t in sdoc:
        w = t.lower_
        if t.pos_ in ("NOUN", "PROPN"):
            noun_seen = True
        if t.ent_type_ in ("DATE", "TIME"):
            continue
        if w in ("its", "his", "her", "their") and t.dep_ == "poss" and noun_seen:
            continue  # refers back inside the statement
        if w in PERSONAL or w in FIRST_PERSON:
            pron = True
        elif w in DEICTIC and (t.pos_ == "PRON" or t.dep_ == "det"):
            if w == "it" and (
                t.dep_ == "expl"
                or (
                    t.head.lemma_ in ("be", "remain", "seem", "appear")
                    and any(c.dep_ in ("ccomp", "xcomp", "csubj", "acomp") for c in t.head.children)
                )
            ):
                continue
            pron = True
    if pron:
        flags.append("check: pronoun")
    clauses = [
        t
        for t in sdoc
        if (t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and t.head.pos_ in ("VERB", "AUX"))
        or (t.dep_ == "relcl" and t.i > 0 and sdoc[t.left_edge.i - 1].text == ",")
        or (t.dep_ == "advcl" and any(c.lower_ in ("while", "whereas") for c in t.children))
    ]
    if clauses or len(list(sdoc.sents)) > 1:
        flags.append("check: two facts in one")
    if speaker is not None and (speaker.unsure or speaker.name == "Unresolved speaker"):
        flags.append("check: speaker unsure")
    return flags


def similar_claim_flag(statement: str, existing: list["SourcedClaim"]) -> str | None:
    """A flag naming the claim of the knowledge that ``statement`` is close to, if any."""
    if not existing:
        return None
    from rapidfuzz import fuzz, process

    best = process.extractOne(statement, [c.statement for c in existing], scorer=fuzz.token_set_ratio, score_cutoff=85)
    if best is None:
        return None
    claim = existing[best[2]]
    return f"check: similar to claim {claim.id} in {claim.file}"
