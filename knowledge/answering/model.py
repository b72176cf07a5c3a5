"""The answer model: the probability that a candidate claim answers a question.

A logistic model over ``features.FEATURES``: each candidate's probability is the logistic
function of a weighted sum of its features, which include how far it leads the others. With
it, the thresholds the decision applies to the probabilities, one set for the lexical matcher
and one for the fused (semantic) matcher. (A choice model, each candidate's share among all
of them and "none of them", was measured too, and answered fewer questions right at the same
precision: benchmarks/RESULTS.md.)
Both are fitted by ``benchmarks/train_decision.py`` on visible data and generated near misses
only, and shipped in ``model.json`` beside this module, which that script re-creates byte for
byte. Nothing is fitted per data set.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.answering.features import FEATURES

MODEL_FILE = Path(__file__).with_name("model.json")


class ModelError(ValueError):
    """The model file does not fit the code: other features, or not a model at all."""


@dataclass(frozen=True)
class AnswerModel:
    """One matcher's weights (in ``FEATURES`` order) and decision thresholds on probabilities.

    Answer when the best candidate's probability is at least ``answer`` and leads the next by
    ``margin``; offer a choice when it is at least ``ambiguous``; refuse otherwise.
    """

    weights: tuple[float, ...]
    answer: float
    margin: float
    ambiguous: float

    def probability(self, values: Sequence[float]) -> float:
        """The probability that a candidate with feature ``values`` answers the question."""
        z = sum(w * v for w, v in zip(self.weights, values))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def contributions(self, values: Sequence[float]) -> list[tuple[str, float]]:
        """Each feature's share of the log-odds (weight x value), as ``ask --explain`` shows it."""
        return [(name, w * v) for name, w, v in zip(FEATURES, self.weights, values)]

    def to_dict(self) -> dict[str, object]:
        return {
            "weights": list(self.weights),
            "answer": self.answer,
            "margin": self.margin,
            "ambiguous": self.ambiguous,
        }


@dataclass(frozen=True)
class Models:
    """The lexical and the fused matcher's models, as read from a model file."""

    lexical: AnswerModel
    semantic: AnswerModel

    def active(self, semantic: bool) -> AnswerModel:
        """The model of the matcher in force."""
        return self.semantic if semantic else self.lexical


def read(path: Path = MODEL_FILE) -> Models:
    """The models in ``path``; ``ModelError`` when its features are not this code's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ModelError(f"{path} was fitted on other features than this code computes")
        return Models(*(_model(data[tier]) for tier in ("lexical", "semantic")))
    except (OSError, KeyError, TypeError, ValueError) as err:
        if isinstance(err, ModelError):
            raise
        raise ModelError(f"{path} is not an answer model: {err}") from err


@cache
def shipped() -> Models:
    """The models shipped with the package (read once)."""
    return read()


def _model(data: dict[str, object]) -> AnswerModel:
    weights = tuple(float(w) for w in data["weights"])  # type: ignore[attr-defined]
    if len(weights) != len(FEATURES):
        raise ModelError(f"{len(weights)} weights for {len(FEATURES)} features")
    return AnswerModel(weights, float(data["answer"]), float(data["margin"]), float(data["ambiguous"]))  # type: ignore[arg-type]
