import numpy as np
import pytest
from sqlalchemy import func, select

from data.schema import Employer

from matcher.errors import InvalidInput, NotFound
from matcher.inputs import PostingInput, SeekerInput
from matcher.ranking.scoring import WEIGHTS
from matcher.service import JobCircle, MatchFilters
from models.encoder import HashingEncoder

DESIGN = PostingInput(title="平面设计助理", requirements="熟练使用Photoshop、Illustrator", salary="6000-8000元/月",
                      street="曲阳路街道", education="大专及以上")
CATERING = PostingInput(title="社区食堂帮厨", requirements="持健康证，会切配", salary="5000元/月", street="欧阳路街道")
SECURITY = PostingInput(title="小区保安员", requirements="持保安员证，能上夜班", salary="200元/天", address="虹口区四平路")
FAR = PostingInput(title="平面设计师", requirements="Photoshop、Illustrator", salary="6000-8000元/月",
                   lat=31.03, lon=121.22)  # Songjiang, far from Hongkou


def _seeker(**extra):
    return SeekerInput(resume_text="视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。手机13812345678",
                       consent=True, street="广中路街道", **extra)


def test_right_job_ranks_first_and_explains_itself(service):
    ids = service.upsert_postings([DESIGN, CATERING, SECURITY])
    seeker = service.create_seeker(_seeker(expected_salary=6000))
    results = service.match_seeker(seeker["id"], k=3)["results"]
    assert results[0]["posting_id"] == ids[0]
    top = results[0]
    assert "Photoshop" in top["matched"] and "Photoshop" in top["explanation"]
    assert set(top["breakdown"]) >= {"semantic", "coverage", "education", "experience", "salary", "proximity"}
    assert top["score"] == pytest.approx(sum(top["breakdown"].values()), abs=1e-3)
    assert top["location_approximate"] is True and "估算" in top["explanation"]


def test_closed_posting_disappears_and_new_one_appears_without_rebuild(service):
    ids = service.upsert_postings([DESIGN, CATERING])
    seeker = service.create_seeker(_seeker())
    service.close_posting(ids[0])
    assert ids[0] not in [r["posting_id"] for r in service.match_seeker(seeker["id"], k=10)["results"]]
    new_id = service.create_posting(PostingInput(title="平面设计助理（见习）", requirements="Photoshop、Illustrator",
                                                 street="广中路街道"))["id"]
    assert service.match_seeker(seeker["id"], k=1)["results"][0]["posting_id"] == new_id


def test_expired_posting_is_never_matched(service):
    expired = PostingInput.model_validate(DESIGN.model_dump() | {"expires_at": "2020-01-01T00:00:00+00:00"})
    ids = service.upsert_postings([expired, CATERING])
    seeker = service.create_seeker(_seeker())
    assert ids[0] not in [r["posting_id"] for r in service.match_seeker(seeker["id"], k=10)["results"]]


def test_results_survive_a_restart(settings):
    first = JobCircle(settings, HashingEncoder(256)).start()
    first.upsert_postings([DESIGN, CATERING, SECURITY, FAR])
    seeker_id = first.create_seeker(_seeker())["id"]
    before = first.match_seeker(seeker_id, k=4)["results"]
    first.stop()
    second = JobCircle(settings, HashingEncoder(256)).start()
    assert second.match_seeker(seeker_id, k=4)["results"] == before
    second.stop()


def test_writes_from_another_process_reach_a_running_service(settings):
    server = JobCircle(settings, HashingEncoder(256)).start()
    seeker_id = server.create_seeker(_seeker())["id"]
    importer = JobCircle(settings, HashingEncoder(256)).start()  # e.g. `jobcircle import` in another shell
    new_id = importer.upsert_postings([DESIGN])[0]
    assert server.match_seeker(seeker_id, k=1)["results"][0]["posting_id"] == new_id
    importer.stop()
    server.stop()


def test_max_commute_and_min_salary_are_hard_filters(service):
    ids = service.upsert_postings([DESIGN, FAR, SECURITY])
    seeker = service.create_seeker(_seeker())
    near_only = service.match_seeker(seeker["id"], k=10, filters=MatchFilters(max_commute_minutes=30))["results"]
    assert ids[1] not in [r["posting_id"] for r in near_only]
    # A posting whose place is known only to its district has no honest travel time: kept, not counted as near.
    assert all(r["commute_minutes"] is None or r["commute_minutes"] <= 30 for r in near_only)
    paid = service.match_seeker(seeker["id"], k=10, filters=MatchFilters(min_salary=5000))["results"]
    assert ids[2] not in [r["posting_id"] for r in paid]  # 200元/天 ≈ 4350元/月


def test_resume_phone_and_id_number_are_lifted_out_of_the_text(service):
    seeker = service.create_seeker(SeekerInput(
        resume_text="张三，身份证310109199001011234，电话 138-1234-5678，做过保安。", consent=True))
    assert "13812345678" not in seeker["resume_text"] and "310109199001011234" not in seeker["resume_text"]
    assert seeker["phone_masked"] == "138****5678"
    assert seeker["id_number_masked"] == "310***********1234"


def test_sensitive_tags_need_their_own_consent(service):
    with pytest.raises(InvalidInput) as error:
        service.create_seeker(_seeker(priority_tags=["残疾人"]))
    assert error.value.field == "priority_tags"
    assert service.create_seeker(_seeker(priority_tags=["残疾人"], sensitive_consent=True))["priority_tags"] == ["disabled"]


def test_ad_hoc_match_stores_nothing(service):
    service.upsert_postings([DESIGN, CATERING])
    before = service.stats()
    results = service.match_text("熟练Photoshop和Illustrator的设计专业毕业生", k=2, street="曲阳路街道")["results"]
    assert results[0]["title"] == "平面设计助理"
    assert service.stats()["seekers"] == before["seekers"]


def test_unknown_ids_and_bad_k_are_clear_errors(service):
    with pytest.raises(NotFound, match="求职者 99"):
        service.match_seeker(99)["results"]
    seeker = service.create_seeker(_seeker())
    with pytest.raises(InvalidInput) as error:
        service.match_seeker(seeker["id"], k=1000)["results"]
    assert error.value.field == "k"


def test_nearby_works_from_a_street_name_alone_and_says_it_is_approximate(service):
    ids = service.upsert_postings([DESIGN, FAR])
    found = service.nearby(street="曲阳路街道", radius_km=3)
    assert found["origin"]["approximate"] is True
    assert [p["posting_id"] for p in found["postings"]] == [ids[0]]


def test_update_reencodes_and_keeps_status(service):
    posting_id = service.upsert_postings([DESIGN])[0]
    updated = service.update_posting(posting_id, {"salary": "7000-9000元/月"})
    assert updated["salary_monthly_max"] == 9000 and updated["status"] == "open"
    with pytest.raises(InvalidInput, match="薪资“5-6元/月”") as error:
        service.update_posting(posting_id, {"salary": "5-6元/月"})
    assert error.value.field == "salary"
    assert service.get_posting(posting_id)["salary"] == "7000-9000元/月"


def test_updates_with_bad_fields_name_the_field_in_chinese(service):
    seeker_id = service.create_seeker(_seeker())["id"]
    with pytest.raises(InvalidInput, match="纬度和经度需同时填写") as error:
        service.update_seeker(seeker_id, {"lat": 31.27})
    with pytest.raises(InvalidInput, match="不能为空") as error:
        service.update_posting(service.upsert_postings([DESIGN])[0], {"title": ""})
    assert error.value.field == "title"
    with pytest.raises(NotFound, match="岗位 999 不存在"):
        service.update_posting(999, {"title": "保安"})


def test_unknown_street_and_blank_resume_are_named(service):
    with pytest.raises(InvalidInput, match="未找到街道“火星路街道”") as error:
        service.match_text("会开叉车", street="火星路街道")["results"]
    assert error.value.field == "street"
    with pytest.raises(InvalidInput, match="简历内容不能为空") as error:
        service.match_text("   ")["results"]
    assert error.value.field == "resume_text"
    with pytest.raises(InvalidInput, match="未找到街道") as error:
        service.upsert_postings([CATERING, DESIGN.model_copy(update={"street": "火星路街道"})])
    assert service.stats()["postings_open"] == 0  # all or nothing


def test_index_is_rebuilt_when_the_stored_one_is_corrupt(settings):
    first = JobCircle(settings, HashingEncoder(256)).start()
    first.upsert_postings([DESIGN, CATERING])
    first.stop()
    (settings.index_dir / "index.faiss").write_bytes(b"garbage")
    second = JobCircle(settings, HashingEncoder(256)).start()
    assert second.stats()["index_size"] == 2
    second.stop()


def test_reimport_with_external_ids_updates_instead_of_duplicating(service):
    row = DESIGN.model_copy(update={"external_id": "HK-001"})
    first = service.upsert_postings([row])
    second = service.upsert_postings([row.model_copy(update={"salary": "7000-9000元/月"})])
    assert first == second
    assert service.stats()["postings_open"] == 1
    assert np.isclose(service.get_posting(first[0])["salary_monthly_max"], 9000)


def test_discriminatory_posting_is_held_as_draft_until_edited(service):
    posting = service.create_posting(PostingInput(title="仓库管理员", requirements="限男性，年龄35周岁以下，熟悉Excel",
                                                  street="曲阳路街道"))
    assert posting["status"] == "draft"
    assert {f["ground"] for f in posting["compliance_findings"]} >= {"gender", "age"}
    seeker = service.create_seeker(_seeker())
    assert posting["id"] not in [r["posting_id"] for r in service.match_seeker(seeker["id"], k=10)["results"]]
    fixed = service.update_posting(posting["id"], {"requirements": "熟悉Excel，能适应倒班"})
    assert fixed["status"] == "open"
    assert posting["id"] in [r["posting_id"] for r in service.match_seeker(seeker["id"], k=10)["results"]]


def test_jobs_for_a_seeker_ignore_gender_age_ethnicity_hukou_and_marriage(service):
    base = "视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计。"
    # A posting worded like the resumes, so the semantic score is in its sensitive range.
    twin = PostingInput(title="海报设计", requirements="视觉传达设计专业，熟练Photoshop", street="广中路街道")
    service.upsert_postings([twin, DESIGN, CATERING, SECURITY, FAR])
    pairs = [("男，", "女，"), ("25岁，", "45岁，"), ("汉族，", "回族，"), ("上海户籍，", "外地户籍，"), ("已婚，", "未婚，")]
    for first, second in pairs:
        a = service.create_seeker(SeekerInput(resume_text=first + base, consent=True, street="广中路街道"))
        b = service.create_seeker(SeekerInput(resume_text=second + base, consent=True, street="广中路街道"))
        first_results, second_results = service.match_seeker(a["id"], k=4)["results"], service.match_seeker(b["id"], k=4)["results"]
        assert 0.5 < first_results[0]["similarity"] < 0.9  # where a difference would show in the score
        strip = lambda results: [(r["posting_id"], r["score"], r["explanation"]) for r in results]  # noqa: E731
        assert strip(first_results) == strip(second_results)


def test_open_ended_salary_counts_as_meeting_the_expectation(service):
    posting_id = service.upsert_postings([PostingInput(title="平面设计助理", requirements="Photoshop、Illustrator",
                                                       salary="7000元以上", street="曲阳路街道")])[0]
    seeker = service.create_seeker(_seeker(expected_salary=6000))
    result = service.match_seeker(seeker["id"], k=1)["results"][0]
    assert result["posting_id"] == posting_id
    assert "达到期望" in result["explanation"] and result["breakdown"]["salary"] == pytest.approx(WEIGHTS["salary"])


def test_one_import_repeating_an_external_id_and_an_employer_keeps_one_row_each(service):
    """Stored postings and employers are read per chunk: a later row of the same import still updates the
    row an earlier one created, and a new employer is created once."""
    rows = [DESIGN.model_copy(update={"external_id": "HK-1", "employer": "新雇主甲"}),
            CATERING.model_copy(update={"external_id": "HK-2", "employer": "新雇主甲"}),
            DESIGN.model_copy(update={"external_id": "HK-1", "employer": "新雇主甲", "salary": "7000-9000元/月"})]
    ids = service.upsert_postings(rows)
    assert ids[0] == ids[2] != ids[1]
    assert service.stats()["postings_open"] == 2
    first, second = service.get_posting(ids[0]), service.get_posting(ids[1])
    assert first["employer"] == second["employer"] == "新雇主甲"
    assert np.isclose(first["salary_monthly_max"], 9000)
    again = service.upsert_postings([CATERING.model_copy(update={"external_id": "HK-3", "employer": "新雇主甲"})])
    assert service.get_posting(again[0])["employer"] == "新雇主甲"
    with service.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Employer).where(Employer.name == "新雇主甲")) == 1
