"""The claims store: knowledge files, the SQLite index and the matcher. No Telegram here."""

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
