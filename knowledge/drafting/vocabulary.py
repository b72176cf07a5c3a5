"""The words the drafting rules look for: reporting verbs and nouns, pronouns, quotation marks.

Plain data and one lookup (``cue_form``), shared by every rule of the room: reading the
article (``reading``), finding quotations (``quotes``) and reported speech
(``reported_speech``), resolving speakers (``speakers``) and flagging statements
(``statements``).
"""

from __future__ import annotations

import re

# Reporting verbs, by lemma: the cue of a quotation or of indirect speech.
CUE_LEMMAS = """
say tell add underline temper warn argue note explain insist stress state claim write declare
announce confirm deny estimate believe think suggest observe remark recall acknowledge admit
assert comment conclude emphasize emphasise indicate maintain predict reply respond caution urge
tweet post testify point report continue complain allege agree counter reiterate contend
answer quip joke exclaim shout concede boast vow promise recount yell scream chant plead
wonder rule find fear worry hope
""".split()
_IRREGULAR = {"said": "say", "told": "tell", "wrote": "write", "thought": "think", "written": "write"}
# Verbs whose object is itself the claim ("Washington accused Pyongyang of …").
STANCE_LEMMAS = {"accuse", "suspect"}
# Nouns that make "raise" a stance: "raised the possibility of …".
POSSIBILITY = {"possibility", "prospect", "idea", "question"}
# Verbs that name what something is ("called it “disqualifying”", "described Clinton as …").
LABEL_LEMMAS = {"call", "describe", "label", "dub", "brand"}
# Nouns that carry someone's words when a "that" clause follows: "Trump’s claim that …".
NOUN_CUES = set(
    """claim assertion statement argument warning promise pledge accusation allegation suggestion
    insistence contention belief prediction charge assurance vow""".split()
)
# Verbs that ask someone to act ("called on Obama to retaliate", "urged voters to …").
DIRECTIVE_LEMMAS = {"call", "urge", "press", "implore", "encourage"}
# Verbs that judge someone for something ("blasted Oversight for failing to …").
JUDGING_LEMMAS = {
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
# Dashes, as in a dateline ("WASHINGTON -- …") or a signed quotation ("“…” ― Name").
DASHES = ("--", "—", "–", "―")
# "according to X", "in the opinion of X": X is the source of the sentence around it.
ACCORDING = re.compile(r"\b(?:according to|in the (?:[a-z]+ )?(?:opinion|view|words) of)\s+", re.IGNORECASE)
# Pronouns: who a statement is about, or who speaks, is then in an earlier sentence.
PERSONAL = {"he", "she", "they", "him", "her", "them", "his", "hers", "their", "theirs"}
FIRST_PERSON = {"i", "we", "me", "us", "my", "our", "ours", "mine"}
DEICTIC = {"this", "these", "those", "it", "its"}
# What a statement does not start with: a dateline's outlet, a conjunction, a relative word.
LEADING = re.compile(
    r"^(?:\((?:[A-Z][\w .'-]*)\)\s+|(?:but|and|so|yet|however|in fact|indeed|meanwhile|where|which|while)\b,?\s*)+",
    re.IGNORECASE,
)
# Quotation marks; two apostrophes (PAIRED) are one, as some wires and archives type them.
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
    for lemma in CUE_LEMMAS:
        if (
            w in (lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed", lemma + "ing")
            or (lemma.endswith("e") and w in (lemma[:-1] + "ing",))
            or (lemma.endswith("y") and w in (lemma[:-1] + "ies", lemma[:-1] + "ied"))
        ):
            return lemma
    return None
