"""Answering: a question -> ``Answer``, one module a stage, typed results between them.

``analysis`` (question -> ``Query``) -> ``retrieval`` (-> ``Hit``s: FTS5 and nearest
neighbours) -> ``scoring`` (-> ``Scored``) -> ``decision`` (-> ``Decision``, applying
``veto``), run in order by ``matcher.Matcher``; ``vocabulary`` is the per-load state every
stage reads, ``thresholds`` every weight and threshold, ``answer`` the result and its JSON.
Beside them: ``semantic`` and ``embedding`` (the sentence-embedding tier, its cache and
vector index), ``places`` (a gazetteer of countries' other names) and ``evaluation`` (the
questions files of ``groundbot eval``). Uses the store; never drafting or activity.
"""
