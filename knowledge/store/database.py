"""The claims store: one SQLite database, written through sqlite-utils, with an FTS5 index.

Text is stemmed in Python (knowledge.store.text) before FTS5 sees it, so the index and the
questions share one notion of a word and FTS5 query syntax never reaches SQLite from a
user: a query is built only from our own ``[a-z0-9.]`` terms, each quoted.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlite_utils

from knowledge.store.language import answer_kinds, personal, speakers
from knowledge.store.schema import Claim, Source, SourcedClaim
from knowledge.store.text import STOPWORDS, analyse, is_number, lowercase_words, proper_nouns, terms

# Hits in a claim's own statement, quote and attribution weigh more than in its phrasings,
# and both more than in keywords and tags.
COLUMN_WEIGHTS = (2.0, 1.0, 0.5)
TOKENIZE = "unicode61 tokenchars '.'"
CACHE_KIB = 64 * 1024
# Rows and claims kept for the hits of recent answers: all of them in a store of up to
# 10k claims, where a smaller cache, emptied when full, would miss on most rows; beyond
# that the cap bounds memory (figures in benchmarks/RESULTS.md).
CLAIMS_KEPT = 10_000


# What Store._claim reads of a row: every schema field, then where the claim came from.
_CLAIM_FIELDS = (*Claim.model_fields, "source_id", "file", "line")
# The claims table: a claim's fields as above (lists as JSON text), then what indexing
# works out once for the matcher.
CLAIM_COLUMNS: dict[str, type] = {
    **{name: str for name in _CLAIM_FIELDS},
    "line": int,
    "match_texts": str,
    "vocabulary": str,
    "numbers_matter": int,
    "answers": str,
    "speakers": str,
}
_CLAIM_COLUMNS = ", ".join(_CLAIM_FIELDS)


@dataclass(frozen=True)
class Row:
    """What the matcher needs of one candidate claim."""

    id: str
    texts_json: str
    vocabulary: frozenset[str]
    numbers_matter: bool
    answers: frozenset[str]
    speakers: frozenset[str] = frozenset()
    attributed_to: str = ""

    @cached_property
    def texts(self) -> tuple[str, ...]:
        """The statement, then each phrasing, as the fuzzy scorer compares them."""
        # Parsed only for the few hits that get scored in full.
        return tuple(json.loads(self.texts_json))

    @cached_property
    def term_sets(self) -> tuple[frozenset[str], ...]:
        """The content terms (stopwords left out) of each of ``texts``."""
        return tuple(frozenset(w for w in text.split() if w not in STOPWORDS) for text in self.texts)

    @cached_property
    def personal(self) -> bool:
        """Whether any of ``texts`` is about the one asking or the one asked (see ``personal``)."""
        return any(personal(text) for text in self.texts)


def _formal_text(claim: Claim) -> str:
    return " . ".join(filter(None, [claim.statement, claim.quote, claim.attributed_to, claim.via]))


@dataclass
class Indexed:
    """One claim made ready for the store: its row, its FTS5 columns, and what it adds to
    the store-wide vocabulary. Picklable, so that worker processes can make them."""

    row: dict[str, Any]
    source: Source
    columns: tuple[str, str, str]
    terms: set[str]
    capitalised: set[str]
    lowercase: set[str]
    # Who says it, as stems: named in ``attributed_to``, and otherwise (``via``, or named
    # before a verb of saying in the statement).
    attributed: frozenset[str] = frozenset()
    relayed: frozenset[str] = frozenset()


def index_claim(claim: SourcedClaim) -> Indexed:
    """Everything the store derives from one claim's text."""
    formal = _formal_text(claim)
    statement_terms = terms(formal)
    statement_only, statement_text = analyse(claim.statement)
    analysed = [analyse(q) for q in claim.questions]
    question_terms = [content for content, _ in analysed]
    keyword_terms = [t for k in claim.keywords for t in terms(k)]
    tag_terms = [t for tag in claim.tags for t in terms(tag)]
    # Tags say what a claim is about, not what it says: they help retrieval but never
    # count as the claim covering a name or number in the question.
    vocabulary = set(statement_terms).union(*question_terms, keyword_terms)
    said_by = speakers(
        " ".join(filter(None, [claim.attributed_to, claim.via])), " ".join(filter(None, [claim.statement, claim.quote]))
    )
    attributed = frozenset(terms(claim.attributed_to))
    row = {
        "id": claim.id,
        "source_id": claim.source.id,
        "statement": claim.statement,
        "attributed_to": claim.attributed_to,
        "via": claim.via,
        "quote": claim.quote,
        "said_on": claim.said_on,
        "questions": json.dumps(claim.questions, ensure_ascii=False),
        "keywords": json.dumps(claim.keywords, ensure_ascii=False),
        "tags": json.dumps(claim.tags, ensure_ascii=False),
        "file": claim.file,
        "line": claim.line,
        "match_texts": json.dumps([statement_text, *(text for _, text in analysed)]),
        "vocabulary": " ".join(sorted(vocabulary)),
        "numbers_matter": any(is_number(t) for t in statement_only),
        "answers": " ".join(sorted(answer_kinds(formal, claim.questions, claim.statement))),
        "speakers": " ".join(sorted(said_by)),
    }
    columns = (
        " ".join(statement_terms),
        " ".join(t for ts in question_terms for t in ts),
        " ".join(keyword_terms + tag_terms),
    )
    return Indexed(
        row,
        claim.source,
        columns,
        vocabulary.union(tag_terms),
        proper_nouns(formal),
        lowercase_words(formal),
        attributed,
        frozenset(said_by - attributed),
    )


class Store:
    """A built, read-only claims store. Make one with ``Store.build(claims)``."""

    def __init__(self, db: sqlite_utils.Database, path: Path):
        self.db = db
        self.path = path
        self.df: dict[str, int] = {}
        self.proper: frozenset[str] = frozenset()
        self.lowercase_stems: frozenset[str] = frozenset()  # stems the store writes in lower case
        self.sources: dict[str, Source] = {}
        self.size = 0
        # Claims as objects and as the matcher's rows, for the hits of recent answers: the
        # store never changes, and building them was a third of an answer's time.
        self._made: dict[str, SourcedClaim] = {}
        self._rows: dict[int, Row] = {}

    @classmethod
    def build(cls, claims: Iterable[SourcedClaim | Indexed], path: Path | str | None = None) -> "Store":
        """Index ``claims`` into a new SQLite file at ``path`` (default: a temporary file).

        ``claims`` may come already indexed (``index_claim``), e.g. from worker processes.

        A file rather than ``:memory:`` keeps a large store in the operating system's page
        cache instead of the process's memory. The store is derived data, rebuilt from the
        knowledge files whenever they change, so it is written without a journal. A
        temporary file is unlinked as soon as it is open: it needs no name once SQLite has
        it, and it vanishes with the process however that ends, closed or not.
        If ``claims`` raises (a knowledge error found after the last claim), the half-built
        file is removed and the error propagates.
        """
        temporary = path is None
        if path is None:
            handle, name = tempfile.mkstemp(prefix="groundbot-store-", suffix=".db")
            os.close(handle)
            path = name
        path = Path(path)
        path.unlink(missing_ok=True)
        # Built in one thread (a reload runs off the event loop), read in another; the
        # store is read-only once built, so sharing the connection is safe.
        db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        db.execute("PRAGMA journal_mode = OFF")  # opens the file, and no journal will need its name
        if temporary:
            path.unlink()
        store = cls(db, path)
        try:
            store._fill(claims)
        except BaseException:
            store.close(remove=True)
            raise
        return store

    def _fill(self, claims: Iterable[SourcedClaim | Indexed]) -> None:
        db = self.db
        db.execute("PRAGMA synchronous = OFF")
        db["claims"].create(CLAIM_COLUMNS, pk="id")
        # Contentless: the index keeps only what BM25 needs; the claims table has the text.
        db.execute(
            "CREATE VIRTUAL TABLE claims_fts USING fts5("
            f"statement, questions, extra, content='', tokenize=\"{TOKENIZE}\")"
        )
        # Each claim's speakers by stem, so that "what did X say?" finds every claim of X's.
        db["claim_speakers"].create({"stem": str, "claim": int, "attributed": int})
        df: Counter[str] = Counter()
        capitalised: set[str] = set()
        lowercase: set[str] = set()
        sources: dict[str, Source] = {}

        def insert(batch: list[Indexed], first: int) -> None:
            # Rows get rowids 1, 2, 3… in insertion order; the index uses the same.
            db["claims"].insert_all((item.row for item in batch), batch_size=len(batch))
            db.conn.executemany(
                "INSERT INTO claims_fts(rowid, statement, questions, extra) VALUES (?, ?, ?, ?)",
                [(first + i, *item.columns) for i, item in enumerate(batch)],
            )
            db.conn.executemany(
                "INSERT INTO claim_speakers(stem, claim, attributed) VALUES (?, ?, ?)",
                [
                    (stem, first + i, attributed)
                    for i, item in enumerate(batch)
                    for attributed, stems in ((1, item.attributed), (0, item.relayed))
                    for stem in stems
                ],
            )

        with db.conn:
            batch: list[Indexed] = []
            done = 0
            for claim in claims:
                item = claim if isinstance(claim, Indexed) else index_claim(claim)
                sources.setdefault(item.source.id, item.source)
                df.update(item.terms)
                capitalised |= item.capitalised
                lowercase |= item.lowercase
                batch.append(item)
                if len(batch) == 2000:
                    insert(batch, done + 1)
                    done += len(batch)
                    batch = []
            if batch:
                insert(batch, done + 1)
            db["sources"].insert_all((s.model_dump(mode="json") for s in sources.values()), pk="id")
        db.execute("INSERT INTO claims_fts(claims_fts) VALUES ('optimize')")
        db.execute("CREATE INDEX claim_speakers_stem ON claim_speakers(stem)")
        # Questions read posting lists and rows all over the file: a 64 MB page cache keeps
        # the hot ones in the process instead of re-reading them from the OS for every answer.
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # A capitalised word is a name only if the store never writes it in lower case:
        # "Russia" is, "Defense" (in "Defense 24") is not when "defense" occurs elsewhere.
        lower_stems = {t for w in lowercase for t in terms(w)}
        self.df = dict(df)
        self.proper = frozenset(t for t in capitalised if t in df and t not in lower_stems)
        self.lowercase_stems = frozenset(lower_stems)
        self.sources = sources
        self.size = db.execute("SELECT count(*) FROM claims").fetchone()[0]

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term over claims (unknown terms get the highest)."""
        return math.log((self.size + 1) / (self.df.get(term, 0) + 0.5))

    def search(
        self, query_terms: Sequence[str], limit: int, within: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """Claims (rowid, BM25 relevance > 0) that share any of ``query_terms``, best first;
        only those among the rowids ``within`` when it is given."""
        if not query_terms:
            return []
        match = " OR ".join(f'"{t}"' for t in query_terms)
        weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
        among = f"AND rowid IN ({','.join('?' * len(within))}) " if within is not None else ""
        sql = (
            f"SELECT rowid, -bm25(claims_fts, {weights}) AS relevance FROM claims_fts "
            f"WHERE claims_fts MATCH ? {among}ORDER BY relevance DESC LIMIT ?"
        )
        params = [match, *(within or ()), limit]
        return [(rowid, relevance) for rowid, relevance in self.db.execute(sql, params)]

    def said_by(self, stems: Sequence[str], limit: int) -> list[int]:
        """Rowids of the claims whose speakers (stems) include every one of ``stems``: those
        attributed to such a speaker if there are any, else those relaying one (``via``, or
        named speaking in the statement); at most ``limit``, in store order."""
        wanted = sorted(set(stems))
        if not wanted:
            return []
        sql = (
            "SELECT claim, min(attributed) FROM claim_speakers "
            f"WHERE stem IN ({','.join('?' * len(wanted))}) GROUP BY claim HAVING count(DISTINCT stem) = ? "
            "ORDER BY claim"
        )
        found = self.db.execute(sql, [*wanted, len(wanted)]).fetchall()
        attributed = [claim for claim, only_attributed in found if only_attributed]
        return (attributed or [claim for claim, _ in found])[:limit]

    def rows(self, rowids: Sequence[int]) -> dict[int, Row]:
        """The matcher's view of the claims with these rowids."""
        if len(self._rows) > CLAIMS_KEPT:
            self._rows.clear()
        missing = [r for r in rowids if r not in self._rows]
        if missing:
            sql = (
                "SELECT rowid, id, match_texts, vocabulary, numbers_matter, answers, speakers, attributed_to FROM claims "
                f"WHERE rowid IN ({','.join('?' * len(missing))})"
            )
            for rowid, claim_id, texts, vocab, numbers, answers, said_by, who in self.db.execute(sql, missing):
                self._rows[rowid] = Row(
                    claim_id,
                    texts,
                    frozenset(vocab.split()),
                    bool(numbers),
                    frozenset(answers.split()),
                    frozenset(said_by.split()),
                    who,
                )
        return {r: self._rows[r] for r in rowids if r in self._rows}

    def claim(self, claim_id: str) -> SourcedClaim | None:
        """One claim by id, with its source; None when the store has no such claim."""
        found = self.claims([claim_id])
        return found[0] if found else None

    def claims(self, ids: Iterable[str] | None = None) -> list[SourcedClaim]:
        """Claims by id in the order given (unknown ids left out), or every claim when ``ids`` is None."""
        if ids is None:
            return [self._claim(r) for r in self.db.execute(f"SELECT {_CLAIM_COLUMNS} FROM claims ORDER BY rowid")]
        wanted = list(ids)
        if len(self._made) > CLAIMS_KEPT:
            self._made.clear()
        missing = [i for i in wanted if i not in self._made]
        if missing:
            sql = f"SELECT {_CLAIM_COLUMNS} FROM claims WHERE id IN ({','.join('?' * len(missing))})"
            for row in self.db.execute(sql, missing):
                claim = self._claim(row)
                self._made[claim.id] = claim
        return [self._made[i] for i in wanted if i in self._made]

    def tags(self) -> dict[str, int]:
        """How many claims carry each tag, most used first."""
        counts: Counter[str] = Counter()
        for (tags,) in self.db.execute("SELECT tags FROM claims"):
            counts.update(json.loads(tags))
        return dict(counts.most_common())

    def close(self, remove: bool = False) -> None:
        """Close the database (a temporary store's file is already gone); ``remove`` deletes
        a named one too, as a failed build does."""
        self.db.close()
        if remove:
            self.path.unlink(missing_ok=True)

    def _claim(self, row: Sequence[Any]) -> SourcedClaim:
        """A claim from its row's ``_CLAIM_FIELDS``, without validating again what indexing did."""
        fields = dict(zip(_CLAIM_FIELDS, row))
        for key in ("questions", "keywords", "tags"):
            fields[key] = json.loads(fields[key])
        source = self.sources[fields.pop("source_id")]
        return SourcedClaim.model_construct(**fields, source=source)
