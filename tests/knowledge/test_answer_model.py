"""The answer model: a choice among the candidates and "none of them", read from its file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from knowledge.answering.features import FEATURES
from knowledge.answering.model import AnswerModel, ModelError, read, shipped


def model(**weights: float) -> AnswerModel:
    return AnswerModel(tuple(weights.get(name, 0.0) for name in FEATURES), 0.6, 0.2, 0.3)


def values(**named: float) -> tuple[float, ...]:
    return tuple(named.get(name, 1.0 if name == "bias" else 0.0) for name in FEATURES)


def test_a_candidate_that_scores_well_on_a_weighted_feature_is_likely():
    m = model(bias=-4.0, cosine=10.0)
    assert m.probability(values(cosine=0.9)) > 0.99
    assert m.probability(values(cosine=0.1)) < 0.05


def test_an_objection_lowers_the_probability_by_its_weight():
    m = model(bias=0.0, cosine=4.0, **{"objection: names": -6.0})
    clean = m.probability(values(cosine=0.8))
    named = m.probability(values(cosine=0.8, **{"objection: names": 1.0}))
    assert named < 0.1 < 0.9 < clean


def test_the_log_odds_are_the_sum_of_the_contributions():
    m = model(bias=-1.0, cosine=3.0, coverage=2.0)
    v = values(cosine=0.5, coverage=0.25)
    z = sum(c for _, c in m.contributions(v))
    assert m.probability(v) == pytest.approx(1 / (1 + math.exp(-z)))
    assert dict(m.contributions(v))["cosine"] == pytest.approx(1.5)


def test_every_feature_has_a_weight_in_the_shipped_model():
    models = shipped()
    for m in (models.lexical, models.semantic):
        assert len(m.weights) == len(FEATURES)
        assert 0 < m.ambiguous <= m.answer <= 1


def test_a_model_file_fitted_on_other_features_is_refused(tmp_path: Path):
    path = tmp_path / "model.json"
    tier = {"weights": [1.0, 2.0], "answer": 0.5, "margin": 0.1, "ambiguous": 0.3}
    path.write_text(json.dumps({"features": ["bias", "cosine"], "lexical": tier, "semantic": tier}))
    with pytest.raises(ModelError, match="other features"):
        read(path)


def test_a_file_that_is_not_a_model_is_refused_with_its_name(tmp_path: Path):
    path = tmp_path / "model.json"
    path.write_text("not json at all")
    with pytest.raises(ModelError, match="model.json is not an answer model"):
        read(path)
