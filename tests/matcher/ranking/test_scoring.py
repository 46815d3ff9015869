"""Each component's stated range and edge values, and one pair worked out by hand."""
import math

import numpy as np
import pytest

from matcher.geo.geo import Commute
from matcher.ranking.scoring import (
    WEIGHTS, combine, components, coverage_component, education_component, experience_component,
    occupation_component, proximity_component, salary_component, score_pair, semantic_component,
)
from matcher.types import Side


def test_weights_sum_to_one():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_semantic_edges():
    assert semantic_component([-1.0, 0.6, 0.75, 0.9, 1.0]).tolist() == [0.0, 0.0, pytest.approx(0.5), 1.0, 1.0]


def test_coverage_edges():
    assert coverage_component([0, 1, 3, 0], [3, 4, 3, 0]).tolist() == [0.0, 0.25, 1.0, 0.5]  # none required: neutral


def test_occupation_levels():
    pairs = [(("4-08-08-07",), ("4-08-08-07",)), (("4-08-08-07",), ("4-08-08-09",)),
             (("4-08-01-01",), ("4-08-08-09",)), (("2-02-01-01",), ("4-08-08-09",)), ((), ("4-08-08-09",))]
    assert occupation_component([a for a, _ in pairs], [b for _, b in pairs]).tolist() == [1.0, 0.7, 0.4, 0.0, 0.5]


def test_education_edges():
    seeker = [4, 3, 2, None, 1, None]
    required = [3, 4, 4, 4, None, 0]
    # Unknown on either side is neutral: a resume silent on a stated requirement earns what a posting
    # stating none earns (1.0), so the posting that says less never wins for it.
    assert education_component(seeker, required).tolist() == [1.0, 0.5, 0.0, 1.0, 1.0, 1.0]


def test_experience_edges():
    got = experience_component([5, 1, 0, None, 2], [3, 2, 2, 2, None])
    assert got.tolist() == [1.0, pytest.approx(0.4), 0.0, 1.0, 1.0]


def test_salary_edges():
    got = salary_component([6000, 6000, 6000, 6000, None, 6000], [6000, 5100, 4200, 3000, 8000, None])
    assert got.tolist() == [1.0, pytest.approx(0.5), pytest.approx(0.0), 0.0, pytest.approx(0.7), pytest.approx(0.7)]


def test_proximity_edges():
    got = proximity_component([0, 15, 45, 75, 120, None, math.nan])
    assert got.tolist() == [1.0, 1.0, pytest.approx(0.5), 0.0, 0.0, 0.5, 0.5]


def test_every_component_stays_in_range_on_random_input():
    rng = np.random.default_rng(0)
    n = 500
    seekers = [Side(id=i, skills=frozenset(rng.choice(list("abcdef"), rng.integers(0, 4)).tolist()),
                    education=int(rng.integers(0, 7)), experience=float(rng.random() * 10),
                    salary_low=float(rng.integers(0, 20000))) for i in range(n)]
    postings = [Side(id=i, skills=frozenset(rng.choice(list("abcdef"), rng.integers(0, 4)).tolist()),
                     education=int(rng.integers(0, 7)), experience=float(rng.random() * 5),
                     salary_high=float(rng.integers(0, 20000))) for i in range(n)]
    table = components(seekers, postings, rng.uniform(-1, 1, n), rng.uniform(0, 200, n))
    for name, values in table.items():
        assert values.min() >= 0.0 and values.max() <= 1.0, name
    scores, _ = combine(table, WEIGHTS)
    assert scores.min() >= 0.0 and scores.max() <= 1.0


def test_a_pair_worked_by_hand():
    seeker = Side(id=1, skills=frozenset({"Photoshop", "Illustrator"}), education=3, experience=2,
                  salary_low=6000, occupations=("4-08-08-07",))
    posting = Side(id=2, skills=frozenset({"Photoshop", "Illustrator", "CorelDRAW"}), education=4, experience=3,
                   salary_low=5000, salary_high=5400, occupations=("4-08-08-09",))
    scored = score_pair(seeker, posting, 0.7, Commute(35.0, "cycle", 6.0, "骑车约35分钟"))
    hand = {"semantic": 1 / 3, "lexical": 0.5, "coverage": 2 / 3, "occupation": 0.7, "education": 0.5,
            "experience": 0.8 * 2 / 3, "salary": 2 / 3, "proximity": 2 / 3, "gates": 1.0}
    assert scored.components == pytest.approx(hand)
    assert scored.breakdown == {name: round(WEIGHTS[name] * value, 4) for name, value in hand.items()}
    assert scored.score == pytest.approx(sum(round(WEIGHTS[n] * v, 4) for n, v in hand.items()), abs=1e-4)
    assert scored.gates == []
    assert scored.matched == ["Illustrator", "Photoshop"] and scored.missing == ["CorelDRAW"]


def test_weights_may_drop_components():
    scored = score_pair(Side(id=1), Side(id=2), 0.9, None, {"semantic": 1.0})
    assert scored.breakdown == {"semantic": 1.0} and scored.score == 1.0
    assert set(scored.components) == set(WEIGHTS)  # the raw components are all kept
