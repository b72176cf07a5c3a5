"""Reported speech: what a speaker says without quotation marks.

Indirect speech ("X said (that) …", "…, analysts note", "saying that he sees …"), stances
("Washington accused Pyongyang of …"), labels ("called it “disqualifying”"), requests and
judgements ("urged voters to …", "blasted Oversight for …"), a reporting noun with its
owner ("Trump’s claim that …"), and "according to X" / "in the opinion of X". Each rule
leaves alone what an earlier one (the quotations first) has found.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.drafting.findings import Finding
from knowledge.drafting.reading import Article, clean_text, is_quote_mark
from knowledge.drafting.speakers import SpeakerResolver, tell_via, via_children
from knowledge.drafting.vocabulary import (
    ACCORDING,
    CUE_LEMMAS,
    DASHES,
    DIRECTIVE_LEMMAS,
    JUDGING_LEMMAS,
    LABEL_LEMMAS,
    NOUN_CUES,
    PAIRED,
    POSSIBILITY,
    STANCE_LEMMAS,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


class ReportedSpeechFinder:
    """Finds reported speech and "according to" in one unit of a paragraph at a time."""

    def __init__(self, article: Article, speakers: SpeakerResolver) -> None:
        self.article = article
        self.speakers = speakers

    def indirect(
        self, doc: "Doc", unit: tuple[int, int], quotes: list[tuple[int, int]], index: int, already: list[Finding]
    ) -> list[Finding]:
        """Indirect speech, stances, labels, requests and judgements, past what ``already`` holds."""
        out = []
        base = self.article.start_of(doc)
        taken = [range(*f.content) for f in already]
        for t in doc:
            if not unit[0] <= t.idx < unit[1] or t.pos_ not in ("VERB", "AUX"):
                continue
            if any(a <= t.idx < b for a, b in quotes):
                continue
            lemma = t.lemma_.lower()
            stance = lemma in STANCE_LEMMAS or (
                lemma == "raise" and any(c.dep_ == "dobj" and c.lemma_ in POSSIBILITY for c in t.children)
            )
            label = _labelled(t) if lemma in LABEL_LEMMAS else None
            request = _requested(t) if lemma in DIRECTIVE_LEMMAS else None
            if request is None and lemma in JUDGING_LEMMAS:
                request = _judged(t)
            if lemma not in CUE_LEMMAS and not stance and not label and not request:
                continue
            subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            head = t
            while subj is None and head.dep_ in ("advcl", "xcomp", "conj", "acl", "pcomp") and head.head.i != head.i:
                # a borrowed subject: "Romney went after Trump …, calling it … and asserting that …",
                # "Trump and Ryan issued a statement describing …"
                head = head.head
                if head.pos_ == "ADP" and head.head.i != head.i:
                    head = head.head  # "… by announcing that …"
                if head.pos_ in ("NOUN", "PROPN") and head.dep_ in ("dobj", "pobj") and head.head.i != head.i:
                    head = head.head if head.dep_ == "dobj" else head.head.head
                subj = next((c for c in head.children if c.dep_ == "nsubj"), None)
            if subj is None or subj.lower_ in ("it", "which", "that", "i", "we", "you"):
                continue
            statement = None
            if label or request:
                parts = label or request or []
                content_tokens = [x for part in parts for x in part.subtree]
                if label:
                    # "called it “disqualifying”" -> "It is “disqualifying”"
                    obj, named_as = parts
                    verb = "are" if obj.tag_ in ("NNS", "NNPS") or obj.lower_ in ("they", "them") else "is"
                    words = _words(named_as, skip_as=True)
                    statement = f"{_words(obj)} {verb} {words}"
                else:
                    # "called on Obama to retaliate" -> "Schiff called on Obama to retaliate"
                    end = max(x.idx + len(x.text) for x in content_tokens if x.dep_ != "cc")
                    statement = "\x00" + doc.text[t.idx : end]
            elif stance:
                content_tokens = [
                    x
                    for x in t.subtree
                    if not _dropped(x, t)
                    and not (t.dep_ == "relcl" and x.i == t.left_edge.i and x.lower_ in ("that", "which", "who"))
                ]
            else:
                comp = next((c for c in t.children if c.dep_ == "ccomp"), None)
                if comp is None and t.dep_ == "ROOT":
                    # "…, analysts note": the clause the cue hangs off.
                    comp = next((c for c in t.children if c.dep_ in ("parataxis",)), None)
                if comp is None and t.dep_ == "parataxis" and subj.head.i == t.i:
                    # a cue set inside the sentence: "The museum, Mr. Obama said, would make …"
                    own = {x.i for x in t.subtree}
                    content_tokens = [x for x in t.head.subtree if x.i not in own]
                    first, last = min(t.subtree, key=lambda x: x.i), max(t.subtree, key=lambda x: x.i)
                    kept = sorted(content_tokens, key=lambda x: x.i)
                    if kept and kept[0].i < first.i < last.i < kept[-1].i:
                        statement = (
                            doc.text[kept[0].idx : first.idx].rstrip(" ,")
                            + " "
                            + doc.text[last.idx + len(last.text) : kept[-1].idx + len(kept[-1].text)].lstrip(" ,")
                        )
                elif comp is None:
                    continue
                else:
                    content_tokens = [x for x in comp.subtree if x.dep_ != "mark" or x.head.i != comp.i]
            content_tokens = [
                x
                for x in content_tokens
                if x.idx >= unit[0] and x.idx < unit[1] and not (x.is_punct and x.text in ".,;:!?")
            ]
            if not content_tokens:
                continue
            start = min(x.idx for x in content_tokens)
            end = max(x.idx + len(x.text) for x in content_tokens)
            inside = [f for f in already if start <= f.content[0] and f.content[1] <= end + 2]
            opens_quoted = any(a - 1 <= start < b + 1 for a, b in quotes)
            if (
                inside
                and not opens_quoted
                and len(inside)
                == len([f for f in already if start in range(*f.content) or f.content[0] in range(start, end)])
            ):
                # "X said Y was “right” when he said “…”": the quotes belong to X's sentence
                for f in inside:
                    already.remove(f)
                taken = [range(*f.content) for f in already]
            if any(start in r or end - 1 in r for r in taken):
                # the quotation rule already has it
                continue
            if len([x for x in content_tokens if x.is_alpha]) < (2 if label else 3):
                continue
            appos = next((c for c in subj.children if c.dep_ == "appos"), None)
            if subj.is_upper and appos is not None and subj.nbor(1).text in DASHES:
                subj = appos  # a dateline parsed as the subject: "WASHINGTON -- President Obama …"
            subj_span = doc[subj.left_edge.i : subj.i + 1] if subj.pos_ != "PRON" else doc[subj.i : subj.i + 1]
            speaker = self.speakers.named_by(doc, base, subj_span, index) if not stance or subj.pos_ != "PRON" else None
            if speaker is None:
                continue
            inner = [q for q in quotes if start <= q[0] and q[1] <= end + 3]
            quote = "; ".join(clean_text(doc.text[a:b]) for a, b in inner) or None
            via = tell_via(t) or via_children(t)
            append = ""
            if stance and t.dep_ == "relcl":
                head = t.head
                left = [x for x in head.lefts if x.dep_ in ("det", "amod", "compound", "nummod", "poss")]
                phrase = doc[min([x.i for x in left] + [head.i]) : head.i + 1].text
                append = phrase[0].lower() + phrase[1:] if left and left[0].lower_ in ("the", "a", "an") else phrase
            # A borrowed subject ("Putin …, saying that …") stays with the outlet's sentence.
            subject_at = subj.left_edge.idx if subj.head.i == t.i else t.idx
            foot = (min(start, subject_at, t.idx), max(end, t.idx + len(t.text)))
            if statement is not None and statement.startswith("\x00"):
                statement = f"{speaker.name} {statement[1:]}"
            out.append(
                Finding(
                    (start, end), speaker, via, quote, "stance" if stance else "indirect", foot, None, append, statement
                )
            )
            taken.append(range(start, end))
        return out

    def noun_cued(
        self, doc: "Doc", unit: tuple[int, int], quotes: list[tuple[int, int]], index: int, already: list[Finding]
    ) -> list[Finding]:
        """A reporting noun with its owner: "Donald Trump’s claim that there have been …"."""
        out: list[Finding] = []
        base = self.article.start_of(doc)
        for t in doc:
            if not unit[0] <= t.idx < unit[1] or t.pos_ != "NOUN" or t.lemma_.lower() not in NOUN_CUES:
                continue
            owner = next((c for c in t.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
            clause = next(
                (
                    c
                    for c in t.children
                    if c.dep_ in ("acl", "ccomp") and any(g.lower_ == "that" and g.dep_ == "mark" for g in c.children)
                ),
                None,
            )
            if owner is None or clause is None:
                continue
            tokens = [x for x in clause.subtree if x.idx < unit[1] and not (x.dep_ == "mark" and x.head.i == clause.i)]
            tokens = [x for x in tokens if not (x.is_punct and x.text in ".,;:!?")]
            if len([x for x in tokens if x.is_alpha]) < 3:
                continue
            start, end = min(x.idx for x in tokens), max(x.idx + len(x.text) for x in tokens)
            if any(f.content[0] < end and start < f.content[1] for f in already + out):
                continue
            name = doc[owner.left_edge.i : owner.i + 1]
            speaker = self.speakers.named_by(doc, base, name, index)
            if speaker is None:
                continue
            inner = [q for q in quotes if start <= q[0] and q[1] <= end + 3]
            quote = "; ".join(clean_text(doc.text[a:b]) for a, b in inner) or None
            out.append(Finding((start, end), speaker, None, quote, "indirect", (name.start_char, end)))
        return out

    def according(self, doc: "Doc", unit: tuple[int, int], index: int, already: list[Finding]) -> list[Finding]:
        """The source named by "according to X" or "in the opinion of X", for the segment the phrase qualifies."""
        out = []
        base = self.article.start_of(doc)
        text = doc.text
        for m in ACCORDING.finditer(text, unit[0], unit[1]):
            name_start = m.end()
            nm = re.match(r"[^,.;]+", text[name_start : unit[1]])
            if not nm:
                continue
            name_end = name_start + len(nm.group().rstrip())
            first = doc.char_span(name_start, name_end, alignment_mode="expand")
            if first is None:
                continue
            lead = first[0]
            around = [
                e
                for e in list(doc.noun_chunks) + list(doc.ents)
                if e.start <= lead.i < e.end or (lead.lower_ == "the" and e.start == lead.i + 1)
            ]
            if around:
                longest = max(around, key=lambda e: e.end_char)
                if longest.end_char > name_start:
                    name_end = min(name_end, longest.end_char)
            # The segment the phrase qualifies: commas bound it.
            before = text[unit[0] : m.start()]
            after = text[name_end : unit[1]]
            if not before.strip(' (“"'):
                content = (name_end, unit[1])
            elif before.rstrip().endswith(",") and after.lstrip().startswith(","):
                prev = before.rstrip()[:-1]
                seg_start = unit[0] + (prev.rfind(", ") + 2 if ", " in prev else 0)
                skip = len(after) - len(after.lstrip()) + 1
                nxt = after.find(", ", skip)
                seg_end = unit[1] if nxt < 0 else name_end + nxt
                content = (seg_start, seg_end)
            elif before.rstrip().endswith(",") and ", " not in after:
                # "…, according to a national Gallup Poll taken last week."
                content = (unit[0], m.start())
                name_end = name_start + len(after.rstrip().rstrip(".")) + (name_end - name_start)
            else:
                seg_start = unit[0] + (before.rfind(", ") + 2 if ", " in before else 0)
                nxt = after.find(", ")
                seg_end = unit[1] if nxt < 0 else name_end + nxt
                content = (seg_start, seg_end)
            whole = content[0] <= unit[0] + 3 and content[1] >= unit[1] - 2
            tokens = doc.char_span(name_start, name_end, alignment_mode="expand")
            if tokens is None:
                continue
            speaker = self.speakers.named_by(doc, base, tokens, index)
            if speaker is None:
                continue
            via = None
            for f in already:
                if f.content[0] <= m.start() < f.content[1] or (f.kind == "quote" and f.speaker.span):
                    if f.content[0] <= m.start() <= f.content[1] + 200 and f.speaker.name != speaker.name:
                        via = f.speaker.label() + (f", {f.via}" if f.via else "")
                        break
            cut = (m.start(), name_end)
            foot = unit if whole else (min(content[0], m.start()), max(content[1], name_end))
            out.append(Finding(content, speaker, via, None, "according", foot, cut))
        return out


# --- what the parse says around a cue ------------------------------------------------------


def _labelled(t: "Token") -> list["Token"] | None:
    """The object and what it is called: "called Friday's decision a “huge win”"."""
    obj = next((c for c in t.children if c.dep_ == "dobj"), None)
    if obj is None or any(c.dep_ in ("prep", "prt") and c.lower_ in ("on", "for", "off") for c in t.children):
        return None
    comp = next((c for c in t.children if c.dep_ == "oprd"), None) or next(
        (c for c in t.children if c.dep_ == "prep" and c.lower_ == "as" and any(g.dep_ == "pobj" for g in c.children)),
        None,
    )
    return [obj, comp] if comp is not None else None


def _requested(t: "Token") -> list["Token"] | None:
    """Whom the speaker asks to do what: "called on the administration to …", "urged voters to …"."""
    act = next((c for c in t.children if c.dep_ == "xcomp"), None)
    if t.lemma_ == "call":
        on = next((c for c in t.children if c.dep_ in ("prep", "prt") and c.lower_ == "on"), None)
        who = next((c for c in on.children if c.dep_ == "pobj"), None) if on is not None else None
        if who is None:
            return None
        act = act or next((c for c in who.children if c.dep_ in ("acl", "relcl", "xcomp")), None)
    else:
        who = next((c for c in t.children if c.dep_ == "dobj"), None)
    if who is None or act is None or not any(c.dep_ == "aux" and c.lower_ == "to" for c in act.children):
        return None
    return [who, act]


def _judged(t: "Token") -> list["Token"] | None:
    """Whom the speaker judges and for what: "blasted Oversight for failing to make clear …"."""
    who = next((c for c in t.children if c.dep_ == "dobj"), None)
    why = next((c for c in t.children if c.dep_ == "prep" and c.lower_ == "for"), None)
    if who is None or why is None or not any(g.dep_ in ("pobj", "pcomp") for g in why.children):
        return None
    return [who, why]


def _words(t: "Token", skip_as: bool = False) -> str:
    """The words of ``t``'s subtree (without a leading "as"), with a closing quotation mark the parse hung elsewhere."""
    tokens = sorted(t.subtree, key=lambda x: x.i)
    if skip_as and tokens and tokens[0].lower_ == "as":
        tokens = tokens[1:]
    if not tokens:
        return ""
    doc = t.doc
    end = tokens[-1].i + 1
    opened = sum(x.text in ("“", '"', PAIRED) for x in doc[tokens[0].i : end])
    unclosed = opened % 2 or doc[tokens[0].i : end].text.count("“") > doc[tokens[0].i : end].text.count("”")
    stop = end + 1 if end < len(doc) and doc[end].text in ".,!?" else end
    if unclosed and stop < len(doc) and is_quote_mark(doc[stop].text):
        end = stop + 1  # the closing mark the parse hung elsewhere
    return clean_text(doc[tokens[0].i : end].text)


def _dropped(x: "Token", cue: "Token") -> bool:
    """Whether ``x`` is left out of what the speaker of ``cue`` says."""
    # A contrastive clause ("…, while Pyongyang failed twice") is the outlet's, not the speaker's.
    for anc in [x, *x.ancestors]:
        if anc.i == cue.i:
            return False
        if anc.dep_ == "advcl" and any(c.lower_ in ("while", "whereas", "although", "though") for c in anc.children):
            return True
        if anc.dep_ == "prep" and anc.lower_ == "according":
            return True
    return False
