"""The resolver says where a place is and how sure it is; it never moves a point across the city."""
import pytest

from matcher.geo import resolver
from matcher.geo.address import parse
from matcher.geo.geo import haversine_km
from matcher.geo.metro import stations
from matcher.geo.places import Place, gazetteer, import_report, locate
from matcher.geo.resolver import PRECISIONS, precision_rank


def test_precision_scale_is_ordered():
    assert PRECISIONS == ("exact", "neighbourhood", "station", "street", "district", "none")
    assert precision_rank("exact") < precision_rank("street") < precision_rank("none")


def test_bracketed_road_is_a_cross_road_not_a_station():
    parsed = parse("上海市浦东新区川沙路5558号(金海路)", ["浦东新区", "徐汇区"])
    assert parsed.road == "川沙路" and parsed.cross_roads == ["金海路"] and parsed.stations == []
    assert parsed.district == "浦东新区" and parsed.number == 5558


@pytest.mark.parametrize("address", [
    "上海市浦东新区川沙路5558号(金海路)",
    "上海市浦东新区金海路2588号(上海交通大学医学院附近)",
    "浦东新区上海交通大学医学院附属学校(金海路)",
])
def test_jinhai_road_in_pudong_stays_in_pudong(address):
    r = resolver.resolve(address)
    jiaotong = stations()["交通大学"]
    assert r.district_code == "310115"  # 浦东新区, never 徐汇区's 交通大学站
    assert haversine_km(r.lat, r.lon, jiaotong.lat, jiaotong.lon) > 10
    assert r.label != "交通大学站"


def test_a_station_named_as_a_station_gives_station_precision():
    r = resolver.resolve("地铁8号线曲阳路站旁")
    assert r.precision == "station" and r.label == "曲阳路站" and r.radius_km <= 1.0
    assert r.street_code == "310109010"  # 曲阳路街道


def test_station_in_another_district_than_named_is_refused():
    r = resolver.resolve("松江区曲阳路站")  # 曲阳路站 is in 虹口
    assert r.label != "曲阳路站" and r.district_code == "310117"


@pytest.mark.parametrize("query", ["曲阳路街道", "310109010", "310109010000", "虹口区曲阳路街道"])
def test_street_by_name_or_code(query):
    r = resolver.resolve(query)
    assert r.street_code == "310109010" and r.precision == "street" and 0.5 < r.radius_km <= 3.0


def test_coordinates_are_exact_and_get_their_street_by_polygon():
    r = resolver.resolve("31.2905,121.4915")
    assert r.precision == "exact" and r.street_code and r.street_code.startswith("310109")
    assert resolver.resolve(lat=31.2905, lon=121.4915).precision == "exact"


def test_district_only_and_nothing():
    d = resolver.resolve("浦东新区")
    assert d.precision == "district" and d.radius_km >= 5 and d.lat == d.lat  # a real point, not NaN
    assert resolver.resolve("火星基地").precision == "none"
    assert resolver.resolve("").precision == "none"


def test_resolved_point_lies_in_the_named_district():
    for address in ("上海市徐汇区虹漕南路777号", "上海市闵行区七宝镇七莘路3655号", "上海市宝山区宝安公路1253号"):
        r = resolver.resolve(address)
        idx = resolver.index()
        assert idx.district_of_point(r.lat, r.lon) == r.district_code == idx.district_by_name[parse(
            address, list(idx.district_names.values())).district]


def test_wide_streets_do_not_claim_street_precision():
    r = resolver.resolve("上海市崇明区中兴镇北效公路2277号")
    assert r.precision == "district" and r.radius_km > 3.0
    assert r.street_code == resolver.index().street_code("中兴镇")  # the named 镇 is kept


def test_gazetteer_facade_keeps_its_names():
    g = gazetteer()
    assert g.street_code("曲阳路") == "310109010"
    place = g.resolve(street="欧阳路街道")
    assert isinstance(place, Place) and place.approximate and place.radius_km and place.street == "欧阳路街道"
    exact = g.resolve(lat=31.27, lon=121.48, street="欧阳路街道")
    assert exact.precision == "exact" and exact.street_code == "310109009"
    assert g.resolve(address="火星") is None


def test_locate_record_has_the_promised_fields():
    record = locate("虹口区曲阳路街道")
    assert set(record) >= {"query", "lat", "lon", "street_code", "street", "district", "precision", "radius_km"}
    assert record["street"] == "曲阳路街道" and record["district"] == "虹口区"


def test_import_report_counts_by_precision_and_lists_district_only_rows():
    addresses = ["虹口区曲阳路街道", "浦东新区", "地铁8号线曲阳路站旁", "火星", "31.27,121.48", "嘉定区"]
    places = [locate(a) for a in addresses]
    report = import_report(places, addresses)
    assert report["total"] == 6
    assert report["by_precision"]["district"] == 2 and report["by_precision"]["none"] == 1
    assert report["by_precision"]["exact"] == 1 and report["by_precision"]["station"] == 1
    assert [e["row"] for e in report["district_only"]] == [2, 6]
    assert report["district_only"][0] == {"row": 2, "label": "浦东新区", "district": "浦东新区"}
    assert report["unresolved"][0]["label"] == "火星"
    # Place objects and None work too.
    assert import_report([gazetteer().geocode("浦东新区"), None])["by_precision"]["district"] == 1


def test_coordinates_in_either_order_and_outside_shanghai():
    assert locate("121.48,31.27")["district"] == "虹口区"
    beijing = locate("39.9,116.4")
    assert beijing["precision"] == "exact" and beijing["district"] is None and "不在上海市内" in beijing["note"]
    assert locate("95.0,200.0")["precision"] == "none"


@pytest.mark.parametrize("query, station", [("张江高科站", "张江高科站"), ("张江高科", "张江高科站"), ("上海南站", "上海南站"),
                                            ("徐汇区华山路1954号(交通大学站)", "交通大学站")])
def test_station_queries(query, station):
    r = resolver.resolve(query)
    assert r.precision == "station" and r.label == station


def test_a_school_named_like_a_station_is_not_the_station():
    assert resolver.resolve("上海交通大学站").precision == "none"
    assert resolver.resolve("中国石化(康健加油站)").precision == "none"


def test_directions_do_not_double_the_station_word():
    from matcher.geo.metro import network

    net = network()
    text = net.route(net.names.index("上海南站"), net.names.index("人民广场")).sentence()
    assert text.startswith("1号线上海南站上车") and "站站" not in text
