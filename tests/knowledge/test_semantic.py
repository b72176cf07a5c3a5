"""The semantic tier: offline embeddings beside the lexical matcher, built in the background,
cached on disk, and kept in check by the vetoes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.answering.embedding import (
    Embedder,
    EmbeddingUnavailable,
    VectorCache,
    available,
    embed_cached,
    model_files,
    quantised,
)
from knowledge.answering.semantic import CACHE_FILE, SemanticBuilder
from knowledge.store.text import terms

needs_model = pytest.mark.skipif(not available(), reason="the semantic extra is not installed")

# A busy moderator's file: one question per claim, no keywords.
BUSY = """\
source:
  id: briefing
  title: Briefing
  outlet: Wire
claims:
  - id: drones-from-iran
    statement: Russia turned to Iran to provide it with hundreds of explosive drones.
    attributed_to: AFP
    questions:
      - Did Iran give drones to Russia?
  - id: shells-per-day
    statement: The Russian army fires between 40,000 and 60,000 artillery shells per day.
    attributed_to: Kyiv
    questions:
      - How many shells does Russia fire per day?
  - id: summit-in-vostochny
    statement: Vladimir Putin received Kim Jong-un at the Vostochny space centre.
    attributed_to: AFP
    questions:
      - Where did Putin and Kim meet?
  - id: satellite-help
    statement: Putin said Russia would help North Korea build satellites.
    attributed_to: Vladimir Putin
    questions:
      - Will Russia help North Korea with satellites?
"""

# The lexical matcher answers none of these from the busy file; the fused one must.
PARAPHRASES = {
    "Where was the summit between Putin and Kim held?": "summit-in-vostochny",
    "What is the daily artillery consumption of Russian troops?": "shells-per-day",
    "How many rounds of artillery do Russian forces use daily?": "shells-per-day",
}


class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it is asked to embed and the calls."""

    def __init__(self) -> None:
        super().__init__(verify=False)
        self.embedded = 0
        self.calls = 0

    def embed(self, texts):
        self.embedded += len(texts)
        self.calls += 1
        return super().embed(texts)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def busy_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("busy")
    (path / "busy.yaml").write_text(BUSY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fused(busy_dir: Path, data_dir: Path):
    kb = KnowledgeBase.load(busy_dir)
    status = kb.start_semantic(data_dir, background=False)
    assert status.state == "ready", status
    yield kb
    kb.close()


@needs_model
def test_irregular_forms_of_a_verb_are_one_term():
    assert terms("sent bought fought gave") == terms("send buy fight give")


@needs_model
@pytest.mark.parametrize("question, claim_id", PARAPHRASES.items())
def test_a_paraphrase_the_lexical_matcher_misses_is_answered_once_embeddings_are_ready(
    busy_dir, fused, question, claim_id
):
    lexical = KnowledgeBase.load(busy_dir)
    try:
        assert lexical.answer(question).status != "answered"
    finally:
        lexical.close()
    answer = fused.answer(question)
    assert (answer.status, answer.claim.id if answer.claim else None) == ("answered", claim_id)
    assert answer.to_dict()["matcher"] == "semantic"


@needs_model
@pytest.mark.parametrize(
    "question, reason",
    [
        ("Did Iran get drones from Russia?", "other way round"),
        ("Did Russia send drones to Iran?", "other way round"),
        ("How many tanks does Russia fire per day?", "does not count tank"),
        ("What did North Korea say about satellites?", "not what north korea said"),
        ("How much does a Russian artillery shell cost?", "gives no price"),
        ("How many shells does Ukraine fire per day?", "does not mention ukrain"),
    ],
)
def test_near_misses_that_embeddings_rate_high_are_refused(fused, question, reason):
    answer = fused.answer(question)
    assert answer.status == "refused"
    assert reason in answer.reason


@needs_model
def test_the_same_questions_asked_the_right_way_round_are_answered(fused):
    for question, claim_id in [
        ("Did Iran supply drones to Russia?", "drones-from-iran"),
        ("Did Russia get drones from Iran?", "drones-from-iran"),
        ("What did Putin say about satellites?", "satellite-help"),
    ]:
        answer = fused.answer(question)
        assert (answer.status, answer.claim.id if answer.claim else None) == ("answered", claim_id), question


@needs_model
def test_answers_stay_lexical_until_the_background_build_is_done(busy_dir, tmp_path):
    kb = KnowledgeBase.load(busy_dir)
    try:
        assert kb.semantic.state == "off"
        assert kb.answer("How many shells does Russia fire per day?").matcher == "lexical"
        kb.start_semantic(tmp_path)
        status = kb.wait_semantic(120)
        assert (status.state, status.embedded, status.total) == ("ready", 8, 8)
        assert kb.answer("How many shells does Russia fire per day?").matcher == "semantic"
        assert (tmp_path / "embeddings.db").is_file()
    finally:
        kb.close()


@needs_model
def test_the_cache_embeds_only_text_it_has_not_seen(tmp_path):
    embedder = CountingEmbedder()
    cache = VectorCache(tmp_path / "embeddings.db")
    texts = ["How many shells does Russia fire?", "Did Iran give drones to Russia?"]
    first = embed_cached(embedder, cache, texts)
    assert embedder.embedded == 2
    again = embed_cached(embedder, cache, [*texts, "A new question?"])
    assert embedder.embedded == 3
    assert (again[:2] == first).all()
    cache.close()
    reopened = VectorCache(tmp_path / "embeddings.db")
    embed_cached(embedder, reopened, texts)
    assert embedder.embedded == 3
    reopened.close()


def test_without_start_semantic_the_matcher_is_lexical_and_says_so(busy_dir):
    kb = KnowledgeBase.load(busy_dir)
    try:
        answer = kb.answer("How many shells does Russia fire per day?")
        assert (answer.status, answer.matcher, kb.semantic.state) == ("answered", "lexical", "off")
    finally:
        kb.close()


HOW_MANY = """\
source:
  id: port
  title: Port traffic
  outlet: Wire
claims:
  - id: najin-port-route
    statement: Containers from North Korea went through the port of Najin by ship to Russia.
    attributed_to: Analysts
    questions:
      - Which route did the containers from North Korea take through Najin?
      - Did the containers go through the port of Najin?
  - id: najin-container-count
    statement: About 13,000 containers went through the port of Najin since August.
    attributed_to: The US government
    questions:
      - How many containers were sent?
"""


def test_a_how_many_question_falls_to_the_candidate_that_counts_the_thing(tmp_path):
    (tmp_path / "port.yaml").write_text(HOW_MANY, encoding="utf-8")
    kb = KnowledgeBase.load(tmp_path)
    try:
        answer = kb.answer("How many containers went through the port of Najin?")
        by_score = sorted(answer.candidates, key=lambda c: c.score, reverse=True)
        assert by_score[0].claim.id == "najin-port-route"  # the best claim gives no count
        assert (answer.status, answer.claim.id if answer.claim else None) == ("answered", "najin-container-count")
        refused = kb.answer("How many ships went through the port of Najin?")
        assert refused.status == "refused"
    finally:
        kb.close()


@needs_model
def test_a_large_store_searches_an_hnsw_graph_saved_beside_the_cache(busy_dir, tmp_path, monkeypatch):
    import knowledge.answering.semantic as semantic

    monkeypatch.setattr(semantic, "EXACT_LIMIT", 2)  # this 4-claim store counts as large
    first = KnowledgeBase.load(busy_dir)
    try:
        status = first.start_semantic(tmp_path, background=False)
        assert (status.state, status.search) == ("ready", "hnsw")
        graphs = list(tmp_path.glob("hnsw-*.faiss"))
        assert len(graphs) == 1
        answer = first.answer("What is the daily artillery consumption of Russian troops?")
        assert (answer.status, answer.claim.id) == ("answered", "shells-per-day")
    finally:
        first.close()
    again = KnowledgeBase.load(busy_dir)
    try:
        assert again.start_semantic(tmp_path, background=False).search == "hnsw"
        assert list(tmp_path.glob("hnsw-*.faiss")) == graphs  # read back, not rebuilt
    finally:
        again.close()
    monkeypatch.setattr(semantic, "HNSW_BUILD", semantic.HNSW_BUILD // 2)
    rebuilt = KnowledgeBase.load(busy_dir)
    try:
        assert rebuilt.start_semantic(tmp_path, background=False).search == "hnsw"
        now = list(tmp_path.glob("hnsw-*.faiss"))
        assert len(now) == 1 and now != graphs  # a graph built otherwise is rebuilt, and replaces it
    finally:
        rebuilt.close()


@needs_model
def test_how_much_is_embedded_is_known_without_embedding(busy_dir, tmp_path):
    kb = KnowledgeBase.load(busy_dir)
    try:
        assert kb.embedded(tmp_path) == (0, 8)
        kb.start_semantic(tmp_path, background=False)
        assert kb.embedded(tmp_path) == (8, 8)
    finally:
        kb.close()


def build_centroids(store, data_dir: Path, embedder: Embedder):
    """Build a store's semantic index with ``embedder``; return it and the builder's status."""
    built = []
    builder = SemanticBuilder(store, data_dir / CACHE_FILE, built.append, embedder=embedder)
    status = builder.build()
    return built[0], status


@needs_model
def test_a_restart_reads_the_centroids_back_without_embedding_or_the_cache(busy_dir, tmp_path):
    kb = KnowledgeBase.load(busy_dir)
    try:
        embedder = CountingEmbedder()
        first, _ = build_centroids(kb.store, tmp_path, embedder)
        assert embedder.embedded == 8
        (tmp_path / CACHE_FILE).unlink()  # only the saved centroids can spare the embedding now
        again = CountingEmbedder()
        second, status = build_centroids(kb.store, tmp_path, again)
        assert (status.state, status.embedded, again.embedded) == ("ready", 8, 0)
        assert (second.centroids == first.centroids).all()
    finally:
        kb.close()


@needs_model
def test_changed_claims_miss_the_saved_centroids_and_replace_them(busy_dir, tmp_path):
    kb = KnowledgeBase.load(busy_dir)
    changed_dir = tmp_path / "changed"
    changed_dir.mkdir()
    text = BUSY.replace("between 40,000 and 60,000", "up to 60,000")
    (changed_dir / "busy.yaml").write_text(text, encoding="utf-8")
    changed = KnowledgeBase.load(changed_dir)
    try:
        build_centroids(kb.store, tmp_path, CountingEmbedder())
        before = list(tmp_path.glob("centroids-*.npy"))
        embedder = CountingEmbedder()
        build_centroids(changed.store, tmp_path, embedder)
        assert embedder.embedded == 1  # the new statement; the rest comes from the cache
        after = list(tmp_path.glob("centroids-*.npy"))
        assert len(before) == len(after) == 1 and before != after
    finally:
        kb.close()
        changed.close()


@needs_model
def test_unreadable_saved_centroids_are_rebuilt_not_a_failure(busy_dir, tmp_path):
    kb = KnowledgeBase.load(busy_dir)
    try:
        first, _ = build_centroids(kb.store, tmp_path, CountingEmbedder())
        [snapshot] = tmp_path.glob("centroids-*.npy")
        snapshot.write_bytes(b"\x93NUMPY not really")
        second, status = build_centroids(kb.store, tmp_path, CountingEmbedder())
        assert status.state == "ready"
        assert (second.centroids == first.centroids).all()
        assert snapshot.read_bytes().startswith(b"\x93NUMPY\x01")  # saved again, whole
    finally:
        kb.close()


@needs_model
def test_a_text_gets_the_same_vector_whatever_it_is_embedded_with():
    embedder = CountingEmbedder()
    texts = ["Did Iran give drones to Russia?", "How many shells does Russia fire per day, according to Kyiv?"]
    alone = [embedder.embed([t])[0] for t in texts]
    together = embedder.embed(texts)
    assert (together == alone).all()


@needs_model
def test_the_quantised_model_goes_to_the_first_folder_that_takes_it_and_is_found_there_next_time(tmp_path):
    packaged, _ = model_files()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    made = quantised(packaged, [blocked / "cache", tmp_path / "data"])
    assert made.parent == tmp_path / "data" and made.stat().st_size > 1_000_000
    assert not list((tmp_path / "data").glob(".quantising-*"))  # nothing half-made left behind
    before = made.stat().st_mtime_ns
    assert quantised(packaged, [tmp_path / "elsewhere", tmp_path / "data"]) == made
    assert made.stat().st_mtime_ns == before and not (tmp_path / "elsewhere").exists()


@needs_model
def test_no_folder_to_write_the_quantised_model_in_is_a_clear_error(tmp_path):
    packaged, _ = model_files()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(EmbeddingUnavailable, match="could not write the quantised model"):
        quantised(packaged, [blocked / "cache"])


class ThreadRecordingEmbedder(CountingEmbedder):
    """The real embedder, recording the threads it runs in."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def embed(self, texts):
        self.threads.add(threading.get_ident())
        return super().embed(texts)


@needs_model
def test_a_question_is_embedded_in_the_thread_that_asks_even_when_workers_are_allowed():
    embedder = ThreadRecordingEmbedder()
    embed_cached(embedder, None, ["How many shells does Russia fire a day?"], workers=2)
    assert embedder.threads == {threading.get_ident()}


@needs_model
def test_two_workers_embed_the_vectors_one_would_in_the_same_order(tmp_path):
    texts = [f"Depot {i} in region {i % 7} stores {i * 37} crates." for i in range(30)]
    embedder = CountingEmbedder()
    alone = embed_cached(embedder, None, texts, chunk=4)
    done: list[int] = []
    cache = VectorCache(tmp_path / CACHE_FILE)
    try:
        paired = embed_cached(embedder, cache, texts, done.append, chunk=4, workers=2)
        assert (paired == alone).all()
        assert done[-1] == len(texts) and done == sorted(done)
        assert cache.count(embedder.model_id) == len(texts)
    finally:
        cache.close()


@pytest.fixture(scope="module")
def bundled_fused(data_dir: Path):
    kb = KnowledgeBase.load()
    status = kb.start_semantic(data_dir, background=False)
    assert status.state == "ready", status
    yield kb
    kb.close()


@needs_model
@pytest.mark.parametrize(
    "question", ["how many vacation days do i have left", "thanks for helping me", "what are your interests"]
)
def test_small_talk_far_from_every_claim_and_naming_no_one_is_refused(bundled_fused, question):
    answer = bundled_fused.answer(question)
    assert (answer.status, answer.reason) == ("refused", "nothing like the question")
    assert answer.candidates  # the nearest claims, still shown to moderators among the unanswered


@needs_model
def test_a_question_far_from_every_claim_that_names_someone_is_left_to_the_lexical_matcher(bundled_fused):
    answer = bundled_fused.answer("why does yohann michel say we must remain careful?")
    assert answer.status == "answered" and answer.claim.id == "michel-caution-on-interests"
