"""Drafting: a news article -> a draft knowledge file for a moderator to review.

``reading`` (the article as paragraphs, and the roles it gives people) -> ``attribution``
(the ``Drafter``, which finds who says what with ``quotes``, ``reported_speech`` and
``speakers``) -> ``statements`` and ``questions`` (each finding as a standalone statement
with its flags, and the questions it answers) -> ``writing`` (ids, the YAML, the summary).
``draft`` holds the entry points and the spaCy model's loading. Uses only the store's
schema.
"""
