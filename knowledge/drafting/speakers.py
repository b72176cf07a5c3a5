"""Who speaks: the speaker a noun phrase names, the one a pronoun carries over, the one
standing beside a reporting verb, and the channel ("via") they spoke through.

``SpeakerResolver`` turns a mention into a ``Speaker`` ("Yohann Michel" with the role the
article gives him, "he" as the last person who spoke, "analysts" as "Analysts cited by AFP")
and remembers who spoke last, which the next "he said" and a quotation with no cue of its
own go on with. ``SpeakerSearch`` finds the mention on either side of a cue ("X, role, told
AFP" or "adds X, role"); the quotation rules (``knowledge.drafting.quotes``) use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.drafting.reading import Article, clean_text, is_quote_mark, quotations, strip_the
from knowledge.drafting.vocabulary import DASHES, PAIRED, PERSONAL

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


@dataclass
class Speaker:
    """Who says something: a person (with the role the article gives them) or a body, a group.

    ``span`` is the mention in the article's text (None when carried over without one);
    ``unsure`` asks the reviewer to check who it is.
    """

    name: str
    role: str | None
    span: tuple[int, int] | None
    person: bool
    unsure: bool = False

    def label(self) -> str:
        """The attribution as written in a claim: "Name, role" or the name alone."""
        return f"{self.name}, {self.role}" if self.role else self.name


# --- vias: through what a speaker spoke ------------------------------------------------------


def via_after(text: str) -> str | None:
    """A via phrase at the start of ``text``: "to AFP", "in a study published Friday"."""
    m = re.match(r"^[\s,.]*(to|in|on|via)\s+([^,.;]+(?:\.(?=\w))?[^,.;]*)", text)
    if not m:
        return None
    phrase = clean_text(m.group(0).lstrip(" ,."))
    phrase = re.sub(r"\s*[–—-]\s*$", "", phrase)
    if m.group(1).lower() == "to":
        return "speaking " + phrase
    return phrase


def tell_via(cue: "Token") -> str | None:
    """Whom the speaker told, from a "told" cue: "told AFP" -> "speaking to AFP"."""
    if cue.lemma_ != "tell" and cue.lower_ not in ("told", "tells", "tell"):
        return None
    nxt = cue.nbor(1) if cue.i + 1 < len(cue.doc) else None
    if nxt is not None and nxt.pos_ == "PROPN":
        end = nxt.i + 1
        while end < len(cue.doc) and cue.doc[end].pos_ == "PROPN":
            end += 1
        return "speaking to " + cue.doc[nxt.i : end].text
    return None


def via_children(t: "Token") -> str | None:
    """The medium a cue hangs off: "said in an interview", "wrote in a statement"."""
    for c in t.children:
        if (
            c.dep_ == "prep"
            and c.lower_ in ("in", "on")
            and any(
                g.lemma_
                in (
                    "interview",
                    "study",
                    "statement",
                    "report",
                    "post",
                    "letter",
                    "tweet",
                    "network",
                    "television",
                    "radio",
                    "newspaper",
                    "daily",
                )
                for g in c.subtree
            )
        ):
            return clean_text(doc_text(c))
    return None


def doc_text(token: "Token") -> str:
    """The words of ``token``'s subtree."""
    return token.doc[token.left_edge.i : token.right_edge.i + 1].text


# --- speakers --------------------------------------------------------------------------------


class SpeakerResolver:
    """Names the speaker a mention stands for, and remembers who spoke last.

    One per article, shared by every rule, in text order: ``last_person`` (the last person
    named as a speaker) and ``last_named`` (a short "organisation" that may be a surname)
    are what "he said" carries over; ``paragraph_speaker`` is who spoke last in the
    paragraph being read, whom a quotation without a cue of its own goes on with.
    """

    def __init__(self, article: Article) -> None:
        self.article = article
        self.last_person: tuple[Speaker, int] | None = None
        self.last_named: tuple[Speaker, int] | None = None
        self.paragraph_speaker: Speaker | None = None

    def named_by(self, doc: "Doc", base: int, tokens: "Span", para_index: int) -> Speaker | None:
        """The speaker named by ``tokens`` (a noun phrase): a person, a body, a pronoun, or a group."""
        dash = next((t for t in tokens if t.text in DASHES), None)
        if dash is not None and all(t.is_upper or t.is_punct for t in tokens if t.i < dash.i):
            # a dateline, "WASHINGTON -- President Obama": the speaker comes after it
            tokens = doc[dash.i + 1 : tokens.end]
        words = [t for t in tokens if not t.is_punct]
        if not words:
            return None
        span = (base + tokens.start_char, base + tokens.end_char)
        if len(words) == 1 and words[0].lower_ == "who" and words[0].head.dep_ == "relcl":
            # "Stevie Wonder, who joked …": the speaker is the name right before (the parse may
            # hang the clause off the first of several names), else the noun the clause hangs off
            who = words[0]
            j = who.i - 1 if who.i > 0 and doc[who.i - 1].text == "," else who.i
            adjacent = next((e for e in doc.ents if e.end == j and e.label_ in ("PERSON", "ORG")), None)
            ante = who.head.head
            phrase = None
            if adjacent is not None:
                phrase = adjacent
            elif ante.pos_ in ("PROPN", "NOUN") and ante.i < who.i:
                ent = next((e for e in doc.ents if e.start <= ante.i < e.end), None)
                phrase = ent if ent is not None else doc[ante.left_edge.i : ante.i + 1]
            found = self.named_by(doc, base, phrase, para_index) if phrase is not None else None
            if found is not None:
                found.span = span  # the mention that speaks is "who"
                return found
        if len(words) == 1 and words[0].lower_ in PERSONAL | {"who"}:
            return self._carry_over(span, para_index, words[0].lower_ in ("they", "them", "their"))
        inside = [e for e in doc.ents if e.start >= tokens.start and e.end <= tokens.end]
        for ent in sorted(inside, key=lambda e: e.label_ != "PERSON"):
            if ent.label_ in ("PERSON", "ORG", "GPE", "NORP"):
                if ent.label_ == "PERSON" or (
                    ent.label_ == "GPE" and ent.text[-1:].isalpha() and self._looks_personal(ent)
                ):
                    return self._person(ent.text, (base + ent.start_char, base + ent.end_char), para_index)
                name = ent.text
                if ent.label_ == "NORP":
                    break
                speaker = Speaker(strip_the(name), None, (base + ent.start_char, base + ent.end_char), person=False)
                if ent.label_ == "ORG" and len(ent) <= 2 and ent.text[:1].isupper() and not ent.text.isupper():
                    # a one- or two-word "organisation" may be a surname the model mistyped
                    self.last_named = (speaker, para_index)
                return speaker
        head = tokens.root
        if head.pos_ == "PROPN":
            phrase = doc[min(t.i for t in head.subtree if t.i >= tokens.start) : head.i + 1]
            if len(phrase) >= 2 and all(t.text[:1].isupper() or t.is_punct for t in phrase):
                return self._person(phrase.text, (base + phrase.start_char, base + phrase.end_char), para_index)
            return Speaker(
                strip_the(phrase.text), None, (base + phrase.start_char, base + phrase.end_char), person=False
            )
        # A common noun: "analysts", "a senior official", "experts".
        left = [t for t in head.lefts if t.i >= tokens.start and t.dep_ in ("amod", "compound", "det", "nummod")]
        start = min([t.i for t in left] + [head.i])
        phrase = doc[start : head.i + 1]
        words_ = [t.text for t in phrase if t.lower_ not in ("the", "a", "an", "some", "many")]
        if not words_:
            return None
        if phrase[0].lower_ == "the" and len(words_) <= 2 and head.tag_ == "NN":
            titled = self.article.titled(head.lower_)
            if titled is not None:
                # "the president said": the one person the article gives that title
                return Speaker(
                    titled[0],
                    titled[1] or None,
                    (base + phrase.start_char, base + phrase.end_char),
                    person=True,
                    unsure=True,
                )
        label = " ".join(words_)
        return Speaker(
            f"{label[0].upper()}{label[1:]} cited by {self.article.outlet}",
            None,
            (base + phrase.start_char, base + phrase.end_char),
            person=False,
        )

    @staticmethod
    def _looks_personal(ent: "Span") -> bool:
        """Whether a place name is a person's (a hook the rules keep; it says no to all)."""
        # The small model calls some surnames places; a two-word capitalised name is a person.
        return False

    def _person(self, name: str, span: tuple[int, int], para_index: int) -> Speaker:
        """The person called ``name``, with their full name and role when the article gives them."""
        name = clean_text(name)
        full, role = self.article.roles.get(name, (None, None))
        if full is None:
            full, role = self.article.roles.get(name.split()[-1], (name, None))
            if full != name and name not in full:
                full = name
        speaker = Speaker(full, role, span, person=True)
        self.last_person = (speaker, para_index)
        return speaker

    def _last_subject(self, before: int) -> tuple[int, str] | None:
        """The last person named as the subject of a verb before ``before``, outside quotations."""
        best = None
        # the small model tags some surnames as organisations: a surname the article gives a person counts
        surnames = {e[-1].text for p in self.article.paras for e in p.doc.ents if e.label_ == "PERSON" and len(e) > 1}
        for p in self.article.paras:
            if p.start >= before:
                break
            quoted = quotations(p.doc.text)
            for t in p.doc:
                if p.start + t.idx >= before:
                    break
                if t.dep_ != "nsubj" or t.pos_ != "PROPN" or any(a <= t.idx < b for a, b in quoted):
                    continue
                ent = next((e for e in p.doc.ents if e.start <= t.i < e.end), None)
                if ent is not None and ent.label_ != "PERSON" and not (len(ent) == 1 and ent.text in surnames):
                    continue
                if ent is None and (t.is_upper or not t.text[:1].isupper()):
                    continue
                best = (p.start + t.idx, ent.text if ent is not None else t.text)
        return best

    def _carry_over(self, span: tuple[int, int], para_index: int, plural: bool) -> Speaker | None:
        """Whom a "he"/"she" at ``span`` stands for: the last speaker, or the person the text was last about."""
        if plural:
            return Speaker("Unresolved speaker", None, span, person=False, unsure=True)
        candidates = [
            (c[0].span[0], c) for c in (self.last_person, self.last_named) if c is not None and c[0].span is not None
        ]
        if candidates:
            at, (last, where) = max(candidates, key=lambda c: c[0])
            subject = self._last_subject(span[0])
            if subject is not None and subject[0] > at and clean_text(subject[1]) not in last.name:
                # "Trump has taken a firm stance … “…,” he said": the person the text was last about
                name = clean_text(subject[1])
                full, role = self.article.roles.get(name, self.article.roles.get(name.split()[-1], (name, None)))
                return Speaker(full, role, span, person=True, unsure=True)
            return Speaker(last.name, last.role, span, person=True, unsure=para_index - where > 2 or not last.person)
        # No speaker yet: the last person the article named before this "he" (the small
        # model sometimes calls a surname an organisation, so any name will do), flagged.
        before = [
            (p.start + e.start_char, e.text, e.label_ == "PERSON")
            for p in self.article.paras
            for e in p.doc.ents
            if e.label_ in ("PERSON", "ORG") and p.start + e.end_char <= span[0] and len(e.text) > 2
        ]
        # a surname the model did not tag, as the subject of a verb: "Trump responded by …"
        before += [
            (p.start + t.idx, t.text, True)
            for p in self.article.paras
            for t in p.doc
            if t.pos_ == "PROPN"
            and t.dep_ == "nsubj"
            and not t.ent_type_
            and t.text[:1].isupper()
            and not t.is_upper
            and p.start + t.idx + len(t.text) <= span[0]
        ]
        before.sort()
        people = [name for _, name, person in before if person] or [name for _, name, _ in before]
        if not people:
            return Speaker("Unresolved speaker", None, span, person=False, unsure=True)
        name = people[-1]
        full, role = self.article.roles.get(name, self.article.roles.get(name.split()[-1], (name, None)))
        return Speaker(full, role, span, person=True, unsure=True)

    def floating(self, index: int) -> Speaker | None:
        """Who says a quotation that has no reporting verb of its own, in paragraph ``index``."""
        if self.paragraph_speaker is not None:
            # "…, Schiff said. “The other factor …”": the speaker of this paragraph goes on
            last = self.paragraph_speaker
            return Speaker(last.name, last.role, None, person=last.person, unsure=last.unsure)
        if self.last_person is None:
            return None
        last, where = self.last_person
        if index - where > 1:
            return None
        self.last_person = (last, index)  # a run of quotation paragraphs goes on with the same speaker
        return Speaker(last.name, last.role, None, person=True, unsure=True)


class SpeakerSearch:
    """Finds the speaker beside a reporting verb: "X, role, told AFP" or "adds X, role, to AFP"."""

    def __init__(self, article: Article, speakers: SpeakerResolver) -> None:
        self.article = article
        self.speakers = speakers

    def around(
        self,
        doc: "Doc",
        cue: "Token",
        left_edge: int,
        unit: tuple[int, int],
        all_quotes: list[tuple[int, int]],
        index: int,
        base: int,
    ) -> tuple[Speaker, str | None] | None:
        """Speaker just before the cue ("X, role, told AFP") or just after it ("adds X, role")."""
        text = doc.text
        # Before the cue: the noun phrase ending right at it.
        pre = [t for t in doc if left_edge <= t.idx < cue.idx and not any(a <= t.idx < b for a, b in all_quotes)]
        while pre and (pre[0].is_punct or pre[0].lower_ in ("which", "and", "but")):
            pre = pre[1:]
        via = tell_via(cue)
        if pre and any(t.is_alpha for t in pre):
            # The comma-bounded phrase right before the cue; a lowercase one is a role
            # ("Maciej Szopa, military analyst for …, told AFP") whose name comes before it.
            segments: list[list["Token"]] = [[]]
            for t in pre:
                if t.text == "," or is_quote_mark(t.text):
                    segments.append([])
                else:
                    segments[-1].append(t)
            segments = [g for g in segments if any(ch.isalpha() for t in g for ch in t.text)]
            chosen: list["Token"] = []
            for k in range(len(segments) - 1, max(-1, len(segments) - 4), -1):
                head = segments[k][0]
                if head.lower_ in PERSONAL or (
                    head.text[:1].isupper() and head.pos_ in ("PROPN", "NOUN", "DET", "ADJ")
                ):
                    chosen = segments[k]
                    break
                if any(t.dep_ in ("nsubj", "nsubjpass") and t.head.i == cue.i for t in segments[k]):
                    chosen = segments[k]  # "It was, the president said, “…”"
                    break
                if head.pos_ == "ADP" and head.lower_ != "according" or head.pos_ == "ADV":
                    continue  # a parenthetical: "…, at a later press gaggle, said"
                if head.is_lower and head.pos_ in ("NOUN", "ADJ", "DET") and k > 0:
                    # a role: the name must open the phrase before it
                    prior = segments[k - 1]
                    if any(e.start == prior[0].i and e.label_ in ("PERSON", "ORG") for e in doc.ents):
                        chosen = prior
                break
            speaker = None
            span = None
            if chosen:
                span = doc[chosen[0].i : chosen[-1].i + 1]
                speaker = self._speaker_in(doc, span, base, index)
            if speaker is not None and span is not None and not self._too_far(span):
                tail = text[cue.idx + len(cue.text) : unit[1]]
                return speaker, via or via_after(tail)
        # After the cue: "underlines Yohann Michel, analyst at …, to AFP", "warns on X – Antoine Bondaz, …".
        rest = [t for t in doc[cue.i + 1 :] if t.idx < unit[1]]
        if not rest:
            return None
        via_before = None
        start_i = rest[0].i
        if rest[0].lower_ in ("on", "in", "via", "to") and rest[0].pos_ == "ADP":
            # a via phrase first, up to the next named speaker
            ent = next(
                (e for e in doc.ents if e.start > start_i and e.label_ in ("PERSON", "ORG") and e.start_char < unit[1]),
                None,
            )
            if ent is None:
                return None
            via_before = clean_text(re.sub(r"\s*[–—-]\s*$", "", doc[start_i : ent.start].text.strip(" ,–—-")))
            start_i = ent.start
        end_i = start_i
        ent_at = next(
            (e for e in doc.ents if e.start == start_i or (e.start == start_i + 1 and doc[start_i].lower_ == "the")),
            None,
        )
        if ent_at is not None:
            end_i = ent_at.end
        while (
            end_i < len(doc)
            and doc[end_i].idx < unit[1]
            and doc[end_i].text not in (",", ".", ";", "“", "”", PAIRED)
            and not (doc[end_i].pos_ == "ADP" and doc[end_i].lower_ in ("in", "on", "to") and end_i > start_i)
        ):
            end_i += 1
        span = doc[start_i:end_i]
        if not len(span) or len(span) > 8:
            return None
        speaker = self._speaker_in(doc, span, base, index)
        if speaker is None:
            return None
        # Past the name and its role, a via phrase: ", to AFP", "in a study published Friday".
        after_at = span.end_char
        role = self.article.appositive(doc, doc[span.start : span.end]) if speaker.person else None
        if role:
            after_at = text.find(role, after_at) + len(role)
        tail = text[after_at : unit[1]]
        return speaker, via_before or via or via_after(tail)

    @staticmethod
    def _too_far(span: "Span") -> bool:
        """A phrase too long to be a speaker's name and role."""
        return len([t for t in span if t.is_alpha]) > 20

    def _speaker_in(self, doc: "Doc", span: "Span", base: int, index: int) -> Speaker | None:
        """The speaker a phrase beside a cue names: a pronoun, a name near its start, or a noun phrase."""
        first_word = next((t for t in span if not t.is_punct), None)
        if first_word is None:
            return None
        if first_word.lower_ in PERSONAL or first_word.lower_ == "who":
            return self.speakers.named_by(doc, base, doc[first_word.i : first_word.i + 1], index)
        ents = [
            e for e in doc.ents if e.start >= span.start and e.end <= span.end and e.label_ in ("PERSON", "ORG", "GPE")
        ]
        if ents and ents[0].start <= first_word.i + 2:
            e = ents[0]
            return self.speakers.named_by(doc, base, doc[e.start : e.end], index)
        # A noun phrase with a proper or common noun head: "the German Council on Foreign Relations", "analysts".
        words = [t for t in span if not t.is_punct]
        if not words or len(words) > 8:
            return None
        if words[0].pos_ in ("VERB", "AUX", "ADP", "SCONJ", "CCONJ", "ADV"):
            return None
        phrase = doc[words[0].i : words[-1].i + 1]
        if not any(t.pos_ in ("NOUN", "PROPN") for t in phrase):
            return None
        if all(t.pos_ == "PROPN" or t.lower_ in ("the", "of", "on", "for", "and") for t in phrase):
            return Speaker(
                strip_the(phrase.text), None, (base + phrase.start_char, base + phrase.end_char), person=False
            )
        head = max(
            phrase, key=lambda t: t.pos_ in ("NOUN", "PROPN") and (t.head.i not in range(phrase.start, phrase.end))
        )
        return self.speakers.named_by(doc, base, doc[phrase.start : head.i + 1], index)
