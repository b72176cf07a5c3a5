"""Warnings about valid claims that are likely to be answered badly, and how ``check`` shows
a problem: its place, the offending line with a caret under the column, and a hint.

Warnings never stop a load; they point at what made real knowledge files answer worse:
too few ways to ask, the same question under two claims, a keyword naming something the
claim does not say, and claim ids one typo apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from rapidfuzz.utils import default_process

from knowledge.store.loader import Loc, Problem
from knowledge.store.schema import SourcedClaim
from knowledge.store.text import STOPWORDS, words

# fuzz.ratio of two questions, on normalised text, at and above which they read as the same
# question: "How many shells a day?" / "How many shells per day?" score 91.
SAME_QUESTION = 90
# Each question is compared with the questions that share one of its rarest words; a block
# larger than this is a word too common to tell questions apart, and is skipped.
BLOCK_LIMIT = 5_000
# A name given as a keyword to this many claims is the store's alias for something they say.
ALIAS_USES = 3
_WORD = re.compile(r"[^\W\d_][^\W_]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DIGIT = re.compile(r"\d")

Positions = dict[str, dict[Loc, tuple[int, int]]]


def lint(claims: list[SourcedClaim], positions: Positions | None = None) -> list[Problem]:
    """Every warning about ``claims`` (valid claims, e.g. ``inspect(path).claims``), sorted.

    ``positions`` (file -> value locations, as ``inspect`` gives them) lets a warning point
    at the question or keyword itself rather than at the claim's id.
    """
    places = _Places(claims, positions or {})
    warnings = [
        *_few_questions(claims, places),
        *_same_questions(claims, places),
        *_foreign_keywords(claims, places),
        *_near_ids(claims, places),
    ]
    return sorted(warnings)


class _Places:
    """Where a claim's values are, from the loader's positions."""

    def __init__(self, claims: list[SourcedClaim], positions: Positions):
        self.positions = positions
        # (file, line of a claim's id) -> (the claim's index in its file, column of its id)
        self._by_line: dict[tuple[str, int], tuple[int, int]] = {}
        for file, table in positions.items():
            for loc, (line, col) in table.items():
                if len(loc) == 3 and loc[0] == "claims" and loc[2] == "id":
                    self._by_line[(file, line)] = (loc[1], col)  # type: ignore[assignment]

    def of(self, claim: SourcedClaim, *rest: str | int) -> tuple[str, int, int]:
        """file, line, col of ``rest`` inside ``claim`` (e.g. "questions", 2), else of its id."""
        found = self._by_line.get((claim.file, claim.line))
        if found is None:
            return claim.file, claim.line, 1
        index, col = found
        table = self.positions[claim.file]
        line, col = table.get(("claims", index, *rest), (claim.line, col))
        return claim.file, line, col


def _few_questions(claims: list[SourcedClaim], places: _Places) -> Iterable[Problem]:
    for claim in claims:
        if len(claim.questions) < 2 and not claim.keywords:
            yield Problem(
                *places.of(claim, "id"),
                f"claim '{claim.id}' has one question and no keywords: people who ask it "
                "another way will often be refused",
                hint="add two or three more questions worded as people would ask, or keywords",
            )


def _rarest(tokens: set[str], rank: dict[str, int], n: int = 2) -> list[str]:
    return sorted(tokens, key=rank.__getitem__)[:n]


def _marks(question: str, processed: str) -> frozenset[str]:
    """The numbers and names of a question: what tells apart questions that otherwise read
    alike ("unit 1" and "unit 2", "Putin" and "Biden"). ``processed`` is the question after
    ``default_process``, whose digit runs are the numbers."""
    names = " ".join(w for w in question.split()[1:] if w[:1].isupper())
    numbers = [t for t in processed.split() if t[0].isdigit()] if _DIGIT.search(processed) else []
    return frozenset([*numbers, *default_process(names).split()])


def _numbers(text: str) -> list[str]:
    """The numbers of ``text`` as the matcher reads them: "13,000" and "13000" alike."""
    found = _NUMBER.findall(text)
    return [w for w in words(" ".join(found)) if w[0].isdigit()] if found else []


def _same_questions(claims: list[SourcedClaim], places: _Places) -> Iterable[Problem]:
    owners: list[tuple[SourcedClaim, int]] = []
    texts: list[str] = []
    marks: list[frozenset[str]] = []
    for claim in claims:
        for j, question in enumerate(claim.questions):
            owners.append((claim, j))
            text = default_process(question)  # in C: the normaliser of knowledge.store.text is 5x slower
            texts.append(text)
            marks.append(_marks(question, text))
    # Two questions that read the same share their rarest words: compare only within the
    # blocks of each question's two rarest words, so a store of 50,000 questions is not
    # 2.5 billion comparisons.
    token_sets = [set(t.split()) - STOPWORDS or set(t.split()) for t in texts]
    frequency: dict[str, int] = defaultdict(int)
    for tokens in token_sets:
        for token in tokens:
            frequency[token] += 1
    # Only questions with the same numbers and names can be the same question.
    blocks: dict[tuple[str, frozenset[str]], list[int]] = defaultdict(list)
    # Rarest first, ties by the word itself, so that blocks fall the same way in every run.
    rank = {t: n for n, t in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
    for i, tokens in enumerate(token_sets):
        for token in _rarest(tokens, rank):
            blocks[(token, marks[i])].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > BLOCK_LIMIT:
            continue
        block = [texts[i] for i in members]
        # process.extract per question rather than process.cdist: cdist needs numpy, which
        # nothing else in groundbot does, and the blocks are small.
        for a, i in enumerate(members):
            for _, _, b in process.extract(block[a], block, scorer=fuzz.ratio, score_cutoff=SAME_QUESTION, limit=None):
                j = members[b]
                if i < j and owners[i][0].id != owners[j][0].id:
                    pairs.add((i, j))
    for i, j in sorted(pairs):
        (first, fi), (second, sj) = owners[i], owners[j]
        other = "the same question" if texts[i] == texts[j] else "nearly the same question"
        where = ":".join(map(str, places.of(first, "questions", fi)))
        yield Problem(
            *places.of(second, "questions", sj),
            f"claim '{second.id}' asks {other} as claim '{first.id}' ({where}): "
            'such a question gets "Did you mean…" for ever',
            hint="keep the question under the claim that answers it best; reword or drop the other",
        )


def _vocabulary(claim: SourcedClaim) -> set[str]:
    text = " ".join(filter(None, [claim.statement, claim.quote, claim.attributed_to, claim.via, *claim.questions]))
    return set(default_process(text).split()) | set(_numbers(text))


def _names(keyword: str) -> list[tuple[str, str]]:
    """(as written, as compared) for each capitalised word and number of a keyword."""
    out = [(w, default_process(w)) for w in _WORD.findall(keyword) if w[0].isupper()]
    return out + list(zip(_NUMBER.findall(keyword), _numbers(keyword)))


def _mentions(term: str, known: set[str]) -> bool:
    # "Korean" mentions Korea and "Russia" Russian: a name's adjective shares its start.
    return term in known or any(
        len(k) >= 4 and (term.startswith(k) or k.startswith(term)) for k in known if k[:3] == term[:3]
    )


def _foreign_keywords(claims: list[SourcedClaim], places: _Places) -> Iterable[Problem]:
    # A capitalised keyword that no claim's own text says, or that the store gives as a
    # keyword to several claims, is taken for an alias of what the claim does say ("DPRK",
    # "Moscow" for North Korea and Russia): what a keyword must not borrow is a number, or
    # a name that some other claim is about ("Najin" on a claim that never says it).
    vocabularies = {claim.id: _vocabulary(claim) for claim in claims}
    said_anywhere = set().union(*vocabularies.values()) if vocabularies else set()
    keyword_use: dict[str, int] = defaultdict(int)
    for claim in claims:
        for term in {t for keyword in claim.keywords for _, t in _names(keyword)}:
            keyword_use[term] += 1
    for claim in claims:
        if not claim.keywords:
            continue
        known = vocabularies[claim.id]
        for k, keyword in enumerate(claim.keywords):
            for written, term in _names(keyword):
                if _mentions(term, known) or (
                    not term[0].isdigit() and (term not in said_anywhere or keyword_use[term] >= ALIAS_USES)
                ):
                    continue
                yield Problem(
                    *places.of(claim, "keywords", k),
                    f"keyword '{keyword}' of claim '{claim.id}' names '{written}', which neither "
                    "the statement nor the questions mention: the claim would then seem to "
                    f"answer questions about {written}",
                    hint="drop the keyword, or say it in the statement if the source says it",
                )


def _numbered(a: str, b: str) -> bool:
    """Whether ids one edit apart differ in a digit: a numbered series ("unit-1", "unit-2",
    "shells-2023", "shells-2024") is deliberate, not a typo."""
    (op,) = Levenshtein.editops(a, b)
    changed = (a[op.src_pos] if op.tag != "insert" else "") + (b[op.dest_pos] if op.tag != "delete" else "")
    return changed.isdigit()


def _near_ids(claims: list[SourcedClaim], places: _Places) -> Iterable[Problem]:
    # Two ids one edit apart share an id with one character deleted (or one is the other
    # with a character deleted): group by those, a few keys per id, instead of all pairs.
    by_key: dict[str, set[str]] = defaultdict(set)
    first: dict[str, SourcedClaim] = {}
    for claim in claims:
        first.setdefault(claim.id, claim)
        by_key[claim.id].add(claim.id)
        for i, char in enumerate(claim.id):
            if char.isdigit():  # see _numbered: a digit apart is no warning
                continue
            by_key[claim.id[:i] + "\0" + claim.id[i + 1 :]].add(claim.id)
            by_key[claim.id[:i] + claim.id[i + 1 :]].add(claim.id)
    pairs: set[tuple[str, str]] = set()
    for ids in by_key.values():
        if len(ids) > 1:
            ordered = sorted(ids)
            for n, a in enumerate(ordered):
                for b in ordered[n + 1 :]:
                    if Levenshtein.distance(a, b, score_cutoff=1) == 1 and not _numbered(a, b):
                        pairs.add((a, b))
    for a, b in sorted(pairs):
        earlier, later = sorted((first[a], first[b]), key=lambda c: (c.file, c.line))
        where = ":".join(map(str, places.of(earlier, "id")))
        yield Problem(
            *places.of(later, "id"),
            f"claim id '{later.id}' differs by one character from '{earlier.id}' ({where}): "
            "easy to mistake in /claim, eval files and reports",
            hint="give one of them an id that differs in a word",
        )


@lru_cache(maxsize=16)
def _read_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    return tuple(Path(path).read_text(encoding="utf-8", errors="replace").splitlines())


def _lines(file: str) -> tuple[str, ...]:
    try:
        path = Path(file).resolve()
        info = path.stat()
        return _read_lines(str(path), info.st_mtime_ns, info.st_size)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: resolve() on a symlink loop (Python < 3.13)
        return ()


def describe(problem: Problem, kind: str = "error") -> str:
    """``problem`` as ``check`` prints it: ``file:line:col: message`` (``warning:`` before a
    warning's message), the offending line, a caret under the column, then the hint."""
    head = (
        str(problem) if kind == "error" else f"{problem.file}:{problem.line}:{problem.col}: {kind}: {problem.message}"
    )
    out = [head]
    lines = _lines(problem.file)
    if 0 < problem.line <= len(lines) and lines[problem.line - 1].strip():
        line = lines[problem.line - 1].expandtabs(1)
        out += [f"    {line}", "    " + " " * (problem.col - 1) + "^"]
    if problem.hint:
        out.append(f"  hint: {problem.hint}")
    return "\n".join(out)
