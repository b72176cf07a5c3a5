"""Quotations and who says them: a quotation with its reporting verb before or after it
("…,” adds X", "X told AFP: “…”"), a paragraph announced by the one before ("He said:"),
a quotation signed with a dash ("“…” ― Name"), and an interview transcript ("PENCE: …").

A quotation of several sentences becomes one finding per sentence; a scare quote, a title
in quotation marks, or a short quotation with no speaker stays inside the outlet's sentence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from knowledge.drafting.findings import Finding
from knowledge.drafting.reading import Article, clean_text
from knowledge.drafting.speakers import Speaker, SpeakerResolver, SpeakerSearch, tell_via, via_children
from knowledge.drafting.vocabulary import SMALL_WORDS, cue_form

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


class QuoteFinder:
    """Finds the article's quotations and their speakers, paragraph by paragraph.

    Shares the article's ``SpeakerResolver`` with the other rules, so that a quotation with
    no reporting verb goes on with whoever spoke last.
    """

    def __init__(self, article: Article, speakers: SpeakerResolver, search: SpeakerSearch) -> None:
        self.article = article
        self.speakers = speakers
        self.search = search

    def quoted(
        self,
        doc: "Doc",
        unit: tuple[int, int],
        unit_quotes: list[tuple[int, int]],
        all_quotes: list[tuple[int, int]],
        index: int,
    ) -> list[Finding]:
        """The quotations of one unit of a paragraph, each with the speaker its cue names."""
        found = []
        text = doc.text
        for q0, q1 in unit_quotes:
            words = re.findall(r"\w+", text[q0:q1])
            if len(words) < 3:
                continue  # a scare quote or a single word: kept inside the sentence around it
            if len(words) < 6 and all(w[0].isupper() or w.lower() in SMALL_WORDS for w in words):
                continue  # a title: “Fox and Friends”, “Shark Tank”
            cue = self._cue_near(doc, unit, (q0, q1), all_quotes)
            if cue is None:
                lead = text[unit[0] : q0 - 1].strip().rstrip(",").lower()
                if len(words) < 6 or lead not in ("", "but", "and", "yet", "still", "so"):
                    continue  # a short or embedded quote with no speaker: part of the outlet's sentence
                speaker = self.speakers.floating(index)
                if speaker is None:
                    continue
                via = None
            else:
                speaker, via, side = cue
            foot = (q0, unit[1]) if cue is not None and side > 0 else ((unit[0], q1) if cue is not None else (q0, q1))
            for piece in self._quote_sentences(doc, q0, q1):
                found.append(
                    Finding(piece, speaker, via, clean_text(text[piece[0] : piece[1]]).rstrip(","), "quote", foot)
                )
        return found

    _TRANSCRIPT = re.compile(r"^[\"“]?([A-Z][A-Z.'’ -]{1,40}[A-Z]):\s+(\S.*)$", re.DOTALL)

    def transcript(self, doc: "Doc", index: int) -> list[Finding]:
        """An interview transcript line, "PENCE: Well, look, …": the whole turn is the speaker's."""
        m = self._TRANSCRIPT.match(doc.text)
        if not m:
            return []
        caps = m.group(1).strip()
        key = caps.split()[-1].lower()
        full: tuple[str, str | None] | None = next(
            ((n, r) for k, (n, r) in self.article.roles.items() if k.split()[-1].lower() == key), None
        )
        if full is None:
            for ent in (e for p in self.article.paras for e in p.doc.ents if e.label_ == "PERSON"):
                if ent.text.split()[-1].lower() == key:
                    full = (ent.text, None)
                    break
        name, role = full or (caps.title(), None)
        base = self.article.start_of(doc)
        speaker = Speaker(name, role, (base + m.start(1), base + m.end(1)), person=True)
        self.speakers.last_person = (speaker, index)
        start = m.start(2)
        end = len(doc.text.rstrip().rstrip('"”'))
        return [
            Finding(piece, speaker, None, clean_text(doc.text[piece[0] : piece[1]]), "quote", (0, len(doc.text)))
            for piece in self._quote_sentences(doc, start, end)
        ]

    _SIGNED = re.compile(
        r"^\s*[“”\"«](?P<q>.*\S)\s*[”\"»]\s*(?:--|[—–―])\s*(?P<name>[A-Z][^“”\"!?]{1,60}?)\.?\s*$", re.DOTALL
    )

    def signed(self, doc: "Doc", index: int) -> list[Finding]:
        """A quotation signed with a dash, as in a round-up of reactions: "“…” ― Sonya Herridge"."""
        m = self._SIGNED.match(doc.text)
        if not m or len(re.findall(r"\w+", m.group("q"))) < 3:
            return []
        name = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if name is None or len(name) > 8 or not all(t.text[:1].isupper() or t.is_punct for t in name):
            return []
        speaker = self.speakers.named_by(doc, self.article.start_of(doc), name, index)
        if speaker is None:
            return []
        return [
            Finding(piece, speaker, None, clean_text(doc.text[piece[0] : piece[1]]), "quote", (0, len(doc.text)))
            for piece in self._quote_sentences(doc, m.start("q"), m.end("q"))
        ]

    def introducer(self, doc: "Doc", index: int) -> tuple[Speaker, str | None] | None:
        """A paragraph that ends by announcing the next one: "He said:", "The governor added:"."""
        text = doc.text.rstrip()
        if not text.endswith(":") or len(text) > 300:
            return None
        cue = next(
            (t for t in reversed(doc) if cue_form(t.text) and t.pos_ in ("VERB", "AUX") and t.lower_ != "according"),
            None,
        )
        if cue is None:
            return None
        tail = doc.text[cue.idx : len(text)]
        if any(ch in tail for ch in ".!?"):
            return None  # the cue belongs to an earlier sentence
        subj = next((c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        base = self.article.start_of(doc)
        speaker = None
        if subj is not None:
            phrase = doc[subj.left_edge.i : subj.i + 1] if subj.pos_ != "PRON" else doc[subj.i : subj.i + 1]
            speaker = self.speakers.named_by(doc, base, phrase, index)
        if speaker is None:
            found = self.search.around(doc, cue, 0, (0, len(text)), [], index, base)
            if found is None:
                return None
            return found
        return speaker, tell_via(cue) or via_children(cue)

    def whole_quote(self, doc: "Doc", speaker: Speaker, via: str | None) -> list[Finding]:
        """The paragraph ``doc`` as one quotation of ``speaker``'s, who announced it in the paragraph before."""
        text = doc.text
        q0 = len(text) - len(text.lstrip(' “"«'))
        q1 = len(text.rstrip().rstrip('”"»'))
        if len(re.findall(r"\w+", text[q0:q1])) < 3:
            return []
        return [
            Finding(piece, speaker, via, clean_text(text[piece[0] : piece[1]]), "quote", (0, len(text)))
            for piece in self._quote_sentences(doc, q0, q1)
        ]

    @staticmethod
    def _quote_sentences(doc: "Doc", q0: int, q1: int) -> list[tuple[int, int]]:
        """The quotation between ``q0`` and ``q1`` cut into its sentences, a short one joined to the one before."""
        pieces = []
        for sent in doc.sents:
            s, e = max(sent.start_char, q0), min(sent.end_char, q1)
            if e - s > 0 and re.search(r"\w", doc.text[s:e]):
                pieces.append((s, e))
        merged: list[list[int]] = []
        for s, e in pieces:
            if merged and len(re.findall(r"\w+", doc.text[s:e])) < 4:
                merged[-1][1] = e
            else:
                merged.append([s, e])
        out = []
        for s, e in merged:
            seg = doc.text[s:e]
            lead = len(seg) - len(seg.lstrip(" “\"'"))
            trail = len(seg) - len(seg.rstrip(" ,”\"'"))
            out.append((s + lead, e - trail))
        return out

    def _cue_near(
        self, doc: "Doc", unit: tuple[int, int], quote: tuple[int, int], all_quotes: list[tuple[int, int]]
    ) -> tuple[Speaker, str | None, int] | None:
        """The speaker and via of a quotation and the side of its reporting verb (1 after, -1
        before): after it first, else before it."""
        q0, q1 = quote
        index = next(i for i, p in enumerate(self.article.paras) if p.doc is doc)
        base = self.article.start_of(doc)

        def outside(t: "Token") -> bool:
            return not any(a <= t.idx < b for a, b in all_quotes)

        after = [t for t in doc if q1 < t.idx < unit[1] and outside(t)]
        before = [t for t in doc if unit[0] <= t.idx < q0 - 1 and outside(t)]
        for tokens, direction in ((after, 1), (list(reversed(before)), -1)):
            for t in tokens:
                if (
                    not cue_form(t.text)
                    or t.pos_ in ("ADP", "DET", "PROPN")
                    or (t.pos_ == "NOUN" and t.dep_ not in ("compound", "ROOT", "dep"))
                ):
                    continue
                if t.lower_ == "according":
                    continue
                found = self.search.around(doc, t, q1 if direction == 1 else unit[0], unit, all_quotes, index, base)
                if found is not None:
                    return found[0], found[1], direction
        return None
