"""Activity: what people asked and how it went, in the event log (its own SQLite file).

``events`` (the log: questions as keyed hashes, outcomes, feedback, the spool of updates in
hand), ``reports`` (``/unanswered`` and ``/stats`` from it) and ``backup`` (a consistent copy
of a SQLite file). Uses the store's text helpers; only the shell (``bot``, ``handlers``)
imports it.
"""
