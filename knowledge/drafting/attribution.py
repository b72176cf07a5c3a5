"""Who says what in an article: the rules behind `groundbot draft`, over a spaCy parse.

Quotations with the reporting verb before or after them ("…,” adds X", "X told AFP: “…”",
"PENCE: …"), indirect speech ("X said that …", "…, analysts note"), "according to X" and
"in the opinion of X"; speakers with the role the article gives them anywhere in it, and
"he"/"she" carried over from the last speaker. Everything is a finding with character
offsets into its paragraph; ``knowledge.drafting.draft`` turns findings into claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

# --- words -------------------------------------------------------------------------------

_CUE_LEMMAS = """
say tell add underline temper warn argue note explain insist stress state claim write declare
announce confirm deny estimate believe think suggest observe remark recall acknowledge admit
assert comment conclude emphasize emphasise indicate maintain predict reply respond caution urge
tweet post testify point report continue complain allege agree counter reiterate contend
answer quip joke exclaim shout concede boast vow promise recount yell scream chant plead
wonder rule find fear worry hope
""".split()
_IRREGULAR = {"said": "say", "told": "tell", "wrote": "write", "thought": "think", "written": "write"}
# Verbs whose object is itself the claim ("Washington accused Pyongyang of …").
_STANCE_LEMMAS = {"accuse", "suspect"}
_POSSIBILITY = {"possibility", "prospect", "idea", "question"}
# Verbs that name what something is ("called it “disqualifying”", "described Clinton as …").
_LABEL_LEMMAS = {"call", "describe", "label", "dub", "brand"}
# Nouns that carry someone's words when a "that" clause follows: "Trump’s claim that …".
_NOUN_CUES = set(
    """claim assertion statement argument warning promise pledge accusation allegation suggestion
    insistence contention belief prediction charge assurance vow""".split()
)
# Verbs that ask someone to act ("called on Obama to retaliate", "urged voters to …").
_DIRECTIVE_LEMMAS = {"call", "urge", "press", "implore", "encourage"}
# Verbs that judge someone for something ("blasted Oversight for failing to …").
_JUDGING_LEMMAS = {
    "blast",
    "criticize",
    "criticise",
    "slam",
    "fault",
    "praise",
    "condemn",
    "denounce",
    "rebuke",
    "chide",
}
DASHES = ("--", "—", "–", "―")
ACCORDING = re.compile(r"\b(?:according to|in the (?:[a-z]+ )?(?:opinion|view|words) of)\s+", re.IGNORECASE)
PERSONAL = {"he", "she", "they", "him", "her", "them", "his", "hers", "their", "theirs"}
FIRST_PERSON = {"i", "we", "me", "us", "my", "our", "ours", "mine"}
DEICTIC = {"this", "these", "those", "it", "its"}
_LEADING = re.compile(
    r"^(?:\((?:[A-Z][\w .'-]*)\)\s+|(?:but|and|so|yet|however|in fact|indeed|meanwhile|where|which|while)\b,?\s*)+",
    re.IGNORECASE,
)
OPEN_QUOTES = '“"«'
CLOSE_QUOTES = '”"»'
PAIRED = "''"


# Words a title in quotation marks may have in lower case ("Fox and Friends").
SMALL_WORDS = frozenset("a an and at by for from in of on or the to with".split())


def cue_form(word: str) -> str | None:
    """The reporting verb's lemma if ``word`` is an inflected form of one."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for lemma in _CUE_LEMMAS:
        if (
            w in (lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed", lemma + "ing")
            or (lemma.endswith("e") and w in (lemma[:-1] + "ing",))
            or (lemma.endswith("y") and w in (lemma[:-1] + "ies", lemma[:-1] + "ied"))
        ):
            return lemma
    return None


@dataclass
class Speaker:
    name: str
    role: str | None
    span: tuple[int, int] | None
    person: bool
    unsure: bool = False

    def label(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name


# --- the article ---------------------------------------------------------------------------


@dataclass
class Paragraph:
    start: int
    doc: "Doc"


def paragraphs(nlp: "Language", text: str) -> list[Paragraph]:
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    docs = nlp.pipe(text[s:e] for s, e in spans)
    return [Paragraph(s, d) for (s, _), d in zip(spans, docs)]


def is_prose(span_text: str, doc: "Doc | Span") -> bool:
    words = [t for t in doc if t.is_alpha]
    has_verb = any(t.pos_ in ("VERB", "AUX") for t in doc)
    return has_verb and len(words) >= 5 and span_text.rstrip().rstrip("”\"’')").endswith((".", "!", "?"))


def quotations(text: str) -> list[tuple[int, int]]:
    """Inner (start, end) of each quotation in a paragraph. An opening mark that is never
    closed counts only at the start of the paragraph (a quote running on to the next one).
    Two apostrophes are a quotation mark too, as some wires and archives type them."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith(PAIRED, i) and (i == 0 or not text[i - 1].isalnum()):
            j = text.find(PAIRED, i + 2)
            if j < 0:
                if not text[:i].strip():
                    out.append((i + 2, len(text)))
                break
            out.append((i + 2, j))
            i = j + 2
            continue
        if ch in OPEN_QUOTES and (ch != '"' or i == 0 or not text[i - 1].isalnum()):
            closer = "”" if ch == "“" else ("»" if ch == "«" else '"')
            j = text.find(closer, i + 1)
            if ch == "“" and j < 0:
                j = text.find('"', i + 1)
            if j < 0:
                if i == 0 or not text[:i].strip():
                    out.append((i + 1, len(text)))
                break
            out.append((i + 1, j))
            i = j + 1
            continue
        i += 1
    return out


def is_quote_mark(token_text: str) -> bool:
    return token_text in OPEN_QUOTES or token_text in CLOSE_QUOTES or token_text == PAIRED


def clean_text(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(" ,;:–—-")
    return text


def as_sentence(text: str) -> str:
    # two apostrophes as quotation marks read as typographic ones in a statement
    parts = text.split(PAIRED)
    text = "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])) + parts[-1]
    text = clean_text(_LEADING.sub("", clean_text(text)))
    text = text.rstrip(",;:–— ")
    # A quote mark left open by cutting at a clause edge would read as a typo.
    if text.count("“") > text.count("”"):
        text += "”" * (text.count("“") - text.count("”"))  # cut inside a quotation: close it
    if text.count("”") > text.count("“"):
        text = text[::-1].replace("”", "", text.count("”") - text.count("“"))[::-1]
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if not text.endswith((".", "!", "?", ".”", "?”", "!”", '."', '?"', '!"')):
        text += "."
    return text


def _strip_the(name: str) -> str:
    name = clean_text(name)
    return name[0].upper() + name[1:] if name else name


class Article:
    """One article being drafted: its paragraphs, speakers met so far, and the roles it gives."""

    def __init__(self, nlp: "Language", text: str, outlet: str):
        self.nlp = nlp
        self.text = text
        self.outlet = outlet
        self.paras = paragraphs(nlp, text)
        self.roles: dict[str, tuple[str, str]] = {}  # surname or full name -> (full name, role)
        self.last_person: tuple[Speaker, int] | None = None
        self.last_named: tuple[Speaker, int] | None = None
        self.titles: dict[str, set[str]] = {}  # "president" -> names titled so
        self._collect_roles()

    # Roles: "Yohann Michel, analyst at the IISS" and "Russian President Vladimir Putin".
    def _collect_roles(self) -> None:
        for para in self.paras:
            doc = para.doc
            for ent in doc.ents:
                if ent.label_ == "PERSON" and len(ent) == 1:
                    title = self._title(doc, ent)
                    if title:
                        # "President Obama": only to tell who "the president" is, not a role for the label
                        self.titles.setdefault(title.lower().split()[-1], set()).add(self._full_name(ent.text))
                if ent.label_ != "PERSON" or len(ent) < 2:
                    continue
                role = self._appositive(doc, ent) or self._title(doc, ent)
                if role and ent.text not in self.roles:
                    self.roles[ent.text] = (ent.text, role)
                    self.roles.setdefault(ent[-1].text, (ent.text, role))

    @staticmethod
    def _appositive(doc: "Doc", ent: "Span") -> str | None:
        i = ent.end
        if i + 1 >= len(doc) or doc[i].text != ",":
            return None
        first = doc[i + 1]
        if not (first.is_lower or first.lower_ in ("the", "a", "an")) or cue_form(first.text):
            return None
        if first.pos_ not in ("NOUN", "ADJ", "DET", "PROPN"):
            return None
        j = i + 1
        depth = 0
        while j < len(doc):
            t = doc[j]
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                depth -= 1
            elif depth == 0 and (
                t.text in (",", ".", ";", "”", "“", "–", "—") or cue_form(t.text) and t.pos_ == "VERB"
            ):
                break
            j += 1
        role = doc[i + 1 : j]
        if not 1 <= len(role) <= 16:
            return None
        return clean_text(role.text)

    @staticmethod
    def _title(doc: "Doc", ent: "Span") -> str | None:
        j = ent.start
        while (
            j > 0
            and doc[j - 1].dep_ in ("compound", "amod")
            and doc[j - 1].head.i in range(j, ent.end)
            and doc[j - 1].is_alpha
        ):
            j -= 1
        return (
            doc[j : ent.start].text
            if j < ent.start and any(t.pos_ == "PROPN" or t.pos_ == "NOUN" for t in doc[j : ent.start])
            else None
        )

    # Speakers
    def speaker_from_tokens(self, doc: "Doc", base: int, tokens: "Span", para_index: int) -> Speaker | None:
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
            found = self.speaker_from_tokens(doc, base, phrase, para_index) if phrase is not None else None
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
                speaker = Speaker(_strip_the(name), None, (base + ent.start_char, base + ent.end_char), person=False)
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
                _strip_the(phrase.text), None, (base + phrase.start_char, base + phrase.end_char), person=False
            )
        # A common noun: "analysts", "a senior official", "experts".
        left = [t for t in head.lefts if t.i >= tokens.start and t.dep_ in ("amod", "compound", "det", "nummod")]
        start = min([t.i for t in left] + [head.i])
        phrase = doc[start : head.i + 1]
        words_ = [t.text for t in phrase if t.lower_ not in ("the", "a", "an", "some", "many")]
        if not words_:
            return None
        if phrase[0].lower_ == "the" and len(words_) <= 2 and head.tag_ == "NN":
            titled = self._titled(head.lower_)
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
            f"{label[0].upper()}{label[1:]} cited by {self.outlet}",
            None,
            (base + phrase.start_char, base + phrase.end_char),
            person=False,
        )

    def _titled(self, noun: str) -> tuple[str, str | None] | None:
        """The person whose role or title ends with ``noun`` ("President Obama" for "president"), if only one."""
        people = {full: role for full, role in self.roles.values() if role and role.lower().split()[-1] == noun}
        for name in self.titles.get(noun, set()):
            full, role = self.roles.get(name, (name, None))
            if not any(name in known for known in people):
                people[full] = role or ""
        if len(people) != 1:
            return None
        full, role = next(iter(people.items()))
        return full, role

    def _full_name(self, surname: str) -> str:
        """The longest PERSON name in the article ending with ``surname``."""
        names = [e.text for p in self.paras for e in p.doc.ents if e.label_ == "PERSON" and e[-1].text == surname]
        return max(names, key=len) if names else surname

    @staticmethod
    def _looks_personal(ent: "Span") -> bool:
        # The small model calls some surnames places; a two-word capitalised name is a person.
        return False

    def _person(self, name: str, span: tuple[int, int], para_index: int) -> Speaker:
        name = clean_text(name)
        full, role = self.roles.get(name, (None, None))
        if full is None:
            full, role = self.roles.get(name.split()[-1], (name, None))
            if full != name and name not in full:
                full = name
        speaker = Speaker(full, role, span, person=True)
        self.last_person = (speaker, para_index)
        return speaker

    def _last_subject(self, before: int) -> tuple[int, str] | None:
        """The last person named as the subject of a verb before ``before``, outside quotations."""
        best = None
        # the small model tags some surnames as organisations: a surname the article gives a person counts
        surnames = {e[-1].text for p in self.paras for e in p.doc.ents if e.label_ == "PERSON" and len(e) > 1}
        for p in self.paras:
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
                full, role = self.roles.get(name, self.roles.get(name.split()[-1], (name, None)))
                return Speaker(full, role, span, person=True, unsure=True)
            return Speaker(last.name, last.role, span, person=True, unsure=para_index - where > 2 or not last.person)
        # No speaker yet: the last person the article named before this "he" (the small
        # model sometimes calls a surname an organisation, so any name will do), flagged.
        before = [
            (p.start + e.start_char, e.text, e.label_ == "PERSON")
            for p in self.paras
            for e in p.doc.ents
            if e.label_ in ("PERSON", "ORG") and p.start + e.end_char <= span[0] and len(e.text) > 2
        ]
        # a surname the model did not tag, as the subject of a verb: "Trump responded by …"
        before += [
            (p.start + t.idx, t.text, True)
            for p in self.paras
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
        full, role = self.roles.get(name, self.roles.get(name.split()[-1], (name, None)))
        return Speaker(full, role, span, person=True, unsure=True)


# --- attribution rules ----------------------------------------------------------------------


@dataclass
class Finding:
    content: tuple[int, int]  # paragraph-relative characters
    speaker: Speaker
    via: str | None
    quote: str | None
    kind: str  # "quote", "indirect", "according", "stance"
    footprint: tuple[int, int] | None = None  # the whole attribution, cue and speaker included
    cut: tuple[int, int] | None = None  # "according to X" inside the content, left out of the statement
    append: str = ""  # the antecedent a relative clause leaves out
    statement: str | None = None  # when the words are not a sentence: "Pepper called the decision a …"


def _via_after(text: str) -> str | None:
    """A via phrase at the start of ``text``: "to AFP", "in a study published Friday"."""
    m = re.match(r"^[\s,.]*(to|in|on|via)\s+([^,.;]+(?:\.(?=\w))?[^,.;]*)", text)
    if not m:
        return None
    phrase = clean_text(m.group(0).lstrip(" ,."))
    phrase = re.sub(r"\s*[–—-]\s*$", "", phrase)
    if m.group(1).lower() == "to":
        return "speaking " + phrase
    return phrase


def _tell_via(cue: "Token") -> str | None:
    if cue.lemma_ != "tell" and cue.lower_ not in ("told", "tells", "tell"):
        return None
    nxt = cue.nbor(1) if cue.i + 1 < len(cue.doc) else None
    if nxt is not None and nxt.pos_ == "PROPN":
        end = nxt.i + 1
        while end < len(cue.doc) and cue.doc[end].pos_ == "PROPN":
            end += 1
        return "speaking to " + cue.doc[nxt.i : end].text
    return None


class Drafter:
    def __init__(self, article: Article):
        self.a = article
        self.paragraph_speaker: Speaker | None = None

    def run(self) -> list[tuple[Finding | None, Paragraph, int, tuple[int, int]]]:
        """(finding or None for the outlet's own statement, paragraph, index, unit) in text order."""
        out: list[tuple[Finding | None, Paragraph, int, tuple[int, int]]] = []
        introduced: tuple[Speaker, str | None, int] | None = None
        for index, para in enumerate(self.a.paras):
            doc = para.doc
            text = doc.text
            if introduced is not None and introduced[2] == index - 1:
                # "He said:" closed the paragraph before: this one is what he said
                speaker, via, _ = introduced
                whole = self._whole_quote(doc, speaker, via)
                if whole:
                    self.a.last_person = (speaker, index) if speaker.person else self.a.last_person
                    out += [(f, para, index, (0, len(text))) for f in whole]
                    continue
            introduced = None
            signed = self._signed(doc, index)
            if signed:
                out += [(f, para, index, (0, len(text))) for f in signed]
                continue
            if not is_prose(text, doc):
                announced = self._introducer(doc, index)
                introduced = (announced[0], announced[1], index) if announced else None
                continue
            transcript = self._transcript(doc, index)
            if transcript:
                out += [(f, para, index, (0, len(text))) for f in transcript]
                continue
            quotes = quotations(text)
            units = self._units(doc, quotes)
            self.paragraph_speaker = None
            for unit in units:
                found: list[Finding] = []
                unit_quotes = [q for q in quotes if unit[0] <= q[0] < unit[1] and q[1] - q[0] > 0]
                found += self._quoted(doc, unit, unit_quotes, quotes, index)
                found += self._indirect(doc, unit, quotes, index, found)
                found += self._according(doc, unit, index, found)
                found += self._noun_cued(doc, unit, quotes, index, found)
                named = [
                    f.speaker for f in found if f.speaker.span is not None and f.speaker.name != "Unresolved speaker"
                ]
                if named:
                    self.paragraph_speaker = named[-1]
                covered: set[int] = set()
                for f in found:
                    covered.update(range(*(f.footprint or f.content)))
                    if f.speaker.span:
                        covered.update(range(f.speaker.span[0] - para.start, f.speaker.span[1] - para.start))
                rest = [t for t in doc if unit[0] <= t.idx < unit[1] and t.is_alpha and t.idx not in covered]
                unit_doc = doc.char_span(unit[0], unit[1], alignment_mode="expand")
                if len(rest) >= 5 and unit_doc is not None and is_prose(unit_doc.text, unit_doc):
                    out.append((None, para, index, unit))
                for f in sorted(found, key=lambda f: f.content):
                    out.append((f, para, index, unit))
        return out

    @staticmethod
    def _units(doc: "Doc", quotes: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Sentences, joined where a quotation runs across them or a fragment was cut off."""
        units: list[list[int]] = []
        for sent in doc.sents:
            s, e = sent.start_char, sent.end_char
            inside = any(q0 <= s < q1 + 1 for q0, q1 in quotes)
            first = sent.text.lstrip()[:1]
            # "…, O'Neill said, “Not going …”": the splitter cut after a cue's comma or colon
            cut_cue = (
                bool(units)
                and doc.text[units[-1][0] : units[-1][1]].rstrip().endswith((",", ":"))
                and (first in OPEN_QUOTES or sent.text.lstrip().startswith(PAIRED))
            )
            if units and (inside or first.islower() or cut_cue):
                units[-1][1] = e
            else:
                units.append([s, e])
        return [(s, e) for s, e in units]

    # Quotations with their reporting verb.
    def _quoted(self, doc, unit, unit_quotes, all_quotes, index) -> list[Finding]:
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
                speaker = self._floating(index)
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

    def _base(self, doc) -> int:
        for p in self.a.paras:
            if p.doc is doc:
                return p.start
        return 0

    _TRANSCRIPT = re.compile(r"^[\"“]?([A-Z][A-Z.'’ -]{1,40}[A-Z]):\s+(\S.*)$", re.DOTALL)

    def _transcript(self, doc, index: int) -> list[Finding]:
        """An interview transcript line, "PENCE: Well, look, …": the whole turn is the speaker's."""
        m = self._TRANSCRIPT.match(doc.text)
        if not m:
            return []
        caps = m.group(1).strip()
        key = caps.split()[-1].lower()
        full: tuple[str, str | None] | None = next(
            ((n, r) for k, (n, r) in self.a.roles.items() if k.split()[-1].lower() == key), None
        )
        if full is None:
            for ent in (e for p in self.a.paras for e in p.doc.ents if e.label_ == "PERSON"):
                if ent.text.split()[-1].lower() == key:
                    full = (ent.text, None)
                    break
        name, role = full or (caps.title(), None)
        base = self._base(doc)
        speaker = Speaker(name, role, (base + m.start(1), base + m.end(1)), person=True)
        self.a.last_person = (speaker, index)
        start = m.start(2)
        end = len(doc.text.rstrip().rstrip('"”'))
        return [
            Finding(piece, speaker, None, clean_text(doc.text[piece[0] : piece[1]]), "quote", (0, len(doc.text)))
            for piece in self._quote_sentences(doc, start, end)
        ]

    _SIGNED = re.compile(
        r"^\s*[“”\"«](?P<q>.*\S)\s*[”\"»]\s*(?:--|[—–―])\s*(?P<name>[A-Z][^“”\"!?]{1,60}?)\.?\s*$", re.DOTALL
    )

    def _signed(self, doc, index: int) -> list[Finding]:
        """A quotation signed with a dash, as in a round-up of reactions: "“…” ― Sonya Herridge"."""
        m = self._SIGNED.match(doc.text)
        if not m or len(re.findall(r"\w+", m.group("q"))) < 3:
            return []
        name = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if name is None or len(name) > 8 or not all(t.text[:1].isupper() or t.is_punct for t in name):
            return []
        speaker = self.a.speaker_from_tokens(doc, self._base(doc), name, index)
        if speaker is None:
            return []
        return [
            Finding(piece, speaker, None, clean_text(doc.text[piece[0] : piece[1]]), "quote", (0, len(doc.text)))
            for piece in self._quote_sentences(doc, m.start("q"), m.end("q"))
        ]

    def _introducer(self, doc, index: int) -> tuple[Speaker, str | None] | None:
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
        base = self._base(doc)
        speaker = None
        if subj is not None:
            phrase = doc[subj.left_edge.i : subj.i + 1] if subj.pos_ != "PRON" else doc[subj.i : subj.i + 1]
            speaker = self.a.speaker_from_tokens(doc, base, phrase, index)
        if speaker is None:
            found = self._speaker_around(doc, cue, 0, (0, len(text)), [], index, base)
            if found is None:
                return None
            return found
        return speaker, _tell_via(cue) or self._via_children(cue)

    def _whole_quote(self, doc, speaker: Speaker, via: str | None) -> list[Finding]:
        text = doc.text
        q0 = len(text) - len(text.lstrip(' “"«'))
        q1 = len(text.rstrip().rstrip('”"»'))
        if len(re.findall(r"\w+", text[q0:q1])) < 3:
            return []
        return [
            Finding(piece, speaker, via, clean_text(text[piece[0] : piece[1]]), "quote", (0, len(text)))
            for piece in self._quote_sentences(doc, q0, q1)
        ]

    def _floating(self, index: int) -> Speaker | None:
        if self.paragraph_speaker is not None:
            # "…, Schiff said. “The other factor …”": the speaker of this paragraph goes on
            last = self.paragraph_speaker
            return Speaker(last.name, last.role, None, person=last.person, unsure=last.unsure)
        if self.a.last_person is None:
            return None
        last, where = self.a.last_person
        if index - where > 1:
            return None
        self.a.last_person = (last, index)  # a run of quotation paragraphs goes on with the same speaker
        return Speaker(last.name, last.role, None, person=True, unsure=True)

    @staticmethod
    def _quote_sentences(doc, q0, q1) -> list[tuple[int, int]]:
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

    def _cue_near(self, doc, unit, quote, all_quotes) -> tuple[Speaker, str | None, int] | None:
        """The speaker and via of a quotation and the side of its reporting verb (1 after, -1
        before): after it first, else before it."""
        q0, q1 = quote
        index = next(i for i, p in enumerate(self.a.paras) if p.doc is doc)
        base = self._base(doc)

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
                found = self._speaker_around(doc, t, q1 if direction == 1 else unit[0], unit, all_quotes, index, base)
                if found is not None:
                    return found[0], found[1], direction
        return None

    def _speaker_around(self, doc, cue, left_edge, unit, all_quotes, index, base):
        """Speaker just before the cue ("X, role, told AFP") or just after it ("adds X, role")."""
        text = doc.text
        # Before the cue: the noun phrase ending right at it.
        pre = [t for t in doc if left_edge <= t.idx < cue.idx and not any(a <= t.idx < b for a, b in all_quotes)]
        while pre and (pre[0].is_punct or pre[0].lower_ in ("which", "and", "but")):
            pre = pre[1:]
        via = _tell_via(cue)
        if pre and any(t.is_alpha for t in pre):
            # The comma-bounded phrase right before the cue; a lowercase one is a role
            # ("Maciej Szopa, military analyst for …, told AFP") whose name comes before it.
            segments: list[list] = [[]]
            for t in pre:
                if t.text == "," or is_quote_mark(t.text):
                    segments.append([])
                else:
                    segments[-1].append(t)
            segments = [g for g in segments if any(ch.isalpha() for t in g for ch in t.text)]
            chosen: list = []
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
                return speaker, via or _via_after(tail)
        # After the cue: "underlines Yohann Michel, analyst at …, to AFP", "warns on X – Antoine Bondaz, …".
        rest = doc[cue.i + 1 :]
        rest = [t for t in rest if t.idx < unit[1]]
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
        role = self.a._appositive(doc, doc[span.start : span.end]) if speaker.person else None
        if role:
            after_at = text.find(role, after_at) + len(role)
        tail = text[after_at : unit[1]]
        return speaker, via_before or via or _via_after(tail)

    @staticmethod
    def _too_far(span) -> bool:
        return len([t for t in span if t.is_alpha]) > 20

    def _speaker_in(self, doc, span, base, index) -> Speaker | None:
        first_word = next((t for t in span if not t.is_punct), None)
        if first_word is None:
            return None
        if first_word.lower_ in PERSONAL or first_word.lower_ == "who":
            return self.a.speaker_from_tokens(doc, base, doc[first_word.i : first_word.i + 1], index)
        ents = [
            e for e in doc.ents if e.start >= span.start and e.end <= span.end and e.label_ in ("PERSON", "ORG", "GPE")
        ]
        if ents and ents[0].start <= first_word.i + 2:
            e = ents[0]
            return self.a.speaker_from_tokens(doc, base, doc[e.start : e.end], index)
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
                _strip_the(phrase.text), None, (base + phrase.start_char, base + phrase.end_char), person=False
            )
        head = max(
            phrase, key=lambda t: t.pos_ in ("NOUN", "PROPN") and (t.head.i not in range(phrase.start, phrase.end))
        )
        return self.a.speaker_from_tokens(doc, base, doc[phrase.start : head.i + 1], index)

    # Indirect speech: "X said (that) …", "…, analysts note", "saying that he sees …".
    def _indirect(self, doc, unit, quotes, index, already: list[Finding]) -> list[Finding]:
        out = []
        base = self._base(doc)
        taken = [range(*f.content) for f in already]
        for t in doc:
            if not unit[0] <= t.idx < unit[1] or t.pos_ not in ("VERB", "AUX"):
                continue
            if any(a <= t.idx < b for a, b in quotes):
                continue
            lemma = t.lemma_.lower()
            stance = lemma in _STANCE_LEMMAS or (
                lemma == "raise" and any(c.dep_ == "dobj" and c.lemma_ in _POSSIBILITY for c in t.children)
            )
            label = self._labelled(t) if lemma in _LABEL_LEMMAS else None
            request = self._requested(t) if lemma in _DIRECTIVE_LEMMAS else None
            if request is None and lemma in _JUDGING_LEMMAS:
                request = self._judged(t)
            if lemma not in _CUE_LEMMAS and not stance and not label and not request:
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
                    words = self._words(named_as, skip_as=True)
                    statement = f"{self._words(obj)} {verb} {words}"
                else:
                    # "called on Obama to retaliate" -> "Schiff called on Obama to retaliate"
                    end = max(x.idx + len(x.text) for x in content_tokens if x.dep_ != "cc")
                    statement = "\x00" + doc.text[t.idx : end]
            elif stance:
                content_tokens = [
                    x
                    for x in t.subtree
                    if not self._dropped(x, t)
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
            speaker = (
                self.a.speaker_from_tokens(doc, base, subj_span, index) if not stance or subj.pos_ != "PRON" else None
            )
            if speaker is None:
                continue
            inner = [q for q in quotes if start <= q[0] and q[1] <= end + 3]
            quote = "; ".join(clean_text(doc.text[a:b]) for a, b in inner) or None
            via = _tell_via(t) or self._via_children(t)
            append = ""
            if stance and t.dep_ == "relcl":
                head = t.head
                left = [x for x in head.lefts if x.dep_ in ("det", "amod", "compound", "nummod", "poss")]
                phrase = doc[min([x.i for x in left] + [head.i]) : head.i + 1].text
                append = phrase[0].lower() + phrase[1:] if left and left[0].lower_ in ("the", "a", "an") else phrase
            # A borrowed subject ("Putin …, saying that …") stays with the outlet's sentence.
            left = subj.left_edge.idx if subj.head.i == t.i else t.idx
            foot = (min(start, left, t.idx), max(end, t.idx + len(t.text)))
            if statement is not None and statement.startswith("\x00"):
                statement = f"{speaker.name} {statement[1:]}"
            out.append(
                Finding(
                    (start, end), speaker, via, quote, "stance" if stance else "indirect", foot, None, append, statement
                )
            )
            taken.append(range(start, end))
        return out

    def _noun_cued(self, doc, unit, quotes, index, already: list[Finding]) -> list[Finding]:
        """A reporting noun with its owner: "Donald Trump’s claim that there have been …"."""
        out: list[Finding] = []
        base = self._base(doc)
        for t in doc:
            if not unit[0] <= t.idx < unit[1] or t.pos_ != "NOUN" or t.lemma_.lower() not in _NOUN_CUES:
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
            speaker = self.a.speaker_from_tokens(doc, base, name, index)
            if speaker is None:
                continue
            inner = [q for q in quotes if start <= q[0] and q[1] <= end + 3]
            quote = "; ".join(clean_text(doc.text[a:b]) for a, b in inner) or None
            out.append(Finding((start, end), speaker, None, quote, "indirect", (name.start_char, end)))
        return out

    @staticmethod
    def _labelled(t: "Token") -> list["Token"] | None:
        """The object and what it is called: "called Friday's decision a “huge win”"."""
        obj = next((c for c in t.children if c.dep_ == "dobj"), None)
        if obj is None or any(c.dep_ in ("prep", "prt") and c.lower_ in ("on", "for", "off") for c in t.children):
            return None
        comp = next((c for c in t.children if c.dep_ == "oprd"), None) or next(
            (
                c
                for c in t.children
                if c.dep_ == "prep" and c.lower_ == "as" and any(g.dep_ == "pobj" for g in c.children)
            ),
            None,
        )
        return [obj, comp] if comp is not None else None

    @staticmethod
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

    @staticmethod
    def _judged(t: "Token") -> list["Token"] | None:
        """Whom the speaker judges and for what: "blasted Oversight for failing to make clear …"."""
        who = next((c for c in t.children if c.dep_ == "dobj"), None)
        why = next((c for c in t.children if c.dep_ == "prep" and c.lower_ == "for"), None)
        if who is None or why is None or not any(g.dep_ in ("pobj", "pcomp") for g in why.children):
            return None
        return [who, why]

    @staticmethod
    def _words(t: "Token", skip_as: bool = False) -> str:
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

    @staticmethod
    def _dropped(x: "Token", cue: "Token") -> bool:
        # A contrastive clause ("…, while Pyongyang failed twice") is the outlet's, not the speaker's.
        for anc in [x, *x.ancestors]:
            if anc.i == cue.i:
                return False
            if anc.dep_ == "advcl" and any(
                c.lower_ in ("while", "whereas", "although", "though") for c in anc.children
            ):
                return True
            if anc.dep_ == "prep" and anc.lower_ == "according":
                return True
        return False

    @staticmethod
    def _via_children(t: "Token") -> str | None:
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

    # "according to X", "in the opinion of X"
    def _according(self, doc, unit, index, already: list[Finding]) -> list[Finding]:
        out = []
        base = self._base(doc)
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
            speaker = self.a.speaker_from_tokens(doc, base, tokens, index)
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


def doc_text(token: "Token") -> str:
    return token.doc[token.left_edge.i : token.right_edge.i + 1].text
