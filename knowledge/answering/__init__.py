"""Answering: a question -> ``Answer``, one module a stage, typed results between them.

``analysis`` (question -> ``Query``) -> ``retrieval`` (-> ``Hit``s: FTS5 and nearest
neighbours) -> ``scoring`` (-> ``Scored``) -> ``decision`` (-> ``Decision``, applying
``veto``, or the answer model: ``features`` -> ``model``), run in order by ``matcher.Matcher``;
``vocabulary`` is the per-load state every stage reads, ``thresholds`` every weight and
threshold, ``answer`` the result and its JSON, ``explanation`` why it came out so. Beside
them: ``near_misses`` (questions a knowledge file's claims must not answer, for fitting and
testing the model), ``semantic`` and ``embedding`` (the sentence-embedding tier, its cache and
vector index), ``places`` (a gazetteer of countries' other names) and ``evaluation`` (the
questions files of ``groundbot eval``). Uses the store; never drafting or activity.
"""
