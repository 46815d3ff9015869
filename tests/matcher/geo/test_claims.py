"""The commute claims only what the two locations support; directions name every change."""
import math
import re

import pytest

from matcher.geo import resolver
from matcher.geo.commute import COARSE_NOTE, MetroCommute, assess, parse_modes
from matcher.geo.metro import network, stations


@pytest.fixture(scope="module")
def commute():
    return MetroCommute()


def at(name, dlat=0.0, dlon=0.0):
    s = stations()[name]
    return resolver.resolve(lat=s.lat + dlat, lon=s.lon + dlon)


DISTRICT_PAIRS = [("浦东新区", "浦东新区"), ("浦东新区", "31.2080,121.6020"), ("虹口区", "曲阳路街道"), ("崇明区", "金山区")]


@pytest.mark.parametrize("a, b", DISTRICT_PAIRS)
def test_a_district_only_place_never_claims_the_circle_nor_zero_km(a, b, commute):
    for x, y in ((a, b), (b, a)):
        claim = assess(resolver.resolve(x), resolver.resolve(y), commute=commute)
        assert claim.within_15min is not True
        assert claim.within_15min is None and claim.distance_km is None and claim.minutes is None
        assert claim.note == COARSE_NOTE and "0公里" not in claim.travel and "0 公里" not in claim.travel
        out = claim.as_dict()
        assert out["within_15min"] is None and out["distance_km"] != 0


def test_zhangjiang_postings_at_one_district_point_are_not_zero_km(commute):
    seeker = resolver.resolve("上海市浦东新区张江镇")
    posting = resolver.resolve("浦东新区")
    claim = assess(seeker, posting, commute=commute)
    assert claim.within_15min is None and claim.distance_km is None


def test_estimate_with_coarse_flag_gives_no_figures(commute):
    est = commute.estimate((31.2, 121.6), (31.2, 121.6), coarse=True)
    assert est.coarse and est.within_15min is None and not est.within_circle
    assert est.shown_distance_km is None and math.isnan(est.minutes)


def test_exact_neighbours_are_within_the_circle(commute):
    a = resolver.resolve(lat=31.2780, lon=121.4860)
    b = resolver.resolve(lat=31.2800, lon=121.4880)
    claim = assess(a, b, commute=commute)
    assert claim.within_15min is True and claim.distance_km > 0 and claim.mode == "walk"


def test_far_exact_points_are_outside(commute):
    claim = assess(at("莘庄"), at("富锦路"), commute=commute)
    assert claim.within_15min is False and claim.mode == "metro"


def test_directions_name_boarding_transfer_and_alighting(commute):
    text = commute.directions((stations()["曲阳路"].lat + 0.001, stations()["曲阳路"].lon),
                              (stations()["南京西路"].lat, stations()["南京西路"].lon + 0.001))
    assert text.startswith("8号线曲阳路站上车")
    assert "换乘" in text and text.count("换乘") == 1 and "南京西路站下车" in text and text.endswith("分钟")


def test_route_legs_on_the_2026_network():
    net = network()
    assert len(net.names) == 408 and {"14号线", "15号线", "17号线", "18号线", "浦江线"} <= set(net.lines)
    i = net.names.index
    route = net.route(i("张江高科"), i("交通大学"))
    assert route.legs[0].line == "2号线" and route.legs[0].board == "张江高科"
    assert route.legs[-1].alight == "交通大学" and len(route.legs) >= 2
    assert all(leg.stops > 0 for leg in route.legs)
    # A line-14 station that did not exist in 2016 is reachable.
    assert math.isfinite(net.minutes[i("封浜"), i("桂桥路")])


def test_modes_change_the_answer(commute):
    a = resolver.resolve(lat=31.2300, lon=121.4700)
    b = resolver.resolve(lat=31.2600, lon=121.4700)  # ~3.3 km north: a bike ride
    assert assess(a, b, commute=commute).mode == "cycle"
    no_bike = assess(a, b, modes="walk,metro", commute=commute)
    assert no_bike.mode in {"metro", "walk"} and "骑行" not in no_bike.travel
    assert assess(a, b, modes="walk,bus", commute=commute).mode == "bus"


def test_bad_mode_is_a_chinese_error():
    with pytest.raises(ValueError, match="无法识别的出行方式"):
        parse_modes("helicopter")
    assert parse_modes("步行,地铁") == frozenset({"walk", "metro"})


def test_rough_places_make_no_circle_claim(commute):
    wide = resolver.Resolution(31.23, 121.47, "street", 2.5, None, "310101", "road", "某路")
    also = resolver.Resolution(31.24, 121.48, "street", 1.5, None, "310101", "road", "某路")
    claim = assess(wide, also, commute=commute)
    assert claim.within_15min is None and claim.distance_km is None


def test_commute_fields_for_result_rows(commute):
    from matcher.geo.commute import commute_fields
    from matcher.geo.places import is_coarse

    coarse = commute_fields(commute.estimate((31.2, 121.6), (31.2, 121.6), coarse=True))
    assert coarse["within_15min"] is None and coarse["distance_km"] is None and coarse["commute_minutes"] is None
    exact_same = commute_fields(commute.estimate((31.2, 121.6), (31.2, 121.6), radius_km=0.1))
    assert exact_same["distance_km"] == 0.1 and exact_same["within_15min"] is True  # shown as ≥0.1, never 0
    # Two approximate points at one spot used to say "步行可达" and within_15min true; with their radii
    # (a 居委 and a station: 1.8 km together) the far edge is still a 15-minute ride, the distance a bound.
    same_point = commute_fields(commute.estimate((31.2, 121.6), (31.2, 121.6), approximate=True, radius_km=1.8))
    assert same_point["distance_km"] == 1.8 and same_point["commute_minutes"] is None
    assert "步行可达" not in same_point["travel"] and same_point["travel"].startswith("相距不超过约1.8公里")
    assert commute_fields(None)["within_15min"] is None
    assert is_coarse("district") and is_coarse(None) and not is_coarse("street")


# --- one rule for every commute a person reads (assess, result rows, /nearby) -----------------------

QUYANG = (31.2806, 121.4903)
ZERO_KM = re.compile(r"(?<![\d.])0(\.0+)?\s*公里|距离约?0\.[01]公里")


def _no_false_claim(fields):
    assert fields["within_15min"] is None
    assert fields["distance_km"] != 0 and fields["commute_minutes"] != 0
    assert "步行可达" not in fields["travel"] and not ZERO_KM.search(fields["travel"])


def test_two_street_points_at_one_street_point_make_no_circle_claim(commute):
    from matcher.geo.commute import commute_fields
    from matcher.geo.geo import default_radius_km

    radius = 2 * default_radius_km("street")
    fields = commute_fields(commute.estimate(QUYANG, QUYANG, approximate=True, radius_km=radius))
    _no_false_claim(fields)
    assert fields["distance_km"] is None and "无法判断是否在15分钟服务圈内" in fields["travel"]


def test_overlapping_circles_show_a_bound_and_a_range_never_a_point_figure(commute):
    from matcher.geo.commute import commute_fields

    far_edge_beyond = commute_fields(commute.estimate(QUYANG, QUYANG, approximate=True, radius_km=3.0))
    _no_false_claim(far_edge_beyond)
    assert far_edge_beyond["distance_km"] == 3.0 and far_edge_beyond["commute_minutes"] is None
    assert far_edge_beyond["travel"].startswith("相距不超过约3.0公里")
    low, high = far_edge_beyond["commute_minutes_range"]
    assert 1 <= low < 15 < high


def test_exact_points_500_m_apart_are_within_the_circle_in_rows_and_assess(commute):
    from matcher.geo.commute import commute_fields

    dest = (QUYANG[0] + 0.0045, QUYANG[1])  # ~500 m north
    fields = commute_fields(commute.estimate(QUYANG, dest, radius_km=0.1))
    assert fields["within_15min"] is True and fields["distance_km"] == 0.5 and fields["commute_minutes"] > 0
    claim = assess(resolver.resolve(lat=QUYANG[0], lon=QUYANG[1]), resolver.resolve(lat=dest[0], lon=dest[1]),
                   commute=commute)
    assert claim.within_15min is True and claim.distance_km == 0.5


@pytest.mark.parametrize("a, b", [("曲阳路街道", "曲阳路街道"), ("31.2806,121.4903", "31.2851,121.4903"),
                                  ("31.2806,121.4903", "曲阳路街道"), ("莘庄", "31.2806,121.4903")])
def test_assess_and_result_rows_say_the_same(a, b, commute):
    from matcher.geo.commute import commute_fields

    def place(text):
        if "," in text:
            lat, lon = map(float, text.split(","))
            return resolver.resolve(lat=lat, lon=lon)
        return resolver.resolve(text) if text != "莘庄" else at("莘庄")

    x, y = place(a), place(b)
    claim = assess(x, y, commute=commute).as_dict()
    radius = x.radius_km + y.radius_km
    fields = commute_fields(commute.estimate((x.lat, x.lon), (y.lat, y.lon), approximate=radius > 0.2,
                                             radius_km=radius))
    assert fields["within_15min"] == claim["within_15min"] and fields["distance_km"] == claim["distance_km"]
    assert fields["travel"] == claim["travel"]


def test_the_vectorised_judgement_matches_the_single_one(commute):
    import numpy as np

    from matcher.geo.commute import DEFAULT_MODES, circle_many, judge

    dests = np.array([[QUYANG[0] + d, QUYANG[1]] for d in (0.0, 0.004, 0.012, 0.02, 0.05, 0.15)])
    radii = np.array([4.0, 2.0, 1.0, 0.1, 2.0, 0.85])
    minutes, _ = commute.estimate_many(QUYANG, dests)
    km = np.array([commute.estimate(QUYANG, tuple(d)).distance_km for d in dests])
    circle, _, _ = circle_many(km, minutes, radii, DEFAULT_MODES)
    for n, d in enumerate(dests):
        one = judge(commute.estimate(QUYANG, tuple(d)), radii[n], DEFAULT_MODES).within_15min
        assert (one is None and np.isnan(circle[n])) or one == bool(circle[n])
    assert np.isnan(circle[0]) and circle[-1] == 0.0
