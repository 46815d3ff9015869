import numpy as np
import pytest
from sqlalchemy import select

from data.access_tables import Decision, ShortlistEntry
from matcher.counsellor.access import LOCAL_ADMIN, Principal
from matcher.counsellor.desk import CounsellorDesk
from matcher.errors import Conflict, Forbidden, InvalidInput
from matcher.inputs import PostingInput, SeekerInput
from matcher.ranking.scoring import WEIGHTS
from matcher.service import JobCircle
from matcher.counsellor.shortlist import PriorityPolicy, ProtectedAttributes
from models.encoder import HashingEncoder

DESIGN = PostingInput(title="平面设计助理", requirements="熟练使用Photoshop、Illustrator", salary="6000-8000元/月",
                      street="曲阳路街道", education="大专及以上")
# Worded like BASE so that even the hashing test encoder gives cosines in the range the semantic
# component uses (0.5-0.9): protected words then do move the raw score, and must be neutralised.
CLOSE = PostingInput(title="平面设计助理", description="视觉传达设计专业，熟练Photoshop、Illustrator，做过海报设计，在虹口区工作。",
                     requirements="熟练使用Photoshop、Illustrator", salary="6000-8000元/月", street="曲阳路街道")
BASE = "视觉传达设计专业大专毕业，熟练Photoshop、Illustrator，做过三年海报设计，期望在虹口区工作。"
OTHERS = [
    "会计专业，熟练使用Excel和用友财务软件，做过出纳。",
    "做过两年平面设计，会Photoshop，做过淘宝详情页。",
    "持健康证，在社区食堂做过帮厨和切配。",
    "熟练Illustrator和CorelDRAW，做过包装设计。",
    "保安员证，做过小区门岗和夜班巡逻。",
]
# Pairs of words a ranking must never use: gender, age, ethnicity, hukou, marital status.
PAIRS = [
    ("男，", "女，"),
    ("25岁，", "45岁，"),
    ("汉族，", "回族，"),
    ("上海户籍，", "外地户籍，"),
    ("已婚，", "未婚，"),
    ("性别：男，年龄：25，民族：汉族，户籍：上海，婚姻状况：已婚。", "性别：女，年龄：45，民族：回族，户籍：安徽，婚姻状况：未婚。"),
    ("男，25岁，汉族，上海户籍，已婚，", "女，45岁，回族，外地户籍，未婚，"),
]


def _seeker(text: str, **extra) -> SeekerInput:
    return SeekerInput(resume_text=text, consent=True, street="广中路街道", **extra)


@pytest.fixture
def desk(service):
    return CounsellorDesk(service).start()


def test_resumes_differing_only_in_protected_words_rank_identically(service, desk):
    posting_id = service.create_posting(CLOSE)["id"]
    service.upsert_seekers([_seeker(text) for text in OTHERS])
    pair_ids = []
    for first, second in PAIRS:
        a = service.create_seeker(_seeker("王某，" + first + BASE))["id"]
        b = service.create_seeker(_seeker("王某，" + second + BASE))["id"]
        pair_ids.append((a, b))
    # The raw texts do embed differently: equal ranks below come from the redaction, not from luck.
    first, second = PAIRS[-1]
    raw = service.encoder.encode_documents(["王某，" + first + BASE, "王某，" + second + BASE])
    assert not np.array_equal(raw[0], raw[1])
    candidates = desk.shortlist(LOCAL_ADMIN, posting_id, k=100)["candidates"]
    order = [c["seeker_id"] for c in candidates]
    by_id = {c["seeker_id"]: c for c in candidates}
    assert len(order) == len(OTHERS) + 2 * len(PAIRS)
    assert all(0 < by_id[a]["breakdown"]["semantic"] < WEIGHTS["semantic"] for a, _ in pair_ids)
    for a, b in pair_ids:
        assert by_id[a]["fit_score"] == by_id[b]["fit_score"]
        assert by_id[a]["breakdown"] == by_id[b]["breakdown"]
        assert by_id[a]["explanation"] == by_id[b]["explanation"]
        # Each one's rank among everyone else, without its twin, is the same.
        assert [i for i in order if i != b].index(a) == [i for i in order if i != a].index(b)


def test_protected_word_list_keeps_ordinary_job_words():
    protected = ProtectedAttributes()
    assert protected.neutralise("做过男装销售和女装陈列，在水族馆做过讲解") == "做过男装销售和女装陈列，在水族馆做过讲解"
    found = protected.found("张某，女，1985年3月出生，回族，安徽省籍，已婚已育，做过收银。")
    assert set(found) == {"gender", "age", "ethnicity", "hukou", "marital"}
    assert protected.neutralise("张某，女，1985年3月出生，回族，安徽省籍，已婚已育，做过收银。") == "张某，做过收银。"


def test_policy_component_is_separate_from_fit_and_recorded(service, desk):
    posting_id = service.create_posting(DESIGN)["id"]
    plain = service.create_seeker(_seeker(BASE))["id"]
    graduate = service.create_seeker(_seeker(BASE, priority_tags=["应届高校毕业生"]))["id"]
    result = desk.shortlist(LOCAL_ADMIN, posting_id, k=5)
    by_id = {c["seeker_id"]: c for c in result["candidates"]}
    assert by_id[plain]["fit_score"] == by_id[graduate]["fit_score"]  # the tag never changes the fit
    assert by_id[plain]["policy"]["score"] == 0
    policy = by_id[graduate]["policy"]
    assert policy["score"] > 0 and policy["groups"][0]["group"] == "graduate" and policy["groups"][0]["basis"]
    assert "policy" not in by_id[graduate]["breakdown"]
    assert by_id[graduate]["rank_score"] == pytest.approx(by_id[graduate]["fit_score"] + policy["score"])
    assert result["candidates"][0]["seeker_id"] == graduate
    with service.db.session() as session:
        rows = {r.seeker_id: r for r in session.scalars(select(ShortlistEntry).where(ShortlistEntry.posting_id == posting_id))}
    assert rows[graduate].policy_score == policy["score"] and rows[graduate].fit_score == by_id[graduate]["fit_score"]
    assert rows[graduate].policy_reasons[0]["group"] == "graduate" and rows[plain].policy_score == 0
    fit_only = desk.shortlist(LOCAL_ADMIN, posting_id, k=5, use_policy=False)["candidates"]
    assert all(c["policy"]["score"] == 0 and c["rank_score"] == c["fit_score"] for c in fit_only)


def test_sensitive_groups_need_consent_and_disability_needs_an_accessible_posting():
    policy = PriorityPolicy("310109")
    assert policy.component(["employment_difficulty"], sensitive_consent=False, posting_accessible=False)[0] == 0
    assert policy.component(["employment_difficulty"], sensitive_consent=True, posting_accessible=False)[0] > 0
    assert policy.component(["disabled"], sensitive_consent=True, posting_accessible=False)[0] == 0
    assert policy.component(["disabled"], sensitive_consent=True, posting_accessible=True)[0] > 0
    everything = ["employment_difficulty", "long_term_unemployed_youth", "disabled", "graduate", "veteran"]
    assert policy.component(everything, True, True)[0] == policy.max_total  # capped


def test_counsellor_sees_only_their_stations_seekers(service, desk):
    stations = service.add_stations([{"name": "甲站", "kind": "street_centre"}, {"name": "乙站", "kind": "street_centre"}])
    posting_id = service.create_posting(DESIGN)["id"]
    mine = service.create_seeker(_seeker(BASE, station_id=stations[0], phone="13812345678"))["id"]
    service.create_seeker(_seeker(BASE, station_id=stations[1]))
    counsellor = Principal(user_id=None, role="counsellor", station_ids=frozenset({stations[0]}))
    candidates = desk.shortlist(counsellor, posting_id, k=10)["candidates"]
    assert [c["seeker_id"] for c in candidates] == [mine]
    assert candidates[0]["phone_masked"] == "138****5678" and "phone" not in candidates[0]
    with pytest.raises(Forbidden):
        desk.shortlist(Principal(user_id=None, role="seeker", seeker_id=mine), posting_id)


def test_seeker_index_follows_new_edited_and_deleted_seekers(settings, service, desk):
    posting_id = service.create_posting(DESIGN)["id"]
    first = service.create_seeker(_seeker("持健康证，做过帮厨。"))["id"]
    other_process = JobCircle(settings, HashingEncoder(256)).start()
    second = other_process.create_seeker(_seeker(BASE))["id"]
    ids = [c["seeker_id"] for c in desk.shortlist(LOCAL_ADMIN, posting_id, k=10)["candidates"]]
    assert ids[0] == second and first in ids
    other_process.update_seeker(first, {"resume_text": BASE + "另外熟悉InDesign。"})
    desk.delete_seeker(LOCAL_ADMIN, second)
    ids = [c["seeker_id"] for c in desk.shortlist(LOCAL_ADMIN, posting_id, k=10)["candidates"]]
    assert ids == [first]
    other_process.stop()
    restarted = CounsellorDesk(service).start()  # loads the saved seeker index and catches up
    assert [c["seeker_id"] for c in restarted.shortlist(LOCAL_ADMIN, posting_id, k=10)["candidates"]] == [first]


def test_exposure_penalty_spreads_shortlists(settings, service):
    postings = service.upsert_postings([DESIGN] + [
        PostingInput(title=f"设计助理{n}", requirements="Photoshop、Illustrator", street="曲阳路街道") for n in range(6)])
    station = service.add_stations([{"name": "甲站", "kind": "street_centre"}])[0]
    often = service.create_seeker(_seeker(BASE, station_id=station))["id"]
    desk = CounsellorDesk(service).start()
    for posting_id in postings[1:]:
        desk.shortlist(LOCAL_ADMIN, posting_id, k=1)  # `often` tops each of these
    rested = service.create_seeker(_seeker(BASE, station_id=station))["id"]
    assert desk.shortlist(LOCAL_ADMIN, postings[0], k=2)["candidates"][0]["seeker_id"] == often
    settings.shortlist_exposure_penalty = 0.1
    ranked = desk.shortlist(LOCAL_ADMIN, postings[0], k=2)["candidates"]
    assert [c["seeker_id"] for c in ranked] == [rested, often]
    penalised = ranked[1]
    assert penalised["exposure"]["shortlisted_postings_30d"] == 6  # postings 1..6; this posting is not counted
    assert penalised["breakdown"]["exposure"] == pytest.approx(-0.06)
    assert penalised["rank_score"] == pytest.approx(penalised["fit_score"] - 0.06)
    report = desk.exposure(LOCAL_ADMIN, station)["seekers"]
    assert report[0]["seeker_id"] == often and report[0]["postings"] == 7


def test_decisions_are_stored_and_shown_on_the_shortlist(service, desk):
    posting_id = service.create_posting(DESIGN)["id"]
    seeker_id = service.create_seeker(_seeker(BASE))["id"]
    with pytest.raises(InvalidInput):
        desk.decide(LOCAL_ADMIN, posting_id, seeker_id, "not_suitable", "")
    desk.decide(LOCAL_ADMIN, posting_id, seeker_id, "recommend", "技能对口")
    with service.db.session() as session:
        stored = session.scalars(select(Decision)).all()
    assert [(d.posting_id, d.seeker_id, d.decision, d.reason) for d in stored] == [(posting_id, seeker_id, "recommend", "技能对口")]
    shown = desk.shortlist(LOCAL_ADMIN, posting_id, k=1)["candidates"][0]
    assert shown["decision"]["decision"] == "recommend"


def test_a_draft_posting_has_no_shortlist(service, desk):
    draft = service.create_posting(PostingInput(title="仓库管理员", requirements="限男性，35周岁以下"))
    with pytest.raises(Conflict):
        desk.shortlist(LOCAL_ADMIN, draft["id"])


class _Coder:
    """A stand-in occupation coder: design titles and resumes are 平面设计人员, the rest unknown."""

    class _Result:
        def __init__(self, candidates):
            self.candidates, self.confidence = candidates, 0.9

    class _Candidate:
        code, name, score, level = "4-08-08-07", "平面设计人员", 0.9, 4

    def code(self, titles, top_k=3):
        return [self._Result([self._Candidate()] if "设计" in title else []) for title in titles]


def test_shortlist_explains_like_a_match_and_names_the_occupation(settings):
    service = JobCircle(settings, HashingEncoder(256), coder=_Coder()).start()
    desk = CounsellorDesk(service).start()
    try:
        posting_id = service.create_posting(DESIGN)["id"]
        seeker_id = service.create_seeker(_seeker(BASE))["id"]
        candidate = desk.shortlist(LOCAL_ADMIN, posting_id, k=1)["candidates"][0]
        match = service.match_seeker(seeker_id, k=1)["results"][0]
        assert candidate["explanation"].startswith("岗位属于“平面设计人员”")
        assert candidate["explanation"] == match["explanation"]
        assert candidate["fit_score"] == match["score"] and candidate["breakdown"] == match["breakdown"]
    finally:
        desk.stop()
        service.stop()
