"""Roads: a road point is only as precise as what we know about where along the road the place lies."""
import pytest

from matcher.geo import resolver
from matcher.geo.address import parse
from matcher.geo.places import locate

DISTRICTS = ["杨浦区", "虹口区", "闵行区", "浦东新区", "徐汇区", "宝山区"]


def test_a_road_in_two_districts_resolves_in_the_named_one():
    yangpu = resolver.resolve("上海市杨浦区三门路100号")
    hongkou = resolver.resolve("上海市虹口区三门路100号")
    assert yangpu.method == hongkou.method == "road" and yangpu.label == hongkou.label == "三门路"
    assert yangpu.district_code == "310110" and yangpu.street_code.startswith("310110")
    assert hongkou.district_code == "310109" and hongkou.street_code.startswith("310109")
    assert (yangpu.lat, yangpu.lon) != (hongkou.lat, hongkou.lon)


def test_a_long_highway_without_a_number_is_only_district_precision():
    r = resolver.resolve("上海市闵行区三鲁公路")
    assert r.label == "三鲁公路" and r.precision == "district" and r.radius_km > 3.0
    assert r.street_code and r.district_code == "310112"  # the road's 街道 is kept, the claim is not
    record = locate("上海市闵行区三鲁公路")
    assert record["precision"] == "district" and "道路" in record["note"]


def test_a_high_house_number_widens_the_road_radius_until_only_the_district_is_claimed():
    low = resolver.resolve("上海市浦东新区浦东南路588号")
    high = resolver.resolve("上海市浦东新区浦东南路4401号")
    assert (low.lat, low.lon) == (high.lat, high.lon)  # no road geometry: the number cannot move the point
    assert low.precision == "street" and low.radius_km <= 3.0
    assert high.precision == "district" and high.radius_km > low.radius_km + 2


def test_the_number_right_after_the_road_counts_even_without_hao():
    assert parse("上海市闵行区春申路2318", DISTRICTS).road_number == 2318
    assert parse("上海市宝山区锦秋路1601弄小区17号楼北侧", DISTRICTS).road_number == 1601  # not 17号楼
    assert parse("上海市闵行区虹梅南路3588-1", DISTRICTS).road_number == 3588
    assert parse("上海市闵行区七莘路秀文路地下室B1层260号车位", DISTRICTS).road_number is None
    assert resolver.resolve("上海市闵行区春申路2318").precision == "district"


def test_roads_outside_the_middle_ring_count_numbers_double():
    central = resolver.resolve("上海市徐汇区斜土路1515号")  # 斜土路街道, ~3 km from 人民广场
    outer = resolver.resolve("上海市闵行区虹莘路1888号")  # 虹莘路站, ~14 km out
    assert central.precision == "street" and central.radius_km <= 3.0
    assert outer.precision == "district" and outer.radius_km > 3.0


def test_a_cross_road_alone_does_not_claim_street_precision_far_out():
    r = resolver.resolve("上海市闵行区放鹤路999号(近虹梅南路)")  # 放鹤路 unknown, 虹梅南路 runs ~15 km
    assert r.label == "虹梅南路" and r.precision == "district"


@pytest.mark.parametrize("address, street", [
    ("上海市闵行区七宝万科广场B1层", "七宝镇"),
    ("上海市嘉定区安礼路258弄安亭新镇雅苑内", "安亭镇"),
    ("上海市崇明区丰乐路横沙供电所", "横沙乡"),
])
def test_a_town_named_inside_a_place_name_gives_its_street(address, street):
    r = resolver.resolve(address)
    assert r.method.startswith("street_mention") and r.street_code == resolver.index().street_code(street)


@pytest.mark.parametrize("address", ["上海市徐汇区田林路192号", "上海市浦东新区航头路1027弄", "上海市松江区佘山站停车场"])
def test_a_road_or_station_named_after_a_town_is_not_a_mention(address):
    assert not resolver.resolve(address).method.startswith("street_mention")
