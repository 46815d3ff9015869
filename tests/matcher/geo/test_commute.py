import numpy as np
import pytest

from matcher.geo import geo
from matcher.geo import metro
from matcher.geo.commute import MetroCommute


@pytest.fixture(scope="module")
def commute():
    return MetroCommute()


def near(station: str, dlat: float = 0.0, dlon: float = 0.0) -> tuple[float, float]:
    s = metro.stations()[station]
    return (s.lat + dlat, s.lon + dlon)


def test_neighbouring_points_walk(commute):
    origin = near("曲阳路", 0.002, 0.002)
    result = commute.estimate(origin, (origin[0] + 0.001, origin[1] + 0.001))
    assert result.mode == "walk" and result.minutes < 5 and "步行" in result.description


def test_hongkou_stadium_to_peoples_square_by_metro(commute):
    result = commute.estimate(near("虹口足球场", 0.003, 0.002), near("人民广场", -0.002, 0.003))
    assert result.mode == "metro"
    assert 20 <= result.minutes <= 40
    assert "8号线" in result.description and "虹口足球场站上车" in result.description
    assert result.description.startswith("地铁：") and "人民广场站下车" in result.description


def test_metro_beats_cycling_across_the_city(commute):
    result = commute.estimate(near("莘庄"), near("上海火车站"))
    assert result.mode == "metro"
    assert result.minutes < geo.cycling_minutes(result.distance_km)


def test_transfer_stations_connect_lines(commute):
    net = commute.network
    names = net.names
    # Every station reaches every other: transfers by shared station names join all lines.
    assert np.isfinite(net.minutes).all()
    # 人民广场 joins lines 1, 2 and 8: a ride from a line-2 station to a line-8 station passes there.
    a, b = names.index("南京东路"), names.index("大世界")
    assert net.minutes[a, b] < 20
    transfers = [s for s in metro.stations().values() if len(s.lines) > 1]
    assert len(metro.stations()) == 408 and len(transfers) > 60


def test_one_more_stop_takes_longer(commute):
    net = commute.network
    i = net.names.index
    assert net.minutes[i("莘庄"), i("外环路")] < net.minutes[i("莘庄"), i("莲花路")] < net.minutes[i("莘庄"), i("人民广场")]


def test_far_from_any_station_is_not_metro(commute):
    # Central Chongming island has no metro within 1.5 km.
    result = commute.estimate((31.62, 121.40), (31.63, 121.55))
    assert result.mode in {"walk", "cycle"}


def test_estimate_many_matches_estimate(commute):
    origin = near("虹口足球场", 0.003, 0.002)
    rng = np.random.default_rng(0)
    dests = rng.uniform([31.15, 121.38], [31.32, 121.58], size=(60, 2))
    dests = np.vstack([dests, [np.nan, np.nan]])
    minutes, modes = commute.estimate_many(origin, dests)
    assert len(minutes) == len(modes) == 61
    assert np.isnan(minutes[-1]) and modes[-1] == "unknown"
    for row, m, mode in zip(dests[:-1], minutes[:-1], modes[:-1]):
        single = commute.estimate(origin, tuple(row))
        assert m == pytest.approx(single.minutes) and mode == single.mode


def test_estimates_keyed_by_posting_id_equal_the_point_keyed_ones_and_follow_a_move():
    """The id-indexed station cache gives the same minutes as the point cache, and a posting that moves
    is recomputed (never served the old place's stations)."""
    import numpy as np

    from matcher.geo.commute import MetroCommute

    origin = (31.2304, 121.4737)
    rng = np.random.default_rng(5)
    dests = np.column_stack([31.23 + rng.normal(0, 0.05, 200), 121.47 + rng.normal(0, 0.05, 200)])
    ids = np.arange(1000, 1200)
    by_point, by_id = MetroCommute(), MetroCommute()
    expected, modes = by_point.estimate_many(origin, dests)
    for _ in range(2):  # the second call reads the cache
        got, got_modes = by_id.estimate_many(origin, dests, keys=ids)
        np.testing.assert_array_equal(got, expected)
        assert got_modes == modes
    moved = dests.copy()
    moved[:50] = dests[150:]
    np.testing.assert_array_equal(by_id.estimate_many(origin, moved, keys=ids)[0], by_point.estimate_many(origin, moved)[0])


def test_warmed_station_access_gives_the_same_minutes_and_is_not_recomputed(monkeypatch):
    """`warm` (run for every open posting when the service starts) fills the id-keyed station cache in
    chunks: estimates afterwards equal the lazily computed ones, need no further station search, and
    a posting that moved after warming is still recomputed."""
    origin = (31.2304, 121.4737)
    rng = np.random.default_rng(9)
    dests = np.column_stack([31.23 + rng.normal(0, 0.05, 300), 121.47 + rng.normal(0, 0.05, 300)])
    dests[7] = np.nan  # a posting without a place is skipped
    ids = np.arange(5000, 5300)
    lazy, warmed = MetroCommute(), MetroCommute()
    expected = lazy.estimate_many(origin, dests, keys=ids)
    moved = dests.copy()
    moved[:3] = dests[200:203]
    expected_moved = lazy.estimate_many(origin, moved)[0]
    assert warmed.warm(ids, dests, chunk=64) == 299
    searched = []
    original = MetroCommute._station_rows
    monkeypatch.setattr(MetroCommute, "_station_rows", lambda self, points: searched.append(len(points))
                        or original(self, points))
    got = warmed.estimate_many(origin, dests, keys=ids)
    np.testing.assert_array_equal(got[0], expected[0])
    assert got[1] == expected[1]
    assert searched == []
    np.testing.assert_array_equal(warmed.estimate_many(origin, moved, keys=ids)[0], expected_moved)
    assert searched == [3]
