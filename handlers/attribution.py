"""Who said it, and when, in plain English: the attribution line and the date line of a card.

Knowledge files hold the names as moderators write them ("The United States", "speaking to
AFP"); this module turns them into a sentence that reads right ("according to the United
States, speaking to AFP"). It works on raw text: the callers escape what it returns.
"""

from __future__ import annotations

import datetime as dt

# Words that end the name of a newspaper, magazine or agency whose "The" belongs to its title
# ("The Kyiv Independent", "The New York Times"). Any other leading "The" is the article of an
# ordinary noun phrase ("The United States", "The finance ministry") and reads in lower case
# after "according to". A title missing here keeps reading correctly if it is also the
# source's outlet, which is checked separately.
TITLE_WORDS = frozenset(
    """times post independent guardian economist telegraph journal herald tribune observer
    atlantic insider hill gazette chronicle mirror sun spectator diplomat intercept monitor
    review standard express daily weekly globe star bulletin register examiner inquirer
    courier reporter record""".split()
)

# A `via` starting with one of these, or with a participle ("speaking to AFP", "quoted by
# Reuters"), already says how the claim travelled: "via" before it would read "via speaking".
PREPOSITIONS = frozenset(
    """about according after as at before by during for from in inside into on over per through
    to under via with within citing""".split()
)

MONTHS = "January February March April May June July August September October November December".split()


def _is_title(name: str, outlets: tuple[str, ...]) -> bool:
    """Whether ``name`` (starting with "The") is the title of a publication, whose "The" stays capital."""
    head = name.split(",", 1)[0].strip()
    if any(head.casefold() == outlet.casefold() for outlet in outlets):
        return True
    last = head.split()[-1].strip("().").casefold() if head.split() else ""
    return last in TITLE_WORDS


# Leading words of a description rather than a name ("Experts cited by AFP", "A ministry
# spokesperson"): after "according to" they read in lower case. A name's first word is not
# lowered, since only a dictionary could tell "Pentagon officials" from "Officials at…".
GENERIC = frozenset(
    """a an analysts diplomats experts observers officials researchers residents several some sources
    witnesses""".split()
)


def who(name: str, outlets: tuple[str, ...] = ()) -> str:
    """``name`` as it reads after "according to": a leading "The" in lower case unless the name is a title.

    A leading generic word ("Experts cited by AFP", "A spokesperson") is lowered too.
    ``outlets`` are names known to be publications (the claim's source outlet), kept as written.
    """
    first, _, rest = name.partition(" ")
    if not rest:
        return name
    if first == "The":
        return name if _is_title(name, outlets) else f"the {rest}"
    if first.casefold() in GENERIC and first == first.capitalize():
        return f"{first.lower()} {rest}"
    return name


def _starts_with_link_word(via: str) -> bool:
    """Whether ``via`` begins with a preposition or a participle, so needs no "via" before it."""
    words = via.split()
    if not words:
        return False
    folded = words[0].casefold().strip(",")
    if folded in PREPOSITIONS:
        return True
    if len(folded) <= 4 or not folded.endswith(("ing", "ed")):
        return False
    # Names are capitalised: a lower-case word ending like a participle is one ("speaking",
    # "quoted"), and so is a capitalised one followed by a preposition ("Speaking to AFP");
    # "Sterling Partners" is a name.
    return words[0][:1].islower() or (len(words) > 1 and words[1].casefold() in PREPOSITIONS)


def relay(via: str) -> str:
    """The ``via`` part after the attribution, with its lead-in: "via Yohann Michel…" or "speaking to AFP"."""
    via = via.strip()
    if not _starts_with_link_word(via):
        return f"via {via}"
    # "In the French daily…" or "Speaking to AFP", written capitalised, reads mid-sentence in lower case.
    return via[:1].lower() + via[1:]


def attribution(name: str, via: str | None, outlets: tuple[str, ...] = ()) -> str:
    """ "according to X" and, when there is a ``via``, ", via Y" or ", speaking to Y"."""
    text = f"according to {who(name, outlets)}"
    return f"{text}, {relay(via)}" if via else text


def said(said_on: str | None) -> str | None:
    """ "Said in June 2024." or "Said on 12 June 2024." from a ``said_on`` value, or None without one."""
    if not said_on:
        return None
    parts = said_on.split("-")
    year, month = int(parts[0]), int(parts[1])
    if len(parts) == 3:
        day = dt.date(year, month, int(parts[2]))
        return f"Said on {day.day} {MONTHS[month - 1]} {year}."
    return f"Said in {MONTHS[month - 1]} {year}."
