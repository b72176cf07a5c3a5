"""The matcher answers only when one claim clearly fits, and refuses near misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.store.language import personal

ENERGY = """\
source:
  id: energy-briefing
  title: Energy briefing
  outlet: Reuters
claims:
  - id: gas-storage
    statement: Gas storage is 85% full ahead of winter.
    attributed_to: The energy minister
    questions:
      - How full is gas storage?
      - What percentage of gas storage is filled?
  - id: power-prices
    statement: Household electricity prices will fall by 10% in July.
    attributed_to: The energy minister
    questions:
      - Will electricity prices go down?
      - By how much will household electricity prices drop?
"""


@pytest.fixture(scope="module")
def bundled() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture
def energy_kb(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "energy.yaml").write_text(ENERGY, encoding="utf-8")
    return KnowledgeBase.load(tmp_path)


def test_a_paraphrase_is_answered_with_the_claim_and_its_source(bundled: KnowledgeBase) -> None:
    answer = bundled.answer("how many shells does the russian army use up every day")
    assert answer.status == "answered"
    assert answer.claim is not None and answer.claim.id == "russia-daily-shell-use"
    assert answer.claim.attributed_to == "Kyiv"
    assert answer.claim.source.outlet == "AFP"
    assert answer.candidates[0].claim == answer.claim


def test_a_typo_in_a_long_word_is_repaired(bundled: KnowledgeBase) -> None:
    answer = bundled.answer("how many artilery shells does russia fire per day")
    assert answer.claim is not None and answer.claim.id == "russia-daily-shell-use"


def test_swapping_the_country_is_refused(bundled: KnowledgeBase) -> None:
    answer = bundled.answer("How many shells does Ukraine fire per day?")
    assert answer.status == "refused"
    assert answer.claim is None
    assert "ukrain" in answer.reason


def test_a_lowercase_country_swap_is_refused_too(bundled: KnowledgeBase) -> None:
    assert bundled.answer("how many shells does ukraine fire per day").status == "refused"


def test_a_number_the_claim_does_not_give_is_refused(bundled: KnowledgeBase) -> None:
    assert bundled.answer("Does Russia fire 100,000 shells a day?").status == "refused"
    assert bundled.answer("Does Russia fire 40,000 shells a day?").status == "answered"


def test_an_ordinal_is_a_number(bundled: KnowledgeBase) -> None:
    assert bundled.answer("Is South Korea NATO's second arms supplier?").status == "refused"
    assert bundled.answer("Is South Korea NATO's 3rd arms supplier?").status == "answered"


def test_a_when_question_needs_a_claim_that_gives_a_time(bundled: KnowledgeBase) -> None:
    answer = bundled.answer("When will the Russia North Korea arms deal be signed?")
    assert answer.status == "refused"
    assert answer.reason == "the best claim gives no time"


def test_a_word_swapped_into_a_phrasing_is_a_near_miss(energy_kb: KnowledgeBase) -> None:
    answer = energy_kb.answer("Will petrol prices go down?")
    assert answer.status == "refused"
    assert answer.reason == "the question says petrol where the claim says electr"
    assert energy_kb.answer("Will electricity prices go down?").status == "answered"


def test_an_off_topic_question_is_refused_with_candidates_for_moderators(bundled: KnowledgeBase) -> None:
    answer = bundled.answer("What is the best recipe for shell pasta?")
    assert answer.status == "refused"
    assert answer.claim is None
    assert len(answer.candidates) >= 1


def test_two_claims_asked_the_same_way_are_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "budget.yaml").write_text(
        ENERGY.replace("id: power-prices", "id: gas-storage-low")
        .replace("Household electricity prices will fall by 10% in July.", "Gas storage is 60% full.")
        .replace("Will electricity prices go down?", "How full is gas storage?"),
        encoding="utf-8",
    )
    answer = KnowledgeBase.load(tmp_path).answer("How full is gas storage?")
    assert answer.status == "ambiguous"
    assert {c.claim.id for c in answer.options} == {"gas-storage", "gas-storage-low"}
    assert answer.claim is None


def test_candidates_are_at_most_five_best_first(bundled: KnowledgeBase) -> None:
    answer = bundled.answer("North Korea artillery Russia shells satellites Putin Kim")
    scores = [c.score for c in answer.candidates]
    assert 1 <= len(scores) <= 5
    assert scores == sorted(scores, reverse=True)


def test_search_returns_candidates_whatever_the_decision(bundled: KnowledgeBase) -> None:
    found = bundled.search("How many shells does Ukraine fire per day?", limit=3)
    assert [c.claim.id for c in found][:1] == ["russia-daily-shell-use"]
    assert len(found) == 3


def test_the_json_form_has_every_documented_field(bundled: KnowledgeBase) -> None:
    data = bundled.answer("How many shells does Russia fire per day?").to_dict()
    assert set(data) >= {"question", "status", "score", "claim", "candidates"}
    assert set(data["claim"]) >= {"id", "statement", "attributed_to", "via", "quote", "source"}
    assert set(data["claim"]["source"]) >= {"id", "title", "outlet", "url", "published"}
    assert all(set(c) >= {"id", "score", "statement"} for c in data["candidates"])
    assert 0 <= data["score"] <= 100


def test_a_store_can_be_built_in_a_sqlite_file(tmp_path: Path) -> None:
    kb = KnowledgeBase.load(database=tmp_path / "store.db")
    assert (tmp_path / "store.db").stat().st_size > 0
    assert kb.answer("How many shells does Russia fire per day?").status == "answered"
    kb.close()


def test_a_claim_read_back_from_the_store_is_the_claim_the_loader_validated(energy_kb: KnowledgeBase) -> None:
    from knowledge.store.loader import read_claims

    validated = list(read_claims(energy_kb.path))
    assert energy_kb.claims() == validated
    assert [c.model_dump() for c in energy_kb.claims()] == [c.model_dump() for c in validated]
    assert energy_kb.claim("gas-storage").model_fields_set == validated[0].model_fields_set | {"file", "line"}


def test_changes_since_lists_added_removed_and_edited_claims(energy_kb: KnowledgeBase, tmp_path: Path) -> None:
    edited = tmp_path / "new"
    edited.mkdir()
    (edited / "energy.yaml").write_text(
        ENERGY.replace("85% full", "90% full").replace("id: power-prices", "id: power-bills"), encoding="utf-8"
    )
    changes = KnowledgeBase.load(edited).changes_since(energy_kb)
    assert changes.added == ("power-bills",)
    assert changes.removed == ("power-prices",)
    assert changes.edited == ("gas-storage",)


def test_answers_stay_right_when_the_stores_caches_overflow(monkeypatch: pytest.MonkeyPatch) -> None:
    import knowledge.store.database

    monkeypatch.setattr(knowledge.store.database, "CLAIMS_KEPT", 2)
    kb = KnowledgeBase.load()
    for _ in range(3):
        assert kb.answer("How many shells does Russia fire per day?").claim.id == "russia-daily-shell-use"
        assert kb.answer("Did Putin offer to help build satellites?").candidates


def test_a_replaced_knowledge_base_is_freed_without_the_cyclic_gc() -> None:
    import weakref

    kb = KnowledgeBase.load()
    kb.answer("How many artilery shells does Russia fire per day?")  # fills the caches
    matcher = weakref.ref(kb.matcher)
    kb.close()
    del kb
    assert matcher() is None


def test_a_temporary_store_leaves_no_file_behind_even_unclosed() -> None:
    kb = KnowledgeBase.load()
    assert not kb.store.path.exists()
    assert kb.answer("How many shells does Russia fire per day?").status == "answered"


SUMMIT = """\
source:
  id: summit-report
  title: Summit report
  outlet: AFP
claims:
  - id: putin-received-kim
    statement: Russian President Vladimir Putin received his North Korean counterpart Kim Jong-un with great fanfare on Tuesday.
    attributed_to: Yohann Michel, analyst at the International Institute for Strategic Studies
    questions:
      - Did Putin and Kim meet?
  - id: isolated-north-korea
    statement: North Korea, very isolated because of its nuclear and ballistic programs, could benefit greatly from this.
    attributed_to: AFP
    questions:
      - Could North Korea, very isolated because of its nuclear and ballistic programs, benefit greatly from this?
"""


@pytest.fixture
def summit_kb(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "summit.yaml").write_text(SUMMIT, encoding="utf-8")
    return KnowledgeBase.load(tmp_path)


def test_a_where_question_about_named_people_is_refused_by_a_claim_that_gives_no_place(
    summit_kb: KnowledgeBase,
) -> None:
    answer = summit_kb.answer("Where did Putin and Kim meet?")
    assert answer.status == "refused"
    assert answer.reason == "the best claim gives no place"
    assert answer.candidates[0].claim.id == "putin-received-kim"  # it did fit, but says no place
    assert summit_kb.answer("Did Putin and Kim meet?").status == "answered"


def test_the_speakers_workplace_in_the_attribution_is_not_where_the_claim_happened(summit_kb: KnowledgeBase) -> None:
    # "analyst at the International Institute" names a place, but in who says it, not in what is said
    assert summit_kb.answer("Where did Putin and Kim meet?").claim is None


def test_a_where_question_is_answered_by_a_claim_that_gives_a_place(tmp_path: Path) -> None:
    (tmp_path / "summit.yaml").write_text(
        SUMMIT.replace("on Tuesday.", "on Tuesday at the Vostochny cosmodrome in Russia's Far East."), encoding="utf-8"
    )
    answer = KnowledgeBase.load(tmp_path).answer("Where did Putin and Kim meet?")
    assert answer.status == "answered"
    assert answer.claim is not None and answer.claim.id == "putin-received-kim"


def test_a_where_question_naming_no_one_is_left_to_the_scoring(summit_kb: KnowledgeBase) -> None:
    assert summit_kb.matcher.analyse("Where were you made?").asked is None
    assert summit_kb.matcher.analyse("Where did Putin and Kim meet?").asked == "place"


def test_a_yes_no_question_pinned_to_a_time_is_refused_by_a_claim_that_gives_none(summit_kb: KnowledgeBase) -> None:
    answer = summit_kb.answer("Has North Korea tested a nuclear bomb this year?")
    assert answer.status == "refused"
    assert answer.reason == "the best claim says nothing of this year"
    assert answer.candidates[0].claim.id == "isolated-north-korea"


def test_a_time_pinned_question_is_answered_by_a_claim_that_gives_that_time(bundled: KnowledgeBase) -> None:
    answer = bundled.answer("Does Russia plan to produce 2.5 million artillery shells this year?")
    assert answer.status == "answered"
    assert answer.claim is not None and answer.claim.id == "russia-shell-production-plan"


def test_only_a_yes_no_question_pins_a_time(summit_kb: KnowledgeBase) -> None:
    # in "what's my tax this year?" the time says which one is asked for, not what must be true
    assert summit_kb.matcher.analyse("Has North Korea tested a bomb this year?").pinned == "this year"
    assert summit_kb.matcher.analyse("What is my federal tax this year?").pinned is None


ARTILLERY = """\
source:
  id: artillery-report
  title: Artillery report
  outlet: AFP
claims:
  - id: russian-shell-use
    statement: The Russian army consumes between 40,000 and 60,000 artillery shells per day.
    attributed_to: Kyiv
    questions:
      - How many artillery shells does the Russian army use per day?
  - id: north-korean-artillery
    statement: The North Koreans have numerous artillery elements.
    attributed_to: Maciej Szopa, military analyst for the Polish media Defense 24
    questions:
      - Do the North Koreans have numerous artillery elements?
"""


@pytest.fixture
def artillery_kb(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "artillery.yaml").write_text(ARTILLERY, encoding="utf-8")
    return KnowledgeBase.load(tmp_path)


def test_a_place_in_the_question_is_covered_by_its_peoples_name_in_the_claim(artillery_kb: KnowledgeBase) -> None:
    answer = artillery_kb.answer("How many artillery shells does Russia fire per day?")
    assert answer.status == "answered"
    assert answer.claim is not None and answer.claim.id == "russian-shell-use"
    assert artillery_kb.answer("How many shells does Ukraine fire per day?").status == "refused"


def test_a_how_many_question_per_day_is_refused_by_a_claim_that_counts_per_nothing(
    artillery_kb: KnowledgeBase, tmp_path: Path
) -> None:
    north_korean_only = (
        ARTILLERY[: ARTILLERY.index("  - id: russian-shell-use")]
        + ARTILLERY[ARTILLERY.index("  - id: north-korean-artillery") :]
    )
    (tmp_path / "nk").mkdir()
    (tmp_path / "nk" / "artillery.yaml").write_text(north_korean_only, encoding="utf-8")
    answer = KnowledgeBase.load(tmp_path / "nk").answer("How many artillery shells does North Korea fire per day?")
    assert answer.status == "refused"
    assert answer.reason == "the best claim gives no figure per day"
    assert artillery_kb.answer("How many artillery shells does Russia fire each day?").status == "answered"


def test_a_sum_asked_for_per_year_is_not_a_rate_the_claim_must_give(artillery_kb: KnowledgeBase) -> None:
    assert artillery_kb.matcher.analyse("How much am I taxed each year?").rate == ()
    assert artillery_kb.matcher.analyse("How many shells a day does Russia fire?").rate == ("day", "daili")


@pytest.mark.parametrize("question", ["what's the time", "are you good", "what may i call you"])
def test_small_talk_sharing_a_word_with_a_long_phrasing_is_refused(bundled: KnowledgeBase, question: str) -> None:
    answer = bundled.answer(question)
    assert (answer.status, answer.reason) == ("refused", "nothing like the question")


@pytest.mark.parametrize(
    "question",
    [
        "how many days off have i used",
        "thanks for your help",
        "what are your interests",
        "what was my income last year",
    ],
)
def test_a_question_about_the_asker_or_the_bot_is_refused_by_claims_about_the_world(
    bundled: KnowledgeBase, question: str
) -> None:
    answer = bundled.answer(question)
    assert (answer.status, answer.reason) == ("refused", "the question is about you or me, and the best claim is not")


HOLIDAYS = """\
source:
  id: staff-handbook
  title: Staff handbook
  outlet: People team
claims:
  - id: days-off
    statement: Staff get 25 days off a year, plus public holidays.
    attributed_to: The people team
    questions:
      - How many days off do staff get a year?
"""


def test_a_question_about_the_asker_is_answered_by_a_claim_it_shares_nearly_everything_with(tmp_path: Path) -> None:
    (tmp_path / "handbook.yaml").write_text(HOLIDAYS, encoding="utf-8")
    kb = KnowledgeBase.load(tmp_path)
    answer = kb.answer("how many days off do i get a year")
    assert answer.status == "answered" and answer.claim is not None and answer.claim.id == "days-off"
    assert kb.answer("how many days off have i used").status == "refused"


@pytest.mark.parametrize(
    ("question", "about_someone"),
    [
        ("how many days off have I used?", True),
        ("What's my tire pressure", True),
        ("thanks, you've helped me", True),
        ("Can you tell me how many shells Russia fires a day?", False),
        ("Do you know whether Kim met Putin?", False),
        ("I'd like to know how many shells Russia fires", False),
        ("What do you think of the drones?", False),
        ("How many shells does Russia fire?", False),
    ],
)
def test_a_way_of_asking_is_not_a_question_about_the_asker_or_the_bot(question: str, about_someone: bool) -> None:
    assert personal(question) is about_someone


def test_a_question_naming_no_one_that_reads_like_a_phrasing_is_still_answered(energy_kb: KnowledgeBase) -> None:
    answer = energy_kb.answer("how full is the gas storage")
    assert answer.status == "answered" and answer.claim is not None and answer.claim.id == "gas-storage"


def test_a_question_whose_only_known_word_is_in_most_claims_is_not_looked_up(tmp_path: Path) -> None:
    lines = ["source:", "  id: depots", "  outlet: Test Wire", "claims:"]
    for i in range(600):  # "new" is in every claim: ten times the common cut of 50 and more
        lines += [
            f"  - id: depot-{i}",
            f"    statement: New depot {i} stores {i * 7} crates of spare parts.",
            f"    attributed_to: Officer {i % 9}",
            "    questions:",
            f"      - How many crates does the new depot {i} store?",
        ]
    (tmp_path / "depots.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kb = KnowledgeBase.load(tmp_path)
    try:
        refused = kb.answer("i need new language")
        assert refused.status == "refused"
        assert refused.reason == "the words it shares with the claims are in too many of them"
        assert kb.answer("i need klingon lessons").reason == "no claim shares a word with the question"
        found = kb.answer("How many crates does the new depot 412 store?")
        assert found.candidates and found.candidates[0].claim.id == "depot-412"
    finally:
        kb.close()
