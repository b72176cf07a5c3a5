"""Synthetic knowledge stores and questions for the latency, load and memory benchmarks.

    .venv/bin/python benchmarks/synthetic.py --claims 10000 [--seed 1] [--questions 3000]

writes (or finds, cached) ``benchmarks/out/synthetic/seed1-n10000-v1/``: ``knowledge/``, YAML
split into files of 1000 claims (one source each), and ``questions.yaml`` in the
``groundbot eval`` format, so ``groundbot eval DIR/questions.yaml --knowledge DIR/knowledge``
works (``questions.json`` holds the same list for the benchmarks).

The text is made to look like a real store to the matcher, not to a person:

- a vocabulary of 30,000 pseudo-words built from English-like syllables (so the Snowball
  stemmer and the typo repair see word-like strings), drawn Zipf-Mandelbrot-distributed
  (s = 1.05, q = 50; shorter words more frequent), mixed with real English function words;
- a pool of capitalised proper names (people, places, outlets), also Zipf-distributed,
  and numbers (years, counts with thousands separators, decimals);
- statements of 10-25 words; five phrasings per claim of 5-12 words, each a question
  taking 2-5 content words (names and numbers preferred) from its statement, sometimes a
  word the statement does not have;
- questions: 80% in-store (a stored phrasing, or a fresh paraphrase of the statement, with
  one perturbation: a dropped word, two words swapped, a word replaced by another word of the
  statement, or a typo), 20% out-of-store (phrasings of claims generated the same way but
  not stored: they share the store's frequent words and often its names).

Everything is deterministic in the seed; the first N claims of a bigger store are the
N-claim store. Generation is cached on disk keyed by seed, size and generator version.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT  # noqa: E402

VERSION = 2  # bump when the generated text changes, so caches are rebuilt
CLAIMS_PER_FILE = 1000
VOCABULARY = 30_000
NAMES = 4_000
ZIPF_S = 1.05
# Zipf-Mandelbrot offsets: the function words are drawn separately, so the most frequent
# content word is ~0.4% of content words (as "said" or "year" in news text), not 10%.
ZIPF_Q_WORDS = 50
ZIPF_Q_NAMES = 20

FUNCTION = (
    "the of and to in a is that for on was with as by at from has have are were be it its "
    "this which not but or an their been after over more than about between into against during "
    "since under would could will new also per all some most"
).split()
QUESTION_HEADS = [
    "what", "how", "how many", "how much", "does", "did", "is", "was", "who", "when", "why",
    "where", "which", "has", "are", "can", "could", "according to",
]
ONSETS = ("b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr sh ch th sp sk bl cl gl sl "
          "sm sn sw tw qu str").split() + [""] * 4
NUCLEI = "a e i o u a e i o u a e ai ea ou io oo ee ie au".split()
CODAS = "n r s t l m nd st ng ck rt x ll nt sk rd ft mp".split() + [""] * 10
SUFFIXES = ["", "", "", "", "", "ing", "ed", "s", "s", "tion", "ly", "er", "ment", "ness", "al", "ity", "ive"]


@dataclass
class SynClaim:
    id: str
    statement: str
    attributed_to: str
    questions: list[str]
    via: str | None = None
    quote: str | None = None
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)  # the statement's content words, names, numbers


class Language:
    """Vocabulary, names and their Zipf samplers, all from one seed."""

    def __init__(self, seed: int):
        rng = random.Random(f"language-{seed}")
        self.words = self._lexicon(rng, VOCABULARY, lambda r: r.randint(1, 3), lowercase=True)
        self.names = self._lexicon(rng, NAMES, lambda r: r.randint(2, 3), lowercase=False, avoid=set(self.words))
        self.tags = rng.sample(self.words[200:3000], 150)
        self._cw = self._zipf(len(self.words), ZIPF_Q_WORDS)
        self._cn = self._zipf(len(self.names), ZIPF_Q_NAMES)

    @staticmethod
    def _lexicon(rng: random.Random, n: int, syllables, lowercase: bool, avoid: set[str] = frozenset()) -> list[str]:
        seen: set[str] = set(avoid) | set(FUNCTION)
        out: list[str] = []
        while len(out) < n:
            word = "".join(rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS) for _ in range(syllables(rng)))
            if lowercase:
                word += rng.choice(SUFFIXES)
            if len(word) < 3 or word in seen:
                continue
            seen.add(word)
            out.append(word if lowercase else word.capitalize())
        # Shorter words are the more frequent ones, as in real text (with some noise).
        keyed = sorted(out, key=lambda w: len(w) + rng.random() * 4)
        return keyed

    @staticmethod
    def _zipf(n: int, q: int) -> list[float]:
        return list(itertools.accumulate(1.0 / ((r + q) ** ZIPF_S) for r in range(1, n + 1)))

    def word(self, rng: random.Random) -> str:
        return self.words[bisect.bisect(self._cw, rng.random() * self._cw[-1])]

    def name(self, rng: random.Random) -> str:
        return self.names[bisect.bisect(self._cn, rng.random() * self._cn[-1])]

    @staticmethod
    def number(rng: random.Random) -> str:
        kind = rng.random()
        if kind < 0.35:
            return str(rng.randint(1950, 2025))
        if kind < 0.65:
            return f"{rng.randint(2, 999) * 1000:,}"
        if kind < 0.85:
            return str(rng.randint(2, 500))
        return f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"


def make_claim(lang: Language, rng: random.Random, claim_id: str) -> SynClaim:
    length = rng.randint(10, 25)
    names = [lang.name(rng) for _ in range(rng.choices([0, 1, 2, 3], [25, 40, 25, 10])[0])]
    numbers = [lang.number(rng) for _ in range(rng.choices([0, 1, 2], [55, 35, 10])[0])]
    tokens: list[str] = []
    content: list[str] = []
    specials = names + numbers
    for _ in range(length):
        if specials and rng.random() < 0.18:
            tok = specials.pop()
            content.append(tok)
        elif rng.random() < 0.38:
            tok = rng.choice(FUNCTION)
        else:
            tok = lang.word(rng)
            content.append(tok)
        tokens.append(tok)
    for tok in specials:  # any left over go at the end ("... in 2023", "... said Xoran")
        tokens += [rng.choice(["in", "by", "of", "at"]), tok]
        content.append(tok)
    statement = " ".join(tokens)
    statement = statement[0].upper() + statement[1:] + "."
    claim = SynClaim(
        id=claim_id,
        statement=statement,
        attributed_to=f"{lang.name(rng)} {lang.name(rng)}",
        questions=[],
        content=content,
    )
    if rng.random() < 0.3:
        claim.via = f"{lang.name(rng)} {lang.name(rng)}, {lang.word(rng)} at {lang.name(rng)}"
    if rng.random() < 0.05:
        claim.quote = " ".join(lang.word(rng) for _ in range(rng.randint(6, 14)))
    if rng.random() < 0.3:
        claim.tags = rng.sample(lang.tags, rng.randint(1, 2))
    if rng.random() < 0.1:
        claim.keywords = [lang.word(rng)]
    claim.questions = [phrasing(lang, rng, claim) for _ in range(5)]
    return claim


def phrasing(lang: Language, rng: random.Random, claim: SynClaim) -> str:
    """A 5-12 word question sharing 2-5 content words (names and numbers first) with the statement."""
    content = list(dict.fromkeys(claim.content)) or [lang.word(rng)]
    special = [w for w in content if w[0].isupper() or w[0].isdigit()]
    plain = [w for w in content if w not in special]
    k = min(len(content), rng.randint(2, 5))
    chosen = rng.sample(special, min(len(special), rng.randint(0, 2)))
    chosen += rng.sample(plain, min(len(plain), max(0, k - len(chosen))))
    rng.shuffle(chosen)
    target = rng.randint(5, 12)
    words = rng.choice(QUESTION_HEADS).split()
    for w in chosen:
        if rng.random() < 0.4:
            words.append(rng.choice(FUNCTION))
        words.append(w)
    while len(words) < target:
        words.insert(rng.randint(1, len(words)), rng.choice(FUNCTION) if rng.random() < 0.6 else lang.word(rng))
    text = " ".join(words[:max(target, len(chosen) + 1)])
    return text[0].upper() + text[1:] + "?"


def perturb(rng: random.Random, text: str, claim: SynClaim) -> str:
    words = text.rstrip("?").split()
    kind = rng.random()
    if kind < 0.25 and len(words) > 3:  # drop a word
        del words[rng.randrange(len(words))]
    elif kind < 0.5 and len(words) > 2:  # swap two neighbours
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif kind < 0.7 and claim.content:  # replace a word with another of the statement
        words[rng.randrange(len(words))] = rng.choice(claim.content)
    else:  # one typo in a longer word
        long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long:
            i = rng.choice(long)
            w = words[i]
            j = rng.randrange(1, len(w) - 1)
            op = rng.randrange(4)
            letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
            words[i] = (
                w[:j] + w[j + 1:] if op == 0
                else w[:j] + letter + w[j:] if op == 1
                else w[:j] + letter + w[j + 1:] if op == 2
                else w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
            )
    return " ".join(words) + "?"


def generate(n: int, seed: int) -> tuple[Language, list[SynClaim]]:
    lang = Language(seed)
    rng = random.Random(f"claims-{seed}")
    return lang, [make_claim(lang, rng, f"c{seed}-{i:06d}") for i in range(n)]


def sample_questions(lang: Language, claims: list[SynClaim], count: int, seed: int,
                     in_store: float = 0.8) -> list[dict]:
    """``count`` questions: {question, expect} with expect a claim id (in-store) or None."""
    rng = random.Random(f"questions-{seed}-{len(claims)}")
    outside = random.Random(f"outside-{seed}")
    out = []
    for k in range(count):
        if rng.random() < in_store:
            claim = rng.choice(claims)
            base = rng.choice(claim.questions) if rng.random() < 0.5 else phrasing(lang, rng, claim)
            out.append({"question": perturb(rng, base, claim), "expect": claim.id})
        else:
            stranger = make_claim(lang, outside, f"outside-{k}")
            out.append({"question": rng.choice(stranger.questions), "expect": None})
    return out


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def write_store(claims: list[SynClaim], seed: int, directory: Path) -> None:
    for f, start in enumerate(range(0, len(claims), CLAIMS_PER_FILE)):
        lines = [
            "source:",
            f"  id: synthetic-{seed}-{f:04d}",
            f"  title: {_q(f'Synthetic source {f} (seed {seed})')}",
            "  outlet: benchmarks/synthetic.py",
            "  language: en",
            "claims:",
        ]
        for c in claims[start:start + CLAIMS_PER_FILE]:
            lines += [f"- id: {c.id}", f"  statement: {_q(c.statement)}", f"  attributed_to: {_q(c.attributed_to)}"]
            if c.via:
                lines.append(f"  via: {_q(c.via)}")
            if c.quote:
                lines.append(f"  quote: {_q(c.quote)}")
            lines.append("  questions:")
            lines += [f"  - {_q(q)}" for q in c.questions]
            if c.keywords:
                lines.append(f"  keywords: [{', '.join(_q(k) for k in c.keywords)}]")
            if c.tags:
                lines.append(f"  tags: [{', '.join(_q(t) for t in c.tags)}]")
        (directory / f"part-{f:04d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def ensure(n: int, seed: int = 1, questions: int = 3000, root: Path | None = None) -> Path:
    """The directory of the N-claim store for ``seed`` with ``questions`` sampled questions (cached)."""
    root = root or OUT / "synthetic"
    directory = root / f"seed{seed}-n{n}-v{VERSION}"
    manifest = directory / "manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        if meta.get("questions", 0) >= questions:
            return directory
    if directory.exists():
        shutil.rmtree(directory)
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    lang, claims = generate(n, seed)
    (tmp / "knowledge").mkdir()
    write_store(claims, seed, tmp / "knowledge")
    qs = sample_questions(lang, claims, questions, seed)
    (tmp / "questions.json").write_text(json.dumps(qs, ensure_ascii=False))
    (tmp / "questions.yaml").write_text(
        "".join(f"- question: {_q(q['question'])}\n  expect: {q['expect'] or 'null'}\n" for q in qs)
    )
    (tmp / "manifest.json").write_text(json.dumps(
        {"claims": n, "seed": seed, "version": VERSION, "questions": questions,
         "files": (n + CLAIMS_PER_FILE - 1) // CLAIMS_PER_FILE}
    ))
    tmp.rename(directory)
    return directory


def knowledge_dir(directory: Path) -> Path:
    return directory / "knowledge"


def load_questions(directory: Path) -> list[dict]:
    return json.loads((directory / "questions.json").read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description="Generate (or find cached) a synthetic knowledge store.")
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--questions", type=int, default=3000)
    ap.add_argument("--show", type=int, default=0, help="print this many sample claims and questions")
    args = ap.parse_args()
    directory = ensure(args.claims, args.seed, args.questions)
    print(directory)
    if args.show:
        lang, claims = generate(min(args.claims, args.show), args.seed)
        for c in claims:
            print(json.dumps(c.__dict__, ensure_ascii=False, indent=1))
        for q in load_questions(directory)[: args.show * 3]:
            print(q)


if __name__ == "__main__":
    main()
