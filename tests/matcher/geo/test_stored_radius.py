"""Stored rows keep the resolver's radius (`location_radius_km`), and the one commute rule reads it.

Before migration 0009 a stored row kept only its precision and the commute rule used that level's
default radius (街道 2.0 km): two rows at a tight 街道 (豫园街道, radius 1.0 km) summed 4 km and said
无法判断, and a road point whose resolver radius is 2.7 km was judged as if it were 2.0 km (an over-claim).
"""
import pytest
from fastapi.testclient import TestClient

from matcher.geo import resolver
from matcher.inputs import PostingInput, SeekerInput

TIGHT = "豫园街道"  # 310101018: radius 1.0 km (farthest polygon vertex), the resolver's tightest
NEXT_DOOR = "老西门街道"  # 310101019: 1.1 km, its point 1.1 km from 豫园街道's
ROAD = "虹口区曲阳路800号"  # a road point: street precision with the road's own radius, 2.7 km
RESUME = "做过三年小区保安，有保安员证"


def _posting(**where) -> PostingInput:
    return PostingInput(title="小区保安员", requirements="持保安员证", salary="5000元/月", **where)


def test_the_resolver_radii_these_tests_rely_on():
    assert resolver.resolve(street=TIGHT).precision == "street"
    assert resolver.resolve(street=TIGHT).radius_km == pytest.approx(1.0)
    road = resolver.resolve(ROAD)
    assert road.precision == "street" and road.method == "road" and road.radius_km == pytest.approx(2.7)


def test_a_posting_and_a_seeker_at_a_tight_street_get_a_range_not_cannot_tell(service):
    [posting] = service.upsert_postings([_posting(street=TIGHT)])
    seeker = service.create_seeker(SeekerInput(resume_text=RESUME, consent=True, street=TIGHT))
    [row] = service.match_seeker(seeker["id"], k=1)["results"]
    assert row["posting_id"] == posting
    assert "无法判断" not in row["travel"], row["travel"]
    assert row["commute_minutes_range"] and row["commute_minutes_range"][0] < row["commute_minutes_range"][1]
    assert row["distance_km"] == pytest.approx(2.0)  # 相距不超过约2.0公里: the bound is both radii
    assert "相距不超过约2.0公里" in row["travel"]
    assert row["commute_minutes"] is None  # a range, never a point figure for two places that may coincide


def test_nearby_from_a_street_gives_figures_for_a_posting_at_a_tight_street(service):
    """From 老西门街道 (1.1 km) to a posting at 豫园街道 (1.0 km): 2.1 km together, not 1.1 + 2.0 = 3.1."""
    assert resolver.resolve(street=NEXT_DOOR).radius_km == pytest.approx(1.1)
    [posting] = service.upsert_postings([_posting(street=TIGHT)])
    found = service.nearby(street=NEXT_DOOR, radius_km=3)
    [row] = [p for p in found["postings"] if p["posting_id"] == posting]
    assert "无法判断" not in row["travel"], row["travel"]
    assert row["within_15min"] is not None or row.get("commute_minutes_range"), row


def test_a_road_whose_radius_exceeds_the_street_default_is_not_over_claimed(service):
    """At the road point itself, a 2.0 km default would claim the 15-minute circle (far edge 2.05 km
    by bike is ~13 minutes); the road's own 2.7 km leaves it open."""
    road = resolver.resolve(ROAD)
    [posting] = service.upsert_postings([_posting(address=ROAD)])
    [row] = service.match_text(RESUME, k=1, lat=road.lat, lon=road.lon)["results"]
    assert row["posting_id"] == posting
    assert row["within_15min"] is None
    assert row["distance_km"] == pytest.approx(2.8)  # 2.7 + 0.05 (given coordinates), rounded
    assert service.get_posting(posting)["location_radius_km"] == pytest.approx(2.7)


def test_given_coordinates_keep_the_exact_default(service):
    [posting] = service.upsert_postings([_posting(lat=31.2806, lon=121.4903)])
    assert service.get_posting(posting)["location_radius_km"] == pytest.approx(0.05)


def test_a_row_without_a_stored_radius_falls_back_to_its_precision_default(service):
    """Rows written before migration 0009 (radius NULL) keep the old, level-default judgement."""
    from data.schema import Posting, Seeker

    [posting] = service.upsert_postings([_posting(street=TIGHT)])
    seeker = service.create_seeker(SeekerInput(resume_text=RESUME, consent=True, street=TIGHT))
    with service.db.session() as session, session.begin():
        for row in (session.get(Posting, posting), session.get(Seeker, seeker["id"])):
            row.location_radius_km = None
            row.change_seq = service.db.take_seq(session, "postings" if isinstance(row, Posting) else "seekers", 1)
    service.refresh()
    [row] = service.match_seeker(seeker["id"], k=1)["results"]
    assert "无法判断" in row["travel"] and row["within_15min"] is None  # 2.0 + 2.0 km: too wide, as before
    assert service.get_posting(posting)["location_radius_km"] == pytest.approx(2.0)


def test_the_api_shows_the_rows_radius(settings):
    from api.app import create_app
    from models.encoder import HashingEncoder
    from tests.api.test_api import admin_headers

    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        client.headers.update(admin_headers(client))
        posting = client.post("/postings", json={"title": "小区保安员", "requirements": "持保安员证", "address": ROAD})
        assert posting.status_code == 201, posting.text
        assert client.get(f"/postings/{posting.json()['id']}").json()["location_radius_km"] == pytest.approx(2.7)
        seeker = client.post("/seekers", json={"resume_text": RESUME, "consent": True, "street": TIGHT})
        assert seeker.status_code == 201, seeker.text
        shown = client.get(f"/seekers/{seeker.json()['id']}", params={"reason": "岗位推荐"}).json()
        assert shown["location_radius_km"] == pytest.approx(1.0)


def test_a_station_at_its_street_point_keeps_that_streets_radius_in_nearby(service):
    point = resolver.resolve(street=TIGHT)
    [station] = service.add_stations([{"name": "豫园街道社区就业服务中心（测试）", "kind": "street_centre",
                                       "street_code": point.street_code, "lat": point.lat, "lon": point.lon,
                                       "location_precision": "street"}])
    found = service.nearby(street=NEXT_DOOR, radius_km=3)
    [row] = [s for s in found["stations"] if s["station_id"] == station]
    assert "无法判断" not in row["travel"], row["travel"]


def test_a_training_at_a_tight_street_gets_figures_from_the_street_next_door(service):
    from matcher.activities import nearby as activities_nearby
    from tests.matcher.activities.conftest import add_training

    [station] = service.add_stations([{"name": "老西门街道社区就业服务中心（测试）", "kind": "street_centre"}])
    training = add_training(service, station, street=TIGHT)
    found = activities_nearby.nearby(service, street=NEXT_DOOR, radius_km=3)
    [row] = [t for t in found["trainings"] if t["id"] == training]
    assert row["location_radius_km"] == pytest.approx(1.0)
    assert row["commute"] and not row["commute"]["coarse"] and "无法判断" not in row["commute"]["travel"], row["commute"]
