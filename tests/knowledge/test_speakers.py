"""Questions about whose words: "What did X say?" gets X's claims, and only X's.

The knowledge below is written for the class ("what did / does / has <speaker> <verb of
saying or reporting>?"), with speakers named by full name, surname, title and body.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase

BUDGET = """
source:
  id: budget-2031
  title: "Budget talks stall over pensions"
  outlet: Harbour Times
claims:
  - id: ruiz-pensions-frozen
    statement: Pensions will be frozen for two years.
    attributed_to: Ana Ruiz, finance minister of Lusitania
    questions: [Will pensions be frozen?]
  - id: ruiz-deficit-target
    statement: The deficit will fall below three percent of output by 2033.
    attributed_to: Ana Ruiz, finance minister of Lusitania
    questions: [When will the deficit fall below three percent?]
  - id: ruiz-no-new-taxes
    statement: The government will not raise income tax.
    attributed_to: Ana Ruiz, finance minister of Lusitania
    questions: [Will income tax go up?]
  - id: ruiz-tax-cut-later
    statement: Income tax will be cut once the deficit target is met.
    attributed_to: Ana Ruiz, finance minister of Lusitania
    questions: [Will income tax be cut?]
  - id: ode-growth-weak
    statement: Growth will stay weak until the harbour reopens.
    attributed_to: Ben Ode, analyst at the Meridian Institute
    via: speaking to the Harbour Times
    questions: [Will growth pick up?]
  - id: fund-debt-warning
    statement: Public debt is on an unsustainable path.
    attributed_to: The Monetary Fund
    via: in a report published in May
    questions: [Is Lusitania's debt sustainable?]
  - id: vance-rates-hold
    statement: Interest rates will stay where they are this year.
    attributed_to: Cora Vance, analyst at Northgate Bank
    questions: [Will interest rates change this year?]
"""


@pytest.fixture(scope="module")
def budget(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    directory: Path = tmp_path_factory.mktemp("budget")
    (directory / "budget.yaml").write_text(BUDGET, encoding="utf-8")
    return KnowledgeBase.load(directory)


RUIZ = {"ruiz-pensions-frozen", "ruiz-deficit-target", "ruiz-no-new-taxes", "ruiz-tax-cut-later"}


@pytest.mark.parametrize(
    "question",
    [
        "What did Ana Ruiz say?",
        "What did Ruiz say?",
        "what has the finance minister announced?",
        "What does the finance minister of Lusitania think?",
    ],
)
def test_what_a_speaker_said_is_every_claim_of_theirs(budget: KnowledgeBase, question: str) -> None:
    answer = budget.answer(question)
    assert answer.status == "answered"
    assert answer.claim is not None
    assert {answer.claim.id, *(c.id for c in answer.also)} == RUIZ


def test_a_speaker_with_one_claim_is_answered_with_it_alone(budget: KnowledgeBase) -> None:
    answer = budget.answer("What did Ben Ode tell the Harbour Times?")
    assert answer.status == "answered"
    assert answer.claim is not None and answer.claim.id == "ode-growth-weak"
    assert answer.also == ()


def test_a_body_named_with_its_report_is_a_speaker(budget: KnowledgeBase) -> None:
    answer = budget.answer("What did the Monetary Fund find?")
    assert answer.claim is not None and answer.claim.id == "fund-debt-warning"


def test_words_that_fit_several_people_ask_which_one(budget: KnowledgeBase) -> None:
    answer = budget.answer("What did the analyst say?")
    assert answer.status == "ambiguous"
    assert {c.claim.id for c in answer.options[:2]} == {"ode-growth-weak", "vance-rates-hold"}


def test_a_speaker_the_store_never_quotes_is_refused(budget: KnowledgeBase) -> None:
    answer = budget.answer("What did the prime minister say?")
    assert (answer.status, answer.reason) == ("refused", "the best claim is not what prime minist said")


def test_what_a_speaker_said_about_a_topic_is_one_claim_and_never_someone_elses(budget: KnowledgeBase) -> None:
    answer = budget.answer("What did Ruiz say about pensions?")
    assert answer.status == "answered"
    assert answer.claim is not None and answer.claim.id == "ruiz-pensions-frozen"
    assert answer.also == ()
    # Another speaker's claim on the topic is not Ruiz's word, however well it matches.
    rates = budget.answer("What did Ruiz say about interest rates this year?")
    assert rates.claim is None or rates.claim.id in RUIZ


def test_also_is_in_the_json_form_as_claims(budget: KnowledgeBase) -> None:
    data = budget.answer("What did Ruiz say?").to_dict()
    assert len(data["also"]) == 3
    assert all(set(c) >= {"id", "statement", "attributed_to", "via", "quote", "source"} for c in data["also"])
    assert budget.answer("Will pensions be frozen?").to_dict()["also"] == []


def test_several_claims_of_one_speaker_on_the_topic_all_answer(budget: KnowledgeBase) -> None:
    answer = budget.answer("What did Ruiz say about income tax?")
    assert answer.status == "answered"
    assert answer.claim is not None
    assert {answer.claim.id, *(c.id for c in answer.also)} == {"ruiz-no-new-taxes", "ruiz-tax-cut-later"}
