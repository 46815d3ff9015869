"""GET /places/locate and /places/commute: same resolver, honest answers, Chinese errors."""
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.encoder import HashingEncoder


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(64))) as test_client:
        yield test_client


def test_locate_matches_the_cli_record(client):
    from matcher.geo.places import locate

    body = client.get("/places/locate", params={"address": "地铁8号线曲阳路站旁"}).json()
    assert body == locate("地铁8号线曲阳路站旁")
    assert body["precision"] == "station" and body["street_code"] == "310109010"


def test_locate_needs_something_to_locate(client):
    response = client.get("/places/locate")
    assert response.status_code == 422 and "请填写地址" in response.json()["detail"]
    assert client.get("/places/locate", params={"lat": 31.2}).status_code == 422


def test_commute_between_district_only_places_claims_nothing(client):
    body = client.get("/places/commute", params={"from": "浦东新区", "to": "浦东新区"}).json()
    assert body["within_15min"] is None and body["distance_km"] is None
    assert body["location_note"] == "位置只精确到区，无法判断是否在15分钟服务圈内"


def test_commute_with_modes_gives_directions(client):
    params = {"from": "31.2795,121.4867", "to": "31.2300,121.4600", "modes": "walk,metro"}
    body = client.get("/places/commute", params=params).json()
    assert body["commute_mode"] == "metro" and "站上车" in body["travel"] and "站下车" in body["travel"]
    assert body["modes"] == ["metro", "walk"] and body["within_15min"] is False
    bad = client.get("/places/commute", params={**params, "modes": "飞行"})
    assert bad.status_code == 422 and "无法识别的出行方式" in bad.json()["detail"]
