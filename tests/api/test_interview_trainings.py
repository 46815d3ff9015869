"""The app wires the trainings store into the interview report: a denied certificate names a training."""
from datetime import timedelta

from fastapi.testclient import TestClient

from api.app import create_app
from matcher.activities import common
from matcher.counsellor.access import add_user
from models.encoder import HashingEncoder
from tests.matcher.activities.conftest import add_training


def test_the_report_over_http_names_the_upcoming_training_for_a_denied_certificate(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        service = client.app.state.service
        station = service.add_stations([{"name": "曲阳路站（测试）", "kind": "street_centre"}])[0]
        soon = common.utc_now() + timedelta(days=20)
        add_training(service, station, start_date=soon.date(), end_date=(soon + timedelta(days=20)).date(),
                     registration_deadline=(soon - timedelta(days=10)).isoformat())
        with service.db.session() as session, session.begin():
            _, token = add_user(session, name="管理员", role="admin")
        me = {"Authorization": f"Bearer {token}"}
        session = client.post("/interviews", json={"role_text": "小区保安\n持有保安员证，做过门岗巡逻",
                                                   "resume_text": "做过小区门岗"}, headers=me).json()
        texts = {r["id"]: r["text"] for r in session["requirements"]}
        question = next(q for q in session["questions"] if any("保安员证" in texts[r] for r in q["requirements"]))
        client.post(f"/interviews/{session['id']}/answers", headers=me,
                    json={"question_id": question["id"], "answer": "保安员证我还没有，门岗巡逻做过两年。"})
        report = client.get(f"/interviews/{session['id']}/report", headers=me).json()
        assert [t["title"] for t in report["trainings"]] == ["保安员培训班"]
        assert report["trainings"][0]["subsidised"] and "开班" in report["trainings"][0]["message"]
