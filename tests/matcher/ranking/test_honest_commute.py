"""A place known only to its district never yields a 15-minute claim or a distance (issue 11)."""
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
