import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.occupations.cache import LazyEncoder
from matcher.occupations.coder import FEATURES, NotFittedError, OccupationCoder, clean_title, code_lines, load_ranker
from matcher.occupations.results import Candidate, CodingResult, describe
from models.encoder import HashingEncoder
from models.registry import load_encoder


class CountingEncoder(HashingEncoder):
    """Counts the query texts it is asked to encode."""

    def __init__(self, dim: int = 128):
        super().__init__(dim)
        self.queries = 0

    def encode_queries(self, texts):
        self.queries += len(texts)
        return super().encode_queries(texts)


@pytest.fixture(scope="module")
def hashing_coder():
    return OccupationCoder(HashingEncoder(128)).fit()


@pytest.fixture(scope="module")
def real_coder():
    return OccupationCoder(load_encoder("m3e-small")).fit()


def test_use_before_fit_is_a_clear_error():
    with pytest.raises(NotFittedError, match="fit"):
        OccupationCoder(HashingEncoder(32)).code(["保安"])


def test_clean_title_removes_noise_and_keeps_seniority():
    cleaned = clean_title("急招保安（包吃住）")
    assert cleaned.variants == ("保安",)
    cleaned = clean_title("五险一金 月薪8k 诚聘仓库管理员")
    assert cleaned.variants == ("仓库管理员",)
    cleaned = clean_title("电商客服主管/经理")
    assert "电商客服" in cleaned.variants and set(cleaned.seniority) == {"主管", "经理"}
    assert clean_title("B2司机").variants == ("b2司机",)  # licence classes are not salaries


@pytest.mark.parametrize("junk", ["", "   ", "???", "12345", "😀😀", None, "asdfgh", "qwerty zxcv"])
def test_junk_gets_no_code_and_a_note(hashing_coder, junk):
    (result,) = hashing_coder.code([junk])
    assert result.candidates == [] and result.confidence == 0.0 and result.level == 0
    assert "无法识别" in result.note


def test_exact_alias_wins_without_the_model(hashing_coder):
    results = hashing_coder.code(["急招保安（包吃住）", "五险一金 月薪8k 诚聘仓库管理员", "外卖骑手"])
    assert [r.best_detailed.code for r in results] == ["4-07-05-01", "4-02-06-01", "4-10-08-01"]
    assert results[0].candidates[0].name == "保安员"


def test_clear_titles_skip_the_encoder_and_duplicates_are_coded_once():
    encoder = CountingEncoder()
    coder = OccupationCoder(encoder).fit()
    encoder.queries = 0
    titles = ["急招保安（包吃住）", "外卖骑手", "收银员"] * 400
    results = coder.code(titles, top_k=3)
    assert encoder.queries == 0
    assert [r.best_detailed.code for r in results[:3]] == ["4-07-05-01", "4-10-08-01", "4-01-02-04"]
    assert results[0] == results[3]


def test_uncertain_titles_are_encoded_once_per_cleaned_form():
    encoder = CountingEncoder()
    coder = OccupationCoder(encoder).fit()
    encoder.queries = 0
    coder.code(["急招看店的 月薪8k", "看店的（包吃住）", "诚聘看店的 五险一金"])
    assert encoder.queries == 1


def test_english_abbreviation_is_spelt_out(hashing_coder):
    (result,) = hashing_coder.code(["HRBP"])
    assert result.best_detailed.code in {"2-06-08-01", "4-07-03-04"}  # 人力资源管理专业人员 / 企业人力资源管理师


def test_stale_ranker_weights_are_refused(tmp_path):
    stale = load_ranker()
    stale["features"] = list(FEATURES[:-1])
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(stale), encoding="utf-8")
    with pytest.raises(ValueError, match="重新运行"):
        load_ranker(path)


def test_names_have_no_digital_green_marker(hashing_coder):
    (result,) = hashing_coder.code(["电子商务师"])
    assert result.candidates[0].name == "电子商务师"
    payload = result.to_json()
    assert payload["title"] == "电子商务师"
    assert payload["candidates"][0] == {"code": "4-01-06-01", "name": "电子商务师", "score": pytest.approx(payload["candidates"][0]["score"]), "level": 4}


def test_parents(hashing_coder):
    assert hashing_coder.parents("4-07-05-01") == [
        {"code": "4-07-05-00", "name": "安全保护服务人员", "level": 3},
        {"code": "4-07-00-00", "name": "租赁和商务服务人员", "level": 2},
        {"code": "4-00-00-00", "name": "社会生产服务和生活服务人员", "level": 1},
    ]
    with pytest.raises(KeyError):
        hashing_coder.parents("9-99-99-99")


def test_code_lines_one_json_per_line(hashing_coder):
    lines = list(code_lines(["保安\n", "\n", "收银员\n"], hashing_coder, top_k=3))
    assert len(lines) == 3
    first, blank, third = (json.loads(line) for line in lines)
    assert first["candidates"][0]["code"] == "4-07-05-01" and len(first["candidates"]) <= 4
    assert blank["candidates"] == []
    assert third["candidates"][0]["name"] == "收银员"


@pytest.mark.slow
def test_real_model_codes_messy_titles(real_coder):
    titles = ["拼多多运营", "急招保安（包吃住）", "蛋糕裱花师", "Java开发", "汽车维修机修工", "电商客服主管/经理"]
    pdd, guard, cake, java, mechanic, service = real_coder.code(titles, top_k=5)
    assert "4-01-06-01" in [c.code for c in pdd.candidates[:3]]
    assert guard.candidates[0].code == "4-07-05-01" and guard.confidence > 0.5
    assert cake.best_detailed.code.startswith("6-02-01")  # 糕点面包烘焙 / 糕点装饰
    assert java.best_detailed.code in {"4-04-05-01", "2-02-10-03"}
    assert mechanic.best_detailed.code == "4-12-01-01"
    # 客服主管 is defensibly 客户服务管理员 or 呼叫中心服务员 (网络客服); both must rank high.
    service_codes = [c.code for c in service.candidates if c.level == 4][:3]
    assert {"4-04-05-03", "4-07-02-03"} <= set(service_codes) and "主管" in service.seniority


@pytest.mark.slow
def test_real_model_junk_and_mixed_scripts(real_coder):
    results = real_coder.code(["???", "12345", "Python开发工程师 🚀", "x" * 5000])
    assert results[0].candidates == [] and results[1].candidates == []
    assert results[2].best_detailed is not None
    assert all(0.0 <= r.confidence <= 1.0 for r in results)


@pytest.mark.slow
def test_real_model_clear_titles_are_confident_and_nonsense_abstains(real_coder):
    guard, java, cleaner, nonsense, vague = real_coder.code(["急招保安（包吃住）", "Java开发工程师", "保洁阿姨", "啊啊啊啊", "随便"])
    assert guard.confident and guard.code == "4-07-05-01"
    assert java.confident and java.code == "2-02-10-03"
    assert cleaner.confident and cleaner.code == "4-09-08-01"
    for r in (nonsense, vague):
        assert not r.confident and r.code is None and r.phrase().startswith("可能是：") and "置信度低" in r.phrase()


def test_latin_words_the_table_knows_are_not_junk(hashing_coder):
    (java,) = hashing_coder.code(["Java"])
    assert java.candidates and java.best_detailed.code in {"2-02-10-03", "4-04-05-01"}


def _result(confident: bool) -> CodingResult:
    candidates = [Candidate("4-07-05-01", "保安员", 0.4, 4), Candidate("4-07-05-02", "安检员", 0.2, 4)]
    return CodingResult("看门的", candidates, 0.4 if not confident else 0.9, 4, confident=confident, threshold=0.7)


def test_below_the_threshold_no_code_is_stated_flatly():
    unsure, sure = _result(False), _result(True)
    assert unsure.code is None and sure.code == "4-07-05-01"
    assert unsure.phrase() == "可能是：保安员、安检员（置信度低）"
    assert sure.phrase() == "岗位属于“保安员”"
    # What a posting stores carries the flag, so an explanation written later is hedged the same way.
    assert describe(unsure.stored()) == unsure.phrase() and describe(sure.stored()) == sure.phrase()
    assert describe([]) is None
    payload = unsure.to_json()
    assert payload["confident"] is False and payload["threshold"] == 0.7 and "置信度低" in payload["phrase"]


def test_every_result_carries_the_stated_threshold(hashing_coder):
    results = hashing_coder.code(["保安", "看店的", "asdfgh"])
    assert {r.threshold for r in results} == {hashing_coder.threshold}
    assert 0.0 < hashing_coder.threshold < 1.0
    for r in results:
        assert r.confident == (r.confidence >= r.threshold)
        if not r.confident:
            assert r.code is None and "岗位属于" not in (r.phrase() or "")


_SECOND_PROCESS = """
import sys
from matcher.occupations.cache import LazyEncoder
from matcher.occupations.coder import OccupationCoder

def refuse():
    raise SystemExit("the model was loaded although the cache holds everything")

coder = OccupationCoder(LazyEncoder("hashing-64", refuse)).fit(cache_dir=sys.argv[1])
for r in coder.code(["急招保安（包吃住）", "看店的"]):
    print(r.best_detailed.code)
"""


def test_fitted_state_and_title_embeddings_are_reused_by_another_process(tmp_path):
    from models.encoder import HashingEncoder

    first = OccupationCoder(HashingEncoder(64)).fit(cache_dir=tmp_path)
    expected = [r.best_detailed.code for r in first.code(["急招保安（包吃住）", "看店的"])]
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("occupation-*.npz")) == ["queries", "state"]
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", _SECOND_PROCESS, str(tmp_path)], capture_output=True, text=True,
                         env=env, cwd=root, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == expected


def test_a_damaged_cache_file_is_rebuilt_not_trusted(tmp_path):
    from models.encoder import HashingEncoder

    OccupationCoder(HashingEncoder(64)).fit(cache_dir=tmp_path)
    (state,) = tmp_path.glob("occupation-state-*.npz")
    state.write_bytes(b"not an npz")
    coder = OccupationCoder(HashingEncoder(64)).fit(cache_dir=tmp_path)
    assert coder.code(["保安"])[0].best_detailed.code == "4-07-05-01"


def test_lazy_encoder_is_not_loaded_for_titles_the_lexical_model_is_sure_of(tmp_path):
    from models.encoder import HashingEncoder

    OccupationCoder(HashingEncoder(64)).fit(cache_dir=tmp_path)
    lazy = LazyEncoder("hashing-64", lambda: HashingEncoder(64))
    coder = OccupationCoder(lazy).fit(cache_dir=tmp_path)
    coder.code(["急招保安（包吃住）", "收银员"])
    assert not lazy.loaded


def test_cli_codes_stdin_and_hedges_unsure_titles(tmp_path):
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root), "JOBCIRCLE_DATA_DIR": str(tmp_path), "JOBCIRCLE_ENCODER": "hashing-64"}
    out = subprocess.run([sys.executable, "-m", "cli.main", "occupations", "code", "--json"], input="急招保安（包吃住）\nasdfgh\n",
                         capture_output=True, text=True, env=env, cwd=root, timeout=300)
    assert out.returncode == 0, out.stderr
    guard, junk = (json.loads(line) for line in out.stdout.splitlines())
    assert guard["candidates"][0]["code"] == "4-07-05-01" and guard["confident"] and guard["phrase"] == "岗位属于“保安员”"
    assert junk["candidates"] == [] and not junk["confident"] and "无法识别" in junk["note"]
    assert list(tmp_path.glob("cache/occupation-state-hashing-64-*.npz"))
