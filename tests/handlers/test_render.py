"""Rendering: every user or file string escaped, every message within Telegram's limits."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers import render
from knowledge import Answer, Candidate, Source, SourcedClaim

ALLOWED_TAGS = {"b", "i", "a", "code"}


class TagChecker(HTMLParser):
    """Collects tags, failing on anything Telegram's HTML parse mode would reject."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        assert tag in ALLOWED_TAGS, tag
        assert tag != "a" or [name for name, _ in attrs] == ["href"]
        self.open.append(tag)
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag


def well_formed(html: str) -> list[str]:
    checker = TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.open == []
    # Only the four entities Telegram knows may appear.
    for part in html.split("&")[1:]:
        assert part.split(";", 1)[0] in ("amp", "lt", "gt", "quot", "#x27"), part[:10]
    return checker.tags


# No control characters: the schema refuses them in knowledge files (tests/reliability/test_one_writer.py).
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=3000).filter(
    lambda s: s.strip()
)
markup = st.sampled_from(["<script>alert(1)</script>", "&amp;", "a & b", "<b>", "</i>", '"', "&lt;", "😀" * 5])


def tainted(base: str, extra: str) -> str:
    return (extra + base + extra).strip() or "x"


def a_claim(
    statement: str,
    who: str,
    via: str | None = None,
    quote: str | None = None,
    title: str | None = None,
    url: str | None = None,
) -> SourcedClaim:
    source = Source(id="src", title=title, outlet="Outlet & <Co>", url=url, published=dt.date(2024, 5, 1))
    return SourcedClaim(
        id="a-claim", statement=statement, attributed_to=who, via=via, quote=quote, questions=["q?"], source=source
    )


@settings(max_examples=60, deadline=None)
@given(statement=text, who=text, via=st.none() | text, quote=st.none() | text, title=st.none() | text, extra=markup)
def test_a_card_of_any_claim_is_well_formed_html_under_4096(statement, who, via, quote, title, extra):
    claim = a_claim(
        tainted(statement, extra),
        tainted(who, extra),
        via and tainted(via, extra),
        quote and tainted(quote, extra),
        title and tainted(title, extra),
        url="https://example.org/a?b=1&c=<2>",
    )
    html = render.card(claim)
    assert render.units(html) <= render.LIMIT
    assert well_formed(html)[0] == "b"


def test_a_card_shows_statement_attribution_via_quote_and_source_escaped():
    claim = a_claim(
        "Profits rose 5% & costs <fell>.",
        "Smith & Sons <Ltd>",
        via="A <b>reporter</b>",
        quote="We did <i>well</i>",
        title='The "Report"',
        url="https://example.org/r?a=1&b=2",
    )
    assert render.card(claim).splitlines() == [
        "<b>Profits rose 5% &amp; costs &lt;fell&gt;.</b>",
        "— according to Smith &amp; Sons &lt;Ltd&gt;, via A &lt;b&gt;reporter&lt;/b&gt;",
        "<i>“We did &lt;i&gt;well&lt;/i&gt;”</i>",
        "Source: “The &quot;Report&quot;”, Outlet &amp; &lt;Co&gt;, 2024-05-01",
        '<a href="https://example.org/r?a=1&amp;b=2">https://example.org/r?a=1&amp;b=2</a>',
    ]


def test_a_very_long_statement_is_shortened_not_cut_mid_entity():
    claim = a_claim("&" * 5000, "<" * 500, quote=">" * 3000)
    html = render.card(claim)
    assert render.units(html) <= render.LIMIT
    well_formed(html)
    assert "…" in html


def test_a_link_too_long_to_keep_is_dropped_rather_than_shortened():
    claim = a_claim("Short.", "Someone", url="https://example.org/" + "a" * 5000)
    html = render.card(claim)
    assert "href" not in html
    assert render.units(html) <= render.LIMIT


@settings(max_examples=30, deadline=None)
@given(statements=st.lists(text, min_size=2, max_size=3), extra=markup)
def test_did_you_mean_is_well_formed_and_fits(statements, extra):
    claims = [a_claim(tainted(s, extra), tainted(s[:50], extra)) for s in statements]
    answer = Answer("q", "ambiguous", 60.0, None, tuple(Candidate(c, 60.0) for c in claims))
    html = render.did_you_mean(answer)
    assert html.startswith("I'm not sure which claim you mean. Did you mean…")
    assert render.units(html) <= render.LIMIT
    well_formed(html)
    for n, claim in enumerate(claims, 1):
        assert len(render.option_label(n, claim)) <= render.BUTTON_LABEL + 4


def test_plain_text_for_the_terminal_still_renders_answers():
    claim = a_claim("Statement.", "Someone", via="Relay")
    answer = Answer("q", "answered", 90.0, claim, (Candidate(claim, 90.0),))
    assert render.plain(answer).splitlines()[:2] == ["Statement.", "— according to Someone, via Relay"]
    assert render.plain(Answer("q", "refused", 0.0, None, ())) == render.REFUSAL


@settings(max_examples=30, deadline=None)
@given(statements=st.lists(text, min_size=2, max_size=4), extra=markup)
def test_a_card_with_further_claims_is_well_formed_and_fits(statements, extra):
    lead, *also = [a_claim(tainted(s, extra), tainted("Who & <co>", extra), via="via <b>x</b>") for s in statements]
    html = render.card(lead, also)
    assert render.units(html) <= render.LIMIT
    assert well_formed(html)[0] == "b"
    assert html.count("<i>Also:</i>") == 1
    assert html.count("— according to") == len(statements)
