"""The learned re-ranker: replaces the hand-set weights only when it wins; saved as JSON, no pickle."""
import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from evaluation import reranker
from evaluation.interactions import Interaction
from matcher.ranking.scoring import WEIGHTS

FEATURES = list(WEIGHTS)


def _world(seed: int, label_from: str | None):
    """Candidate lists ordered by the hand-set score; outcomes driven by one component (or by noise)."""
    rng = np.random.default_rng(seed)
    weights = np.array([WEIGHTS[f] for f in FEATURES])
    candidates, events = {}, []
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for seeker in range(120):
        comps = rng.random((30, len(FEATURES)))
        hand = comps @ weights
        order = np.argsort(-hand)
        comps, hand = comps[order], hand[order]
        ids = [f"{seeker}-{n}" for n in range(30)]
        candidates[str(seeker)] = reranker.Candidates(ids, comps, hand)
        when = start + timedelta(days=seeker)
        for n, posting in enumerate(ids[:20]):
            events.append(Interaction(when, str(seeker), posting, "recommended"))
            if label_from is None:
                good = rng.random() < 0.2
            else:
                good = comps[n, FEATURES.index(label_from)] > 0.8
            if good:
                events.append(Interaction(when + timedelta(hours=2), str(seeker), posting, "applied"))
    return candidates, sorted(events)


def test_keeps_hand_set_weights_when_outcomes_are_noise(tmp_path):
    candidates, events = _world(0, label_from=None)
    result = reranker.train_and_compare(candidates, events)
    assert result.replace is False
    assert result.weights == WEIGHTS
    saved = reranker.save(result, tmp_path / "model")
    assert reranker.product_weights(saved) == WEIGHTS


def test_replaces_them_when_outcomes_follow_a_component_the_weights_underrate():
    candidates, events = _world(1, label_from="experience")
    result = reranker.train_and_compare(candidates, events)
    assert result.replace is True
    learned = result.weights
    assert max(learned, key=learned.get) == "experience"
    assert result.comparison["learned"]["ndcg@10"] > result.comparison["hand"]["ndcg@10"]


def test_saved_model_is_json_with_a_card_and_no_pickle(tmp_path):
    candidates, events = _world(2, label_from="salary")
    result = reranker.train_and_compare(candidates, events, data_description="unit-test world")
    directory = reranker.save(result, tmp_path / "model")
    files = sorted(p.name for p in directory.iterdir())
    assert files == ["model_card.json", "reranker.json"]
    for name in files:
        raw = (directory / name).read_bytes()
        assert not raw.startswith(b"\x80")  # pickle protocol 2+ header
        json.loads(raw.decode("utf-8"))
    card = json.loads((directory / "model_card.json").read_text(encoding="utf-8"))
    assert card["features"] == FEATURES
    assert card["training_window"]["events"] > 0 and card["training_window"]["to"] < card["test_window"]["to"]
    assert "ndcg@10" in card["metrics_outcomes"]["learned"]
    assert card["decision"]["replace_hand_weights"] == result.replace
    loaded, _ = reranker.load(directory)
    comps = candidates["5"].components
    assert np.allclose(loaded.scores(comps), result.model.scores(comps))


@pytest.mark.parametrize("name", ["gender", "age", "applicant_age", "ethnicity", "hukou", "户籍所在地", "salary_x"])
def test_refuses_protected_or_unknown_features(name):
    with pytest.raises(ValueError):
        reranker.check_features(FEATURES + [name])
    with pytest.raises(ValueError):
        reranker.LinearReranker(features=FEATURES + [name]).fit(np.zeros((4, 8)), np.array([0, 1, 0, 1]))


def test_the_score_components_are_accepted():
    reranker.check_features(FEATURES)  # "coverage" contains "age" but is not the word age
