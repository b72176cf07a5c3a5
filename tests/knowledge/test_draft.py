"""Drafting claims from an article: who says what, where, and what the reviewer must check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge.drafting import draft as drafting
from knowledge.store.loader import load_claims

# The seed article, read in place from the shared data beside the repository.
SEED = Path(__file__).resolve().parents[3] / "shared" / "sources" / "north-korean-munitions-article.txt"


@pytest.fixture(scope="module")
def nlp():
    return drafting.load_pipeline()


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(nlp, seed_text):
    return drafting.draft_claims(seed_text, "AFP", nlp=nlp)


def by_quote(claims, start: str):
    found = [c for c in claims if c.quote and c.quote.startswith(start)]
    assert found, f"no drafted claim quotes {start!r}"
    return found[0]


def test_a_quote_with_the_verb_after_it_goes_to_the_named_speaker_with_role_and_via(seed):
    claim = by_quote(seed, "it is possible that the increase")
    assert claim.attributed_to == "Yohann Michel, analyst at the International Institute for Strategic Studies (IISS)"
    assert claim.via == "speaking to AFP"
    assert claim.statement.startswith("It is possible that the increase in Russia’s production capacities")


def test_a_quote_of_two_sentences_becomes_two_claims_and_the_pronoun_is_flagged(seed):
    first = by_quote(seed, "The North Koreans have numerous artillery elements")
    second = by_quote(seed, "This is the backbone")
    for claim in (first, second):
        assert claim.attributed_to == "Maciej Szopa, military analyst for the Polish media Defense 24"
        assert claim.via == "speaking to AFP"
    assert "check: pronoun" in second.flags
    assert "check: pronoun" not in first.flags


def test_according_to_inside_a_quote_sentence_is_the_named_source_relayed_by_the_speaker(seed):
    claim = next(c for c in seed if c.attributed_to == "Kyiv")
    assert (
        claim.statement
        == "According to Kyiv, the Russian army consumes between 40,000 and 60,000 artillery shells per day."
    )
    assert (
        claim.via
        == "Yohann Michel, analyst at the International Institute for Strategic Studies (IISS), speaking to AFP"
    )
    assert claim.quote is None


def test_an_organisation_speaking_in_a_study_and_a_speaker_on_a_social_network(seed):
    council = by_quote(seed, "Moscow needs imports")
    assert council.attributed_to == "The German Council on Foreign Relations"
    assert council.via == "in a study published Friday"
    bondaz = by_quote(seed, "Moscow has an interest in staging")
    assert bondaz.attributed_to == "Antoine Bondaz, expert at the Foundation for Strategic Research (FRS)"
    assert bondaz.via.startswith("on the social network X")


def test_he_carries_over_from_the_last_named_speaker_with_his_role(seed):
    claim = by_quote(seed, "It remains to be seen")
    assert claim.attributed_to.startswith("Yohann Michel, analyst at")
    later = by_quote(seed, "supplies arms to Ukraine indirectly")
    assert later.attributed_to.startswith("Antoine Bondaz")
    assert later.via == "in the French daily Le Monde"
    assert later.statement.startswith("Seoul supplies arms to Ukraine indirectly")


def test_the_outlets_own_sentences_are_attributed_to_the_outlet_not_to_the_people_in_them(seed):
    evasive = next(c for c in seed if "remained evasive" in c.statement)
    assert evasive.attributed_to == "AFP" and evasive.via is None and evasive.speaker_span is None
    drones = next(c for c in seed if "explosive drones" in c.statement)
    assert drones.attributed_to == "AFP"


def test_indirect_speech_resolves_the_speakers_own_pronoun(seed):
    claim = next(c for c in seed if c.quote == "prospects")
    assert claim.statement == "Vladimir Putin sees “prospects” of bilateral military cooperation."
    assert claim.attributed_to == "Vladimir Putin, Russian President"
    assert claim.quote == "prospects"


def test_groups_of_unnamed_speakers_are_cited_by_the_outlet(seed):
    analysts = next(c for c in seed if c.statement.startswith("The display with Kim Jong-un"))
    assert analysts.attributed_to == "Analysts cited by AFP"
    experts = next(c for c in seed if "decisive advantage" in c.statement)
    assert experts.attributed_to == "Experts cited by AFP"


def test_spans_and_speaker_spans_are_offsets_into_the_text_as_given_header_included(nlp, seed_text):
    text = "Title: Munitions\nOutlet: AFP\n\n" + seed_text
    claims = drafting.draft_claims(text, "AFP", nlp=nlp)
    claim = by_quote(claims, "The North Koreans have numerous")
    assert text[claim.span[0] : claim.span[1]] == "The North Koreans have numerous artillery elements."
    assert text[claim.speaker_span[0] : claim.speaker_span[1]] == "Maciej Szopa"
    kyiv = next(c for c in claims if c.attributed_to == "Kyiv")
    assert "the Russian army consumes" in text[kyiv.span[0] : kyiv.span[1]]


def test_every_claim_has_two_or_three_questions_and_a_unique_slug_id(seed):
    ids = [c.id for c in seed]
    assert len(ids) == len(set(ids))
    for claim in seed:
        assert 2 <= len(claim.questions) <= 3, claim
        assert all(q.endswith("?") for q in claim.questions)
        assert claim.id.replace("-", "").isalnum() and claim.id == claim.id.lower()


def test_ids_stay_unique_against_the_knowledge_and_repeats_of_it_are_flagged(nlp, seed_text):
    existing = load_claims()
    claims = drafting.draft_claims(seed_text, "AFP", existing=existing, nlp=nlp)
    assert not {c.id for c in claims} & {c.id for c in existing}
    council = by_quote(claims, "Moscow needs imports")
    assert any(f.startswith("check: similar to claim moscow-needs-imports in ") for f in council.flags)
    fresh = drafting.draft_claims(
        "Zorblat, a town in Narnia, elected a new mayor on Friday, officials said.", "AFP", existing=existing, nlp=nlp
    )
    assert not any("similar" in f for c in fresh for f in c.flags)


def test_a_quote_paragraph_with_no_speaker_takes_the_previous_one_flagged_unsure(nlp):
    text = (
        "“We will rebuild the bridge by spring,” said Anna Berg, mayor of Lund.\n\n"
        "“The money is there, and the contractors are ready to start.”\n"
    )
    claims = drafting.draft_claims(text, "TT", nlp=nlp)
    floating = by_quote(claims, "The money is there")
    assert floating.attributed_to == "Anna Berg, mayor of Lund"
    assert "check: speaker unsure" in floating.flags
    assert floating.speaker_span is None


def test_a_quote_before_its_speaker_and_verb_in_the_same_sentence(nlp):
    claims = drafting.draft_claims(
        'Jan Ek, a lawyer for the family, told Reuters: "The ruling will be appealed next week."', "Reuters", nlp=nlp
    )
    claim = by_quote(claims, "The ruling will be appealed")
    assert claim.attributed_to == "Jan Ek, a lawyer for the family"
    assert claim.via == "speaking to Reuters"


def run_cli(*args, input=None, env=None):
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def test_the_yaml_draft_starts_as_a_draft_and_passes_check_as_it_stands(tmp_path, seed_text):
    out = tmp_path / "draft.yaml"
    result = run_cli("draft", str(SEED), "--outlet", "AFP", "--source-id", "nk-draft", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT to review")
    assert "  # source sentence: " in text and "  # check: pronoun" in text
    claims = load_claims(out)
    assert len(claims) >= 25
    assert {c.source.id for c in claims} == {"nk-draft"}
    assert any(c.attributed_to == "Kyiv" for c in claims)
    check = run_cli("check", str(out))
    assert check.exit_code == 0 and check.output.splitlines()[-1].startswith("OK:")  # warnings may come first


def test_the_header_lines_fill_the_source_block_and_a_bad_date_is_left_out_and_noted(tmp_path):
    article = (
        "Title: Bridge to be rebuilt\nOutlet: TT\nDate: 2026-02-30\nURL: https://example.org/a\n\n"
        "The town council of Lund voted on Monday to rebuild the old bridge over the river.\n"
    )
    out = tmp_path / "d.yaml"
    result = run_cli("draft", "-", "-o", str(out), input=article)
    assert result.exit_code == 0, result.output
    claims = load_claims(out)
    source = claims[0].source
    assert (source.title, source.outlet, source.url, source.published) == (
        "Bridge to be rebuilt",
        "TT",
        "https://example.org/a",
        None,
    )
    assert "# check: date '2026-02-30' is not YYYY-MM-DD" in out.read_text(encoding="utf-8")
    assert claims[0].attributed_to == "TT"


def test_json_output_is_one_object_per_claim_with_exactly_the_contract_keys():
    result = run_cli("draft", str(SEED), "--outlet", "AFP", "--json")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) >= 25
    for row in rows:
        assert list(row) == [
            "statement",
            "attributed_to",
            "via",
            "quote",
            "span",
            "speaker_span",
            "sentence",
            "flags",
            "questions",
        ]
        assert len(row["span"]) == 2 and (row["speaker_span"] is None or len(row["speaker_span"]) == 2)


def test_an_empty_article_is_an_error_that_writes_nothing(tmp_path):
    out = tmp_path / "d.yaml"
    result = CliRunner().invoke(cli, ["draft", "-", "-o", str(out)], input="  \n")
    assert result.exit_code == 1 and "the article is empty" in result.output
    assert not out.exists()


def test_without_the_extra_the_command_says_in_one_line_how_to_install_it(tmp_path):
    # spaCy made unimportable in a child process, as on an install without [draft].
    code = (
        "import sys; sys.modules['spacy'] = None; from bot.cli import cli; cli(['draft', '-'], prog_name='groundbot')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input="Some text.",
        capture_output=True,
        text=True,
        env={**os.environ, "GROUNDBOT_KNOWLEDGE": ""},
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["groundbot: " + drafting.INSTALL_HINT]


def test_a_model_whose_files_differ_from_the_reviewed_wheel_is_refused(monkeypatch):
    drafting.load_pipeline.cache_clear()
    monkeypatch.setattr(drafting, "MODEL_FILES_SHA256", "0" * 64)
    try:
        with pytest.raises(drafting.DraftUnavailable, match="differs from the reviewed wheel"):
            drafting.load_pipeline()
    finally:
        monkeypatch.undo()
        drafting.load_pipeline.cache_clear()


def test_the_installed_model_is_the_reviewed_one():
    assert drafting.model_digest(drafting._model_dir()) == drafting.MODEL_FILES_SHA256


def test_an_interview_transcript_turn_belongs_to_the_speaker_named_in_capitals(nlp):
    text = (
        "Governor Mike Pence spoke to Fox News on Sunday.\n\n"
        '"WALLACE: Will she be at the debate tomorrow night?\n\n'
        '"PENCE: She will not be attending the debate tomorrow night. The American people have a choice to make.\n'
    )
    claims = drafting.draft_claims(text, "Breitbart", nlp=nlp)
    turn = by_quote(claims, "She will not be attending")
    assert turn.attributed_to.startswith("Mike Pence")
    assert text[turn.speaker_span[0] : turn.speaker_span[1]] == "PENCE"
    assert by_quote(claims, "The American people have a choice").attributed_to.startswith("Mike Pence")


def test_a_quote_after_x_said_in_the_same_paragraph_is_x_s(nlp):
    text = (
        "The administration may be reluctant to act while talks go on, Schiff said. "
        '"I don\'t think that concern ought to outweigh the fact that the people need to know."'
    )
    claims = drafting.draft_claims(text, "USA Today", nlp=nlp)
    assert by_quote(claims, "I don't think that concern").attributed_to == "Schiff"
    assert "check: speaker unsure" not in by_quote(claims, "I don't think that concern").flags


def test_indirect_speech_that_contains_a_quote_is_the_reporting_speakers_claim(nlp):
    text = (
        "Retired general Michael Flynn said Donald Trump was “absolutely right” when he said on Wednesday "
        "that “the generals have been reduced to rubble.”"
    )
    claims = drafting.draft_claims(text, "Politico", nlp=nlp)
    people = {c.attributed_to for c in claims if c.speaker_span}
    assert people == {"Michael Flynn, Retired general"}
    assert any("the generals have been reduced to rubble" in (c.quote or "") for c in claims)


def test_a_parenthetical_between_speaker_and_verb_does_not_hide_the_speaker(nlp):
    text = (
        "Democratic nominee Hillary Clinton, at a later press gaggle, said, “We have to let this investigation unfold.”"
    )
    claim = by_quote(drafting.draft_claims(text, "Politico", nlp=nlp), "We have to let this investigation")
    assert claim.attributed_to == "Hillary Clinton, Democratic nominee"


def test_he_with_no_speaker_yet_is_the_last_person_named_and_flagged(nlp):
    text = (
        "Former Mexican President Felipe Calderon spoke to CNBC on Saturday about the border.\n\n"
        "“The first loser of such a policy would be the United States,” he continued."
    )
    claim = by_quote(drafting.draft_claims(text, "UPI", nlp=nlp), "The first loser")
    assert claim.attributed_to.startswith("Felipe Calderon")
    assert "check: speaker unsure" in claim.flags


def test_an_outlet_sentence_with_a_while_clause_becomes_two_claims_and_the_speakers_part_stays_theirs(seed):
    putin = next(c for c in seed if c.statement.startswith("On Wednesday, Vladimir Putin raised the possibility"))
    assert putin.attributed_to == "Vladimir Putin, Russian President"
    assert "failed twice" not in putin.statement
    failed = next(
        c for c in seed if c.statement == "Pyongyang recently failed twice to put a military spy satellite into orbit."
    )
    assert failed.attributed_to == "AFP"


def test_an_article_that_is_not_utf8_or_an_unwritable_output_is_a_clear_error(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Le ministre a déclaré que tout allait bien.".encode("latin-1"))
    result = CliRunner().invoke(cli, ["draft", str(bad)])
    assert result.exit_code == 1 and "the article is not UTF-8 text (byte 15)" in result.output
    result = CliRunner().invoke(cli, ["draft", str(SEED), "--outlet", "AFP", "-o", str(tmp_path / "no" / "such.yaml")])
    assert result.exit_code == 1 and "cannot write" in result.output


def test_a_quote_after_but_in_the_speakers_paragraph_is_still_the_speakers(nlp):
    text = (
        "“I don’t think it’s do or die, any endorsement in particular,” Zeldin said outside the building. "
        "But “Donald Trump’s candidacy is strengthened with an endorsement from the most powerful person.”"
    )
    claim = by_quote(drafting.draft_claims(text, "AP", nlp=nlp), "Donald Trump’s candidacy is strengthened")
    assert claim.attributed_to == "Zeldin"


def test_a_second_reporting_verb_borrows_the_subject_of_the_first(nlp):
    text = (
        "Romney went after Trump on Wednesday over his taxes, calling it a problem and asserting "
        "that the only explanation must be “a bombshell of unusual size.”"
    )
    claims = drafting.draft_claims(text, "AP", nlp=nlp)
    claim = next(c for c in claims if c.quote and "bombshell" in c.quote)
    assert claim.attributed_to == "Romney"
    assert claim.statement == "The only explanation must be “a bombshell of unusual size”."


def test_according_to_at_the_end_takes_the_whole_source_and_the_sentence_before_it(nlp):
    text = (
        "Almost two in three Republican-leaning voters now view Trump favorably, compared with 31 percent "
        "who view him unfavorably, according to a national Gallup Poll taken last week."
    )
    claim = next(c for c in drafting.draft_claims(text, "AP", nlp=nlp) if c.attributed_to != "AP")
    assert claim.attributed_to.startswith("A national Gallup Poll")
    assert claim.statement.startswith("According to a national Gallup Poll taken last week, almost two in three")


def test_two_apostrophes_are_a_quotation_mark_and_the_paragraph_is_drafted(nlp):
    text = (
        "Mr. Obama warned that the museum would not be a panacea for the nation's racial struggles.\n\n"
        "''A museum alone will not alleviate poverty in every inner city,'' he said."
    )
    claim = next(c for c in drafting.draft_claims(text, "NYT", nlp=nlp) if c.quote)
    assert claim.quote == "A museum alone will not alleviate poverty in every inner city"
    assert claim.attributed_to == "Obama"


def test_a_quotation_signed_with_a_dash_goes_to_the_name_after_the_dash(nlp):
    text = (
        "“I just hope that this campaign gives the Hispanic community the anger to go out and register "
        "to vote.” ― Jorge Falcon\n"
        "“Maybe, we can build a wall around Donald Trump.” ― Steve Quinlan."
    )
    claims = drafting.draft_claims(text, "HuffPost", nlp=nlp)
    assert by_quote(claims, "I just hope").attributed_to == "Jorge Falcon"
    assert by_quote(claims, "Maybe, we can build").attributed_to == "Steve Quinlan"


def test_a_paragraph_ending_with_he_said_and_a_colon_gives_the_next_paragraph_to_him(nlp):
    text = (
        "Trump responded by using the example of Chicago to prove that gun control is not the solution.\n\n"
        "He said:\n\n"
        '"You walk down the street, you get shot. In Chicago, they’ve had thousands of shootings."'
    )
    claims = drafting.draft_claims(text, "Breitbart", nlp=nlp)
    for start in ("You walk down the street", "In Chicago, they’ve had thousands"):
        assert by_quote(claims, start).attributed_to == "Trump"


def test_a_reporting_clause_set_inside_the_sentence_gives_both_halves_to_the_speaker(nlp):
    text = (
        "The museum, Mr. Obama said, would make visitors face uncomfortable truths. "
        "It was, the president said, ''a stone worn down by the tragedy of over a thousand bare feet.''"
    )
    claims = drafting.draft_claims(text, "NYT", nlp=nlp)
    museum = next(c for c in claims if "uncomfortable truths" in c.statement)
    assert museum.attributed_to == "Obama"
    assert museum.statement == "The museum would make visitors face uncomfortable truths."
    assert by_quote(claims, "a stone worn down").attributed_to != "NYT"


def test_who_speaks_for_the_name_its_clause_hangs_off(nlp):
    text = (
        "The ceremony featured celebrities like Oprah Winfrey and Stevie Wonder, who joked of the museum, "
        "''I haven't seen it yet, but I'm going to.''"
    )
    claim = by_quote(drafting.draft_claims(text, "NYT", nlp=nlp), "I haven't seen it yet")
    assert claim.attributed_to == "Stevie Wonder"


def test_a_dateline_before_the_speaker_is_not_the_speaker(nlp):
    text = (
        "WASHINGTON -- President Obama, dedicating the National Museum of African American History and "
        "Culture on Saturday, said it would tell an American story."
    )
    claim = next(c for c in drafting.draft_claims(text, "NYT", nlp=nlp) if c.attributed_to != "NYT")
    assert claim.attributed_to.startswith("Obama")
    assert claim.statement == "It would tell an American story."


def test_calling_something_a_name_is_a_claim_of_the_caller(nlp):
    text = 'Ohio Democratic Party Chairman David Pepper called Friday\'s decision a "huge win for Ohio voters."'
    claim = next(c for c in drafting.draft_claims(text, "AP", nlp=nlp) if c.attributed_to != "AP")
    assert claim.attributed_to.startswith("David Pepper")
    assert claim.statement == 'Friday\'s decision is a "huge win for Ohio voters."'


def test_calling_on_someone_to_act_is_drafted_as_the_request(nlp):
    text = (
        "Rep. Adam Schiff, the top Democrat on the House Intelligence Committee, called on President Obama "
        "to retaliate against Russia for interference in the presidential election."
    )
    claim = next(c for c in drafting.draft_claims(text, "USA Today", nlp=nlp) if c.attributed_to != "USA Today")
    assert claim.attributed_to.startswith("Adam Schiff")
    assert claim.statement == (
        "Adam Schiff called on President Obama to retaliate against Russia for "
        "interference in the presidential election."
    )


def test_he_after_a_paragraph_about_someone_else_is_the_person_the_text_was_about(nlp):
    text = (
        "“Mexican people, we are not going to pay any single cent for such a stupid wall,” Calderon told "
        "CNBC Saturday.\n\n"
        "Since launching his White House bid, Donald Trump has taken a firm stance against illegal "
        "immigration.\n\n"
        "“When Mexico sends its people, they’re not sending their best,” he said."
    )
    claims = drafting.draft_claims(text, "UPI", nlp=nlp)
    assert by_quote(claims, "Mexican people").attributed_to.endswith("Calderon")
    claim = by_quote(claims, "When Mexico sends its people")
    assert claim.attributed_to == "Donald Trump"
    assert "check: speaker unsure" in claim.flags


def test_a_run_of_quotation_paragraphs_keeps_the_speaker_of_the_first(nlp):
    text = (
        "Republican Rep. Tom Cole said Thursday his biggest worry about Trump is that he is unpredictable.\n\n"
        "“It seems to me they have every incentive to find common ground, because to be successful they "
        "both in a sense need one another.”\n\n"
        "“That’s exactly what people want right now, so in that sense he’s very well-positioned for a "
        "general election.”"
    )
    claims = drafting.draft_claims(text, "AP", nlp=nlp)
    assert by_quote(claims, "It seems to me").attributed_to == by_quote(claims, "That’s exactly").attributed_to
    assert by_quote(claims, "That’s exactly").attributed_to.endswith("Tom Cole")


def test_a_persons_claim_that_is_their_claim(nlp):
    text = (
        "Politifact seized on Donald Trump’s claim that there have been “thousands of shootings” in "
        "Chicago this year alone."
    )
    claim = next(c for c in drafting.draft_claims(text, "Breitbart", nlp=nlp) if c.attributed_to != "Breitbart")
    assert claim.attributed_to == "Donald Trump"
    assert claim.statement.startswith("There have been “thousands of shootings” in Chicago")


def test_calling_it_one_quoted_word_is_still_the_callers_claim(nlp):
    text = (
        "Romney went after Trump on Wednesday over his refusal thus far to release his taxes, "
        "calling it “disqualifying”."
    )
    claim = next(c for c in drafting.draft_claims(text, "AP", nlp=nlp) if c.attributed_to != "AP")
    assert claim.attributed_to == "Romney"
    assert claim.statement == "It is “disqualifying”."


def test_the_president_said_goes_to_the_one_person_the_article_titles_president(nlp):
    text = (
        "WASHINGTON -- President Obama, dedicating the museum on Saturday, said it would tell an American "
        "story.\n\n"
        "''We're not a burden on America or a stain on America, or an object of pity or charity for "
        "America,'' the president added."
    )
    claim = by_quote(drafting.draft_claims(text, "NYT", nlp=nlp), "We're not a burden")
    assert claim.attributed_to == "Obama"
    assert "check: speaker unsure" in claim.flags


def test_a_statement_shows_two_apostrophes_as_quotation_marks(nlp):
    text = "African-Americans, Mr. Obama said, can ''rock like Jimi'' and ''stir the pot like Richard Pryor.''"
    claim = next(c for c in drafting.draft_claims(text, "NYT", nlp=nlp) if c.attributed_to != "NYT")
    assert claim.statement == "African-Americans can “rock like Jimi” and “stir the pot like Richard Pryor.”"


def test_a_request_by_she_is_drafted_with_her_name(nlp):
    text = (
        "Rakeyia Scott can be heard yelling to the officers that her husband was unarmed. "
        "She then urges her husband to come out of the car and repeatedly says that he should not do it."
    )
    claim = next(c for c in drafting.draft_claims(text, "Post", nlp=nlp) if "urges" in c.statement)
    assert claim.attributed_to == "Rakeyia Scott"
    assert claim.statement == "Rakeyia Scott urges her husband to come out of the car."


def test_blasting_someone_for_something_is_drafted_as_the_judgement(nlp):
    text = (
        "Democrats also blasted Oversight for failing to make clear earlier Friday that the immunity "
        "was only “partial.”"
    )
    claim = next(c for c in drafting.draft_claims(text, "Politico", nlp=nlp) if c.attributed_to != "Politico")
    assert claim.attributed_to == "Democrats"
    assert claim.statement.startswith("Democrats blasted Oversight for failing to make clear")


def test_the_outlets_own_claims_are_asked_only_what_their_statement_answers(seed):
    own = [c for c in seed if c.attributed_to == "AFP"]
    assert own
    for claim in own:
        # "What do we know about North Korea?" is not answered by one fact about North Korea
        assert not any(q.startswith(("What do we know about", "What about")) for q in claim.questions), claim
    putin = next(c for c in own if c.statement.startswith("Diplomatically isolated"))
    assert "What does AFP report about Russian President Vladimir Putin?" in putin.questions


def test_the_unedited_draft_as_the_knowledge_answers_none_of_the_must_refuse_questions(nlp, seed_text, tmp_path):
    from knowledge import KnowledgeBase
    from knowledge.answering.embedding import available
    from knowledge.answering.evaluation import load_questions

    path = tmp_path / "draft.yaml"
    path.write_text(drafting.render_yaml(drafting.draft_article(seed_text, nlp=nlp)), encoding="utf-8")
    refuse = [
        q.text for q in load_questions(Path(drafting.__file__).parents[1] / "regression-questions.yaml") if not q.expect
    ]
    kb = KnowledgeBase.load(path)
    tiers = ["lexical"]
    answered = {"lexical": [q for q in refuse if kb.answer(q).status == "answered"]}
    if available():
        kb.start_semantic(tmp_path / "data", background=False)
        tiers.append("semantic")
        answered["semantic"] = [q for q in refuse if kb.answer(q).status == "answered"]
    kb.close()
    assert answered == {tier: [] for tier in tiers}


def test_an_outlet_sentence_leaves_its_last_part_to_the_speaker_who_claims_it(seed):
    putin = next(c for c in seed if c.statement.startswith("Diplomatically isolated"))
    assert putin.attributed_to == "AFP"
    assert putin.statement.endswith("his North Korean counterpart Kim Jong-un.")
    assert "arms sales agreement" not in putin.statement
    us = next(c for c in seed if c.attributed_to == "The United States")
    assert "arms sales agreement" in us.statement


def test_two_things_with_figures_of_their_own_become_one_claim_each(nlp):
    text = (
        "Pyongyang also has 152 mm D-20 manual towed artillery pieces, also manufactured in the Soviet Union "
        "in the 1950s, and 122 mm D-30 howitzers dating from the 1960s.\n\n"
        "The army bought 40 tanks in 2020 and 12 helicopters in 2022.\n\n"
        "The company sold cars and trucks in 2021."
    )
    statements = [c.statement for c in drafting.draft_claims(text, "AFP", nlp=nlp)]
    assert statements == [
        "Pyongyang also has 152 mm D-20 manual towed artillery pieces, also manufactured in the Soviet Union "
        "in the 1950s.",
        "Pyongyang also has 122 mm D-30 howitzers dating from the 1960s.",
        "The army bought 40 tanks in 2020.",
        "The army bought 12 helicopters in 2022.",
        "The company sold cars and trucks in 2021.",  # one figure for both: one fact
    ]


def test_questions_leave_out_the_according_lead_and_ask_the_positive_question(nlp):
    text = (
        "In the unanimous opinion of experts, North Korean weapons would not provide Russia with a decisive "
        "advantage in the Ukrainian theater."
    )
    claim = next(c for c in drafting.draft_claims(text, "AFP", nlp=nlp) if c.attributed_to != "AFP")
    assert claim.attributed_to == "Experts cited by AFP"
    assert claim.questions[0] == (
        "Would North Korean weapons provide Russia with a decisive advantage in the Ukrainian theater?"
    )
    assert "What do experts say about North Korean weapons?" in claim.questions
