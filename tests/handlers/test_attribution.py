"""Cards read as English: "according to the United States", "speaking to AFP", "Said in June 2024."."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from handlers import attribution as wording
from handlers import render
from knowledge import KnowledgeBase, Source, SourcedClaim
from knowledge.store.loader import BUNDLED

CURATED = Path(__file__).parent / "data" / "attributions.yaml"
# After "via ": a preposition or a lower-case participle means the wording went wrong.
BAD_VIA = re.compile(rf"\bvia (?:{'|'.join(sorted(wording.PREPOSITIONS))}|[a-z]\w+(?:ing|ed))\b", re.I)


def every_claim(path: Path) -> list[SourcedClaim]:
    kb = KnowledgeBase.load(path)
    try:
        return kb.claims()
    finally:
        kb.close()


def renderings(claim: SourcedClaim) -> list[str]:
    """Every place a claim's attribution is shown: the HTML card, the plain card, inline, a "Did you mean…"."""
    return [render.card(claim), render.plain_card(claim), render.inline_description(claim)]


@pytest.mark.parametrize("path", [BUNDLED, CURATED], ids=["bundled", "curated"])
def test_no_card_of_a_knowledge_file_reads_according_to_the_or_via_a_preposition(path):
    claims = every_claim(path)
    assert len(claims) >= 10
    for claim in claims:
        for text in renderings(claim):
            assert "according to The " not in text, (claim.id, text)
            assert "via in " not in text and "via speaking" not in text, (claim.id, text)
            assert not BAD_VIA.search(text), (claim.id, text)
            assert "via via" not in text, (claim.id, text)


def test_the_curated_file_reads_as_a_person_would_write_each_attribution():
    lines = {c.id: render.plain_card(c).splitlines()[1] for c in every_claim(CURATED)}
    assert lines["us-expects-arms-sales-agreement"] == "— according to the United States"
    assert lines["washington-accused-pyongyang-over-wagner"] == (
        "— according to the United States government, as recalled by AFP"
    )
    assert lines["russia-production-short-of-needs"] == (
        "— according to Yohann Michel, analyst at the International Institute for Strategic Studies (IISS), "
        "speaking to AFP"
    )
    assert lines["kyiv-daily-shell-consumption"] == (
        "— according to Kyiv, via Yohann Michel, analyst at the IISS, speaking to AFP"
    )
    assert lines["moscow-needs-imports-study"] == (
        "— according to the German Council on Foreign Relations, in a study published Friday"
    )
    assert lines["szopa-artillery-backbone"].endswith("Defense 24, quoted by AFP")
    assert lines["experts-no-decisive-edge"] == "— according to experts cited by AFP"
    assert lines["bondaz-staging-rapprochement"].endswith("(FRS), writing on the social network X, formerly Twitter")
    assert lines["bondaz-seoul-pressure"].endswith("(FRS), in the French daily Le Monde")
    assert lines["pyongyang-soviet-stocks"] == "— according to AFP"


@pytest.mark.parametrize(
    ("name", "outlet", "reads"),
    [
        ("The United States", "AFP", "the United States"),
        ("The finance ministry", "AFP", "the finance ministry"),
        ("The White House", "AFP", "the White House"),
        ("The Kyiv Independent", "AFP", "The Kyiv Independent"),
        ("The New York Times, citing two officials", "AFP", "The New York Times, citing two officials"),
        ("The Korea Herald", "Yonhap", "The Korea Herald"),
        # Not in the title words, but it is the source's outlet, so it is a title.
        ("The Insight Bulletin Network", "The Insight Bulletin Network", "The Insight Bulletin Network"),
        ("Theodore Roosevelt", "AFP", "Theodore Roosevelt"),
        ("Kyiv", "AFP", "Kyiv"),
        ("A spokesperson for the Kremlin", "AFP", "a spokesperson for the Kremlin"),
        ("Analysts cited by AFP", "AFP", "analysts cited by AFP"),
        ("Pentagon officials", "AFP", "Pentagon officials"),
        ("AFP", "AFP", "AFP"),
    ],
)
def test_who_lowers_a_leading_article_unless_the_name_is_a_title(name, outlet, reads):
    assert wording.who(name, (outlet,)) == reads


@pytest.mark.parametrize(
    ("via", "reads"),
    [
        ("Yohann Michel, analyst at the IISS", "via Yohann Michel, analyst at the IISS"),
        ("a ministry spokesperson, speaking to Reuters", "via a ministry spokesperson, speaking to Reuters"),
        ("speaking to AFP", "speaking to AFP"),
        ("in the French daily Le Monde", "in the French daily Le Monde"),
        ("In the French daily Le Monde", "in the French daily Le Monde"),
        ("On the social network X", "on the social network X"),
        ("quoted by Reuters", "quoted by Reuters"),
        ("citing a South Korean military intelligence report", "citing a South Korean military intelligence report"),
        ("Sterling Partners", "via Sterling Partners"),  # a capitalised -ing word is a name
        ("dpa", "via dpa"),
        ("via Yonhap", "via Yonhap"),
    ],
)
def test_relay_puts_via_only_before_a_person_or_a_medium(via, reads):
    assert wording.relay(via) == reads


def a_claim(said_on: str | None, published: dt.date | None = dt.date(2024, 8, 27)) -> SourcedClaim:
    source = Source(id="ki", title="North Korean shells", outlet="The Kyiv Independent", published=published)
    return SourcedClaim(
        id="shin-june",
        statement="Pyongyang sent Russia millions of shells.",
        attributed_to="Shin Won-sik, South Korea's defence minister",
        said_on=said_on,
        questions=["How many shells did North Korea send?"],
        source=source,
    )


def test_a_card_says_when_a_claim_was_said_to_the_month_or_the_day():
    assert render.card(a_claim("2024-06")).splitlines()[2] == "Said in June 2024."
    assert render.plain_card(a_claim("2024-06-12")).splitlines()[2] == "Said on 12 June 2024."


def test_without_said_on_the_card_is_as_of_the_source_date_alone():
    html = render.card(a_claim(None))
    assert "Said" not in html
    assert html.splitlines()[2] == "Source: “North Korean shells”, The Kyiv Independent, 2024-08-27"
    assert "Said" not in render.plain_card(a_claim(None, published=None))


GUIDE = (Path(__file__).resolve().parents[2] / "knowledge" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "via", "outlet"),
    [
        ("South Korean military intelligence", "Yonhap", "The Kyiv Independent"),
        ("Experts cited by AFP", None, "AFP"),
        ("The United States", None, "AFP"),
    ],
)
def test_the_guide_quotes_the_card_wording_the_code_gives(name, via, outlet):
    assert f'"{wording.attribution(name, via, (outlet,))}"' in GUIDE
