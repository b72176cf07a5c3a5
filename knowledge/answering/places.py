"""Other names of one country: its name, capital, official names, initials and demonym
("Moscow" and "Russian Federation" for Russia, "Pyongyang", "DPRK" and "North Korean" for
North Korea).

News names a government by its capital, so a question that says "Moscow" must not be refused
against a claim that says "Russia" for want of the word, nor the other way round. The names
come from the data files of the ``countryinfo`` package (MIT, no dependencies), read directly:
its code is never imported.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection

from knowledge.answering.packages import package_dir
from knowledge.store.text import terms

Form = tuple[str, ...]  # one name of a country, as index terms ("north", "korea")

# Alternative spellings come in many scripts and transliterations; only plain English-letter
# names can meet a question or a claim written in English.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z .'-]*")
_INITIALS = re.compile(r"[A-Z]{2,5}")


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.replace("'s", "").split() if w[0].isupper())


def _forms(country: dict[str, object]) -> set[Form]:
    name = str(country.get("name") or "")
    capital = country.get("capital") or []
    listed = country.get("altSpellings")
    spellings = [s for s in listed if isinstance(s, str)] if isinstance(listed, list) else []
    names = [name, *(capital if isinstance(capital, list) else [capital]), *spellings, country.get("demonym") or ""]
    # A country code ("RU", "IRN") is kept only where it is what people write: the
    # initials of one of the country's names ("US", "UK", "DPRK").
    initials = {_initials(n) for n in [name, *spellings] if _PLAIN.fullmatch(n)}
    # The initials of an official name of three words or more are written too ("DPRK",
    # "ROK", "UAE"), even where the data does not list them.
    names += [i for i in initials if len(i) >= 3 and i != name.upper()]
    forms: set[Form] = set()
    for n in map(str, names):
        if not _PLAIN.fullmatch(n) or (_INITIALS.fullmatch(n) and n not in initials):
            continue
        # "Washington D.C." is "Washington" in the news: single letters are dropped.
        form = tuple(t for t in terms(n) if len(t) > 1)
        if form:
            forms.add(form)
    return forms


@functools.cache
def _groups_by_term() -> dict[str, list[frozenset[Form]]]:
    package = package_dir("countryinfo")
    by_term: dict[str, list[frozenset[Form]]] = {}
    if package is None:
        return by_term
    for path in sorted((package / "data").glob("*.json")):
        try:
            country = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        group = frozenset(_forms(country))
        if len(group) < 2:
            continue
        for term in {t for form in group for t in form}:
            by_term.setdefault(term, []).append(group)
    return by_term


def named_otherwise(name: str, question: Collection[str], claim: Collection[str]) -> bool:
    """Whether the claim (its terms ``claim``) names, another way, the country that the
    question (its terms ``question``) names with the term ``name``: "moscow" is covered by a
    claim about "russia", "korea" in "north korea" by one about "pyongyang". A name of
    several words counts only when the question has all of them ("south korea" is not
    "north korea")."""
    for group in _groups_by_term().get(name, ()):
        asked = any(name in form and all(t in question for t in form) for form in group)
        if asked and any(all(t in claim for t in form) for form in group):
            return True
    return False


def is_place(name: str) -> bool:
    """Whether ``name`` (as written: "North Korea", "Moscow") is one of the names of a country."""
    asked = tuple(t for t in terms(name) if len(t) > 1)
    return any(asked in group for group in _groups_by_term().get(asked[0], ())) if asked else False
