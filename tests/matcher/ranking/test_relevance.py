"""Relevance first, then gates, then logistics; an honest "nothing suitable"; duplicates collapsed.

A keyword encoder makes every cosine exact, so what decides each order below is known."""
import pytest

from matcher.errors import InvalidInput
from matcher.inputs import PostingInput
from matcher.ranking.explain import explain_match
from matcher.ranking.pipeline import rank
from matcher.ranking.scoring import gates, score_pair
from matcher.service import JobCircle
from matcher.types import Direction, Side
from tests.keyword_encoder import KeywordEncoder

KEYWORDS = ["保安", "保洁", "Java", "护理", "叉车"]
STREET = "曲阳路街道"


@pytest.fixture
def keyword_service(settings):
    settings.relevance_threshold = 0.4
    service = JobCircle(settings, KeywordEncoder(KEYWORDS)).start()
    yield service
    service.stop()


def test_a_denied_certificate_demotes_and_is_said():
    seeker = Side(id=1, denied=frozenset({"保安员证"}))
    needs, free = Side(id=2, certificates=frozenset({"保安员证"})), Side(id=3)
    assert gates(seeker, needs) == [{"kind": "certificate", "name": "保安员证", "status": "denied"}]
    assert gates(Side(id=1), needs)[0]["status"] == "missing"
    assert gates(Side(id=1, all_certificates=True), needs) == []  # 证件齐全
    low, high = score_pair(seeker, needs, 0.8, None), score_pair(seeker, free, 0.8, None)
    assert low.score < high.score and low.components["gates"] == 0.0
    assert "简历写明没有此证" in explain_match(seeker, needs, low)


def test_nights_ruled_out_and_work_left_behind_are_gates():
    day_only = Side(id=1, nights_ruled_out=True)
    assert gates(day_only, Side(id=2, night_work=True))[0]["kind"] == "schedule"
    assert gates(day_only, Side(id=3)) == []
    changer = Side(id=1, occupations=("3-01-01-01",), former_occupations=("4-01-02-01",))
    sales = Side(id=2, occupations=("4-01-02-01",), occupation_name="销售人员")
    office = Side(id=3, occupations=("3-01-01-01",))
    assert gates(changer, sales) == [{"kind": "intent", "name": "销售人员", "status": "left"}]
    assert gates(changer, office) == []
    assert "以前做过、现在不想再做" in explain_match(changer, sales, score_pair(changer, sales, 0.8, None))


def test_both_directions_rank_with_the_same_gates():
    seeker = Side(id=1, denied=frozenset({"叉车证"}))
    posting = Side(id=2, certificates=frozenset({"叉车证"}))

    class _Commute:
        def estimate(self, *a, **k):
            raise AssertionError("no places given")

    jobs = rank(Direction.JOBS, seeker, [posting], [0.8], commute=_Commute(), k=1, lexical=[3.0], lexical_ideal=10.0)
    seekers = rank(Direction.SEEKERS, posting, [seeker], [0.8], commute=_Commute(), k=1, lexical=[3.0],
                   lexical_ideal=[10.0])
    assert jobs[0].scored.gates == seekers[0].scored.gates == [{"kind": "certificate", "name": "叉车证", "status": "denied"}]
    assert jobs[0].scored.score == seekers[0].scored.score and jobs[0].scored.relevance == seekers[0].scored.relevance


def test_the_right_work_without_the_licence_ranks_below_it_with_but_above_other_work(keyword_service):
    service = keyword_service
    licensed, plain, other = service.upsert_postings([
        PostingInput(title="小区保安", requirements="持保安员证，门岗值班巡逻", street=STREET),
        PostingInput(title="商场保安", requirements="门岗值班巡逻，退伍军人优先", street=STREET),
        PostingInput(title="商场保洁", requirements="拖地擦玻璃", street=STREET),
    ])
    answer = service.match_text("退伍军人，想做保安，门岗巡逻都行，没有保安员证。", k=3, street=STREET)
    order = [r["posting_id"] for r in answer["results"]]
    assert order[:2] == [plain, licensed]
    gated = answer["results"][1]
    assert gated["gates"] == [{"kind": "certificate", "name": "保安员证", "status": "denied"}]
    assert "没有此证" in gated["explanation"]


def test_garbage_and_symbols_never_get_jobs(keyword_service):
    service = keyword_service
    service.upsert_postings([PostingInput(title="Java开发工程师", requirements="熟悉Java、Spring Boot、MySQL")])
    for text in ("。。。。", "😀😀😀😀", "1234567890"):
        with pytest.raises(InvalidInput) as err:
            service.match_text(text)
        assert "简历" in err.value.message
    for text in ("asdfgh", "你好"):
        answer = service.match_text(text)
        assert answer["results"] == [] and answer["weak_alternatives"] == [] and "没有任何共同的工作内容" in answer["message"]


def test_out_of_field_resumes_get_nothing_suitable_with_weak_alternatives_apart(keyword_service):
    service = keyword_service
    ids = service.upsert_postings([
        PostingInput(title="Java开发工程师", requirements="熟悉Java、Spring Boot、MySQL"),
        PostingInput(title="Java后端实习生", requirements="熟悉Java基础，每周到岗4天"),
    ])
    for text in ("三甲医院心内科主治医师，有执业医师资格，擅长心脏介入手术。",
                 "在养老院做护理员，照顾失能老人，帮老人擦身喂饭。"):
        answer = service.match_text(text, k=5)
        assert answer["results"] == [], text
        assert "没有与简历所写工作方向相符的岗位" in answer["message"]
        assert all(w["weak"] for w in answer["weak_alternatives"])
        assert {w["posting_id"] for w in answer["weak_alternatives"]} <= set(ids)
    fit = service.match_text("3年Java后端开发，熟悉Spring Boot和MySQL。", k=5)
    assert fit["message"] is None and fit["results"][0]["posting_id"] in ids


def test_duplicates_are_collapsed_in_results(keyword_service, tmp_path):
    from matcher.ingest import import_file

    service = keyword_service
    rows = "岗位名称,公司名称,工作地点,岗位描述\n" + "\n".join([
        "小区保安,上海虹馨物业,曲阳路500号,门岗值班、夜间巡逻、车辆登记",
        "小区保安,上海虹馨物业,曲阳路500号,门岗值班、夜间巡逻、车辆登记。",
        "小区保安,上海虹馨物业,四平路1号,门岗值班、夜间巡逻、车辆登记",
        "商场保洁,上海虹馨物业,曲阳路500号,拖地擦玻璃",
    ])
    path = tmp_path / "postings.csv"
    path.write_text(rows, encoding="utf-8")
    result = import_file(service, "posting", path)
    first, second, elsewhere, _ = result.ids
    assert result.duplicates == [{"row": 3, "posting_id": second, "duplicate_of": first}]
    assert service.get_posting(second)["duplicate_of"] == first and service.get_posting(elsewhere)["duplicate_of"] is None
    shown = [r["posting_id"] for r in service.match_text("做过小区保安，门岗巡逻", k=10)["results"]]
    assert first in shown and elsewhere in shown and second not in shown
