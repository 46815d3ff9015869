"""The interview report names a real upcoming training for a certificate the answers deny."""
from datetime import timedelta

from matcher.activities import common
from matcher.activities.finder import find_trainings, training_finder
from matcher.interview.service import InterviewService
from tests.matcher.activities.conftest import add_training


def _soon(days: int):
    return (common.utc_now() + timedelta(days=days))


def test_a_denied_certificate_in_the_answers_names_an_upcoming_training(service, stations):
    training = add_training(service, stations[0], title="保安员（五级）培训班", start_date=_soon(20).date(),
                            end_date=_soon(40).date(), registration_deadline=_soon(10).isoformat())
    add_training(service, stations[0], external_id="closed", title="保安员速成班（已截止）", start_date=_soon(20).date(),
                 end_date=_soon(40).date(), registration_deadline=_soon(-1).isoformat())
    interviews = InterviewService(service.db, lambda: service.encoder, training_finder=training_finder(service.db))
    session = interviews.start(resume_text="做过小区门岗", role_text="小区保安\n持有保安员证，做过门岗巡逻")
    certificate = next(q for q in session["questions"]
                       if any("保安员证" in r["text"] for r in session["requirements"] if r["id"] in q["requirements"]))
    interviews.answer(session["id"], certificate["id"], "保安员证我还没有，不过我在小区做过两年门岗巡逻。")
    report = interviews.report(session["id"])
    assert any(n["kind"] == "certificate" and "保安员证" in n["requirement"] for n in report["training_needs"])
    [found] = report["trainings"]
    assert found["training_id"] == training and found["title"] == "保安员（五级）培训班"
    day = common.cn_date(_soon(20).date())
    assert found["message"] == f"保安员（五级）培训班（曲阳路街道社区学校）：{day}开班，补贴性培训，可考取保安员证"


def test_needs_without_a_certificate_or_a_training_get_nothing(service, stations):
    add_training(service, stations[0], start_date=_soon(20).date(), end_date=_soon(40).date(),
                 registration_deadline=_soon(10).isoformat())
    needs = [{"requirement_id": "r1", "requirement": "有耐心，善于沟通", "kind": "soft", "reason": "not_shown"},
             {"requirement_id": "r2", "requirement": "持有叉车证", "kind": "certificate", "reason": "denied"}]
    assert find_trainings(service.db, needs) == []
    unpaid = add_training(service, stations[0], external_id="paid", title="保安员自费班", subsidised=False, fee=800,
                          start_date=_soon(25).date(), end_date=_soon(45).date(), registration_deadline=_soon(12).isoformat())
    found = find_trainings(service.db, [{"requirement_id": "r3", "requirement": "保安员证", "kind": "certificate",
                                         "reason": "denied"}])
    assert [t["subsidised"] for t in found] == [True, False] and found[1]["training_id"] == unpaid
    assert "费用800元" in found[1]["message"]
