"""The claims and everything done with them; no Telegram here.

This module is the public face (``KnowledgeBase``, ``Answer``, ...); ``base`` ties a built
store to its matcher and ``live`` swaps in a reloaded one. The rooms inside, each with its
own docstring: ``store`` (files -> the built store; the floor), ``answering`` (question ->
Answer), ``drafting`` (article -> draft knowledge file) and ``activity`` (the event log and
its reports). Imports run one way: answering and activity use store, drafting only its
schema, and only the shell imports activity.
"""

from knowledge.answering.answer import Answer, Candidate, claim_dict
from knowledge.answering.thresholds import Thresholds
from knowledge.base import Changes, KnowledgeBase
from knowledge.store.loader import KnowledgeError, Problem, load_claims
from knowledge.store.schema import Claim, KnowledgeFile, Source, SourcedClaim

__all__ = [
    "Answer",
    "Candidate",
    "Changes",
    "Claim",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeFile",
    "Problem",
    "Source",
    "SourcedClaim",
    "Thresholds",
    "claim_dict",
    "load_claims",
]
