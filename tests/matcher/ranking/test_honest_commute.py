"""A place known only to its district never yields a 15-minute claim or a distance (issue 11)."""
import re

from matcher.inputs import PostingInput, SeekerInput

SAME_DISTRICT = PostingInput(title="小区保安员", requirements="持保安员证", salary="5000元/月", address="浦东新区")
PRECISE = PostingInput(title="小区保安员（张江）", requirements="持保安员证", salary="5000元/月",
                       lat=31.2040, lon=121.5870)


def _district_only_seeker(service):
    return service.create_seeker(SeekerInput(resume_text="做过三年小区保安，有保安员证", consent=True,
                                             address="浦东新区"))


def test_a_district_only_seeker_is_never_told_within_15_minutes_or_0_km(service):
    service.upsert_postings([SAME_DISTRICT, PRECISE])
    seeker = _district_only_seeker(service)
    results = service.match_seeker(seeker["id"], k=2)["results"]
    assert len(results) == 2
    for result in results:
        assert result["within_15min"] is None
        assert result["distance_km"] is None and result["commute_minutes"] is None
        assert "无法判断是否在15分钟服务圈内" in result["travel"]
        assert "0公里" not in result["explanation"] and "0 公里" not in result["explanation"]


def test_nearby_from_a_district_gives_no_distances(service):
    service.upsert_postings([SAME_DISTRICT, PRECISE])
    answer = service.nearby(address="浦东新区", radius_km=30)
    assert "无法判断" in answer["origin"]["note"]
    assert answer["postings"], "postings in the district are still listed"
    assert all(p["distance_km"] is None and p["within_15min"] is None for p in answer["postings"])


def test_a_precise_pair_still_gets_its_commute(service):
    service.upsert_postings([PRECISE])
    seeker = service.create_seeker(SeekerInput(resume_text="做过三年小区保安，有保安员证", consent=True,
                                               lat=31.2050, lon=121.5880))
    result = service.match_seeker(seeker["id"], k=1)["results"][0]
    assert result["within_15min"] is True and result["distance_km"] > 0


# Two 街道-level points (radius ~2 km each) at the same 街道 point may be 4 km apart: no 15-minute
# claim, no "0" and no "步行可达" in the result rows (issue 11, item 3).
SAME_STREET = PostingInput(title="小区保安员（曲阳）", requirements="持保安员证", salary="5000元/月", street="曲阳路街道")


def _assert_no_claim(row):
    assert row["within_15min"] is None
    assert row["distance_km"] != 0 and row["commute_minutes"] != 0
    for text in (row["travel"], row["explanation"]):
        assert "步行可达" not in text and not re.search(r"(?<![\d.])0(\.0+)?\s*公里|距离约?0\.[01]公里", text)
        assert "在15分钟就业服务圈内" not in text


def test_street_points_at_one_street_point_make_no_circle_claim_in_match_rows(service):
    service.upsert_postings([SAME_STREET])
    seeker = service.create_seeker(SeekerInput(resume_text="做过三年小区保安，有保安员证", consent=True,
                                               street="曲阳路街道"))
    [row] = service.match_seeker(seeker["id"], k=1)["results"]
    _assert_no_claim(row)
    assert row["location_approximate"] is True
    [row] = service.match_text("做过三年小区保安，有保安员证", k=1, street="曲阳路街道")["results"]
    _assert_no_claim(row)


def test_exact_points_500_m_apart_are_within_15_minutes_in_match_rows(service):
    service.upsert_postings([PostingInput(title="小区保安员（曲阳）", requirements="持保安员证", salary="5000元/月",
                                          lat=31.2851, lon=121.4903)])
    [row] = service.match_text("做过三年小区保安，有保安员证", k=1, lat=31.2806, lon=121.4903)["results"]
    assert row["within_15min"] is True and row["distance_km"] == 0.5 and row["commute_minutes"] > 0


def test_proximity_is_neutral_when_the_circles_leave_the_15_minutes_open():
    from matcher.geo.commute import MetroCommute
    from matcher.ranking.pipeline import rank
    from matcher.ranking.scoring import NEUTRAL
    from matcher.types import Direction, Side

    commute, point = MetroCommute(), (31.2806, 121.4903)
    street_seeker = Side(id=1, point=point, approximate_point=True, radius_km=2.0)
    street_posting = Side(id=2, point=point, approximate_point=True, radius_km=2.0)
    exact_seeker = Side(id=3, point=point, radius_km=0.05)
    exact_posting = Side(id=4, point=(31.2851, 121.4903), radius_km=0.05)
    for direction, query, candidate in ((Direction.JOBS, street_seeker, street_posting),
                                        (Direction.SEEKERS, street_posting, street_seeker)):
        [ranked] = rank(direction, query, [candidate], [0.8], commute=commute, k=1)
        assert ranked.scored.components["proximity"] == NEUTRAL  # not 1.0 for a fake 0 km
    [ranked] = rank(Direction.JOBS, exact_seeker, [exact_posting], [0.8], commute=commute, k=1)
    assert ranked.scored.components["proximity"] == 1.0
