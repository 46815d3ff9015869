"""A profile is built once per input: one redact, one neutralise, one place, one encode."""
import pytest

from matcher.geo import places
from matcher.inputs import PostingInput, SeekerInput
from matcher.text import profiles
from matcher.text.profiles import build_profile, text_profile


class _Counting:
    def __init__(self, monkeypatch, module, name):
        self.calls = 0
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)


def test_a_pasted_resume_is_neutralised_once_and_encoded_once(service, monkeypatch):
    service.upsert_postings([PostingInput(title="叉车司机", requirements="持叉车证", street="曲阳路街道")])
    neutralised = _Counting(monkeypatch, profiles, "neutralise")
    queries = _Counting(monkeypatch, service.encoder, "encode_queries")
    documents = _Counting(monkeypatch, service.encoder, "encode_documents")
    service.match_text("男，35岁，持叉车证，做过三年仓库", k=1, street="曲阳路街道")["results"]
    assert (neutralised.calls, queries.calls, documents.calls) == (1, 1, 0)


def test_an_imported_posting_is_placed_once(service, monkeypatch):
    resolved = _Counting(monkeypatch, places.Gazetteer, "resolve")
    service.upsert_postings([PostingInput(title="保洁员", street="欧阳路街道", address="虹口区欧阳路")])
    assert resolved.calls == 1


def test_seeker_profile_removes_protected_words_and_personal_numbers():
    profile = build_profile(SeekerInput(resume_text="女，45岁，已婚。手机13812345678，持健康证，做过帮厨。", consent=True))
    assert "13812345678" not in profile.clean_text and profile.found["phones"] == ["13812345678"]
    for word in ("女", "45岁", "已婚"):
        assert word not in profile.text
    assert "健康证" in profile.text and "健康证" in profile.features["certificates"]


def test_posting_profile_parses_salary_and_finds_discrimination_once():
    profile = build_profile(PostingInput(title="仓库管理员", requirements="限男性，熟悉Excel", salary="6-8k"))
    assert profile.salary.monthly_min == 6000 and profile.salary.monthly_max == 8000
    assert {f.ground for f in profile.findings} >= {"gender"}
    assert profile.text.startswith("仓库管理员\n仓库管理员")


def test_text_profile_errors_name_the_field():
    from matcher.errors import InvalidInput

    with pytest.raises(InvalidInput, match="简历内容不能为空"):
        text_profile(" ")
    with pytest.raises(InvalidInput, match="未找到街道“不存在街道”") as error:
        text_profile("会电焊", street="不存在街道")
    assert error.value.field == "street"
