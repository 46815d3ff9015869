import pytest
from sqlalchemy import delete, func, select

from data.interview_tables import InterviewAnswer, InterviewSession
from data.schema import Seeker
from matcher.errors import InvalidInput, NotFound
from matcher.inputs import PostingInput, SeekerInput
from matcher.interview.service import InterviewService

CASHIER = PostingInput(title="超市收银员", requirements="1. 持健康证\n2. 熟练使用收银系统\n3. 能适应早晚班",
                       street="嘉兴路街道")


@pytest.fixture
def interviews(service):
    return InterviewService(service.db, lambda: service.encoder)


def test_session_from_a_stored_posting_tests_every_requirement(service, interviews):
    posting_id = service.upsert_postings([CASHIER])[0]
    seeker_id = service.create_seeker(SeekerInput(resume_text="做过两年超市收银，持健康证。", consent=True))["id"]
    session = interviews.start(seeker_id=seeker_id, posting_id=posting_id, difficulty="entry")
    assert 5 <= len(session["questions"]) <= 8
    tested = {rid for q in session["questions"] for rid in q["requirements"]}
    texts = {r["id"]: r["text"] for r in session["requirements"]}
    for needed in ("健康证", "收银系统", "早晚班"):
        assert any(needed in texts[rid] for rid in tested), needed


def test_answers_are_scored_stored_and_reported(service, interviews):
    session = interviews.start(resume_text="做过超市收银", role_text="超市收银员\n持健康证，熟练使用收银系统")
    question = session["questions"][0]["id"]
    feedback = interviews.answer(session["id"], question, "我叫小王，在超市做过两年收银，每天处理三百多笔交易，没出过差错。")
    assert 0 <= feedback["score"] <= 100 and feedback["suggestions"]
    report = interviews.report(session["id"])
    assert report["answered"] == 1


def test_bad_input_is_a_clear_error(service, interviews):
    session = interviews.start(resume_text="做过保洁", occupation_code="4-09-08-01")
    with pytest.raises(InvalidInput) as error:
        interviews.answer(session["id"], "q99", "我做过保洁")
    assert error.value.field == "question_id"
    with pytest.raises(InvalidInput) as error:
        interviews.answer(session["id"], session["questions"][0]["id"], "   ")
    assert error.value.field == "answer"
    with pytest.raises(NotFound):
        interviews.answer(12345, "q1", "你好")
    with pytest.raises(InvalidInput):
        interviews.start(resume_text="x", occupation_code="9-99-99-99")


def test_deleting_the_seeker_deletes_their_interviews(service, interviews):
    seeker_id = service.create_seeker(SeekerInput(resume_text="做过保洁", consent=True))["id"]
    session = interviews.start(seeker_id=seeker_id, occupation_code="4-09-08-01")
    interviews.answer(session["id"], session["questions"][0]["id"], "我做过三年写字楼保洁，负责五层楼的清洁。")
    with service.db.session() as db, db.begin():
        db.execute(delete(Seeker).where(Seeker.id == seeker_id))
    with service.db.session() as db:
        assert db.scalar(select(func.count()).select_from(InterviewSession)) == 0
        assert db.scalar(select(func.count()).select_from(InterviewAnswer)) == 0


def test_built_from_the_database_and_an_encoder_provider(service):
    from models.encoder import HashingEncoder

    loads = []
    interviews = InterviewService(service.db, lambda: loads.append(1) or HashingEncoder(256))
    assert loads == []  # the model loads on first use, not at construction
    session = interviews.start(resume_text="做过超市收银", role_text="超市收银员\n持健康证，熟练使用收银系统")
    assert loads == [1] and all(q["probes"].startswith("考察：") for q in session["questions"])


def test_phone_and_id_numbers_are_redacted_before_storage(service, interviews):
    session = interviews.start(resume_text="做过超市收银", role_text="超市收银员\n持健康证，熟练使用收银系统")
    question = session["questions"][0]["id"]
    feedback = interviews.answer(session["id"], question,
                                 "我叫小王，电话13812345678，身份证310101199001011234，在超市做过两年收银。")
    assert any("已隐去" in n for n in feedback["notices"])
    with service.db.session() as db:
        stored = db.scalars(select(InterviewAnswer.answer_text)).all()
    assert stored and all("13812345678" not in t and "310101199001011234" not in t for t in stored)
    assert "[手机号已隐去]" in stored[-1]
