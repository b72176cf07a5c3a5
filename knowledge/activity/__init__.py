"""Activity: what people asked and how it went, in the event log (its own SQLite file).

``events`` (``EventLog``: questions as keyed hashes, outcomes, feedback, picks), built on
``connection`` (a connection whose failures never reach an answer), ``event_schema`` (the
tables), ``keys`` (the id key kept outside the log), ``update_records`` (the spool of
updates in hand and the ids handled) and ``report_queries``; ``reports`` (``/unanswered``
and ``/stats``) and ``backup`` (a consistent copy of a SQLite file). Uses the store's text
helpers; only the shell (``bot``, ``handlers``) imports it.
"""
