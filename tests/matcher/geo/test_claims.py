"""The commute claims only what the two locations support; directions name every change."""
import math

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
    same_point = commute_fields(commute.estimate((31.2, 121.6), (31.2, 121.6), approximate=True))
    assert same_point["distance_km"] == 0.1 and same_point["within_15min"] is True  # shown as ≥0.1, never 0
    assert commute_fields(None)["within_15min"] is None
    assert is_coarse("district") and is_coarse(None) and not is_coarse("street")
