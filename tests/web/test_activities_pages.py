"""Trainings and fairs on the counsellor's pages (issue 14 on the workbench of issue 13), without a browser:
the seeker page's recommended trainings (jobs opened, subsidy answer, declinable), nearby events and
registrations with seat counts; the caseload's registrations, next fair and upcoming-fairs panel; the
fair page (rank, invite, record 陪同招聘会); and the access rules."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from data.access_tables import ServiceRecord
from data.activity_tables import Event, Training
from data.schema import Seeker
from matcher.activities import common, workbench
from matcher.counsellor import access
from tests.web.test_pages import csrf_of, demo, demo_data, sign_in  # noqa: F401 (fixtures)

PAST_FAIR = "上月社区招聘会（示例，已结束）"
FAIR = "曲阳路街道“家门口”就业专场招聘会（示例）"


def _principal(service, tokens):
    with service.db.session() as session:
        return access.authenticate(session, tokens["counsellor"])


def _station_seekers(service, principal) -> list[int]:
    with service.db.session() as session:
        return list(session.scalars(select(Seeker.id).where(Seeker.station_id.in_(principal.station_ids))
                                    .order_by(Seeker.id)))


def _seeker_with_a_recommendation(service, tokens) -> tuple[int, dict]:
    principal = _principal(service, tokens)
    for seeker_id in _station_seekers(service, principal):
        panel = workbench.seeker_activities(service, principal, seeker_id)
        if panel["recommendations"]:
            return seeker_id, panel["recommendations"][0]
    raise AssertionError("示例数据中本站应有求职者因缺证而被推荐培训")


def _event_id(service, title: str) -> int:
    with service.db.session() as session:
        return session.scalar(select(Event.id).where(Event.title == title))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _panel(html: str) -> str:
    start = html.index('id="activities"')
    return html[start:html.index("</section>", start)]


def test_seeker_page_recommends_the_training_with_jobs_subsidy_and_seats_then_registers_and_cancels(demo):  # noqa: F811
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    seeker_id, rec = _seeker_with_a_recommendation(service, tokens)
    training = rec["training"]
    page = client.get(f"/workbench/seekers/{seeker_id}")
    panel = _text(_panel(page.text))
    assert "推荐培训" in panel and rec["message"] in panel
    assert f"可多匹配的岗位" in panel and "补贴初判" in panel and rec["subsidy"]["verdict_name"] in panel
    seats = f"剩余名额 {training['seats_left']}/{training['seats']}"
    assert seats in panel and f"不需要{rec['certificate']}培训" in panel
    done = client.post(f"/workbench/seekers/{seeker_id}/registrations",
                       data={"csrf": csrf_of(page.text), "kind": "training", "activity_id": training["id"]})
    assert done.status_code == 200 and "已报名，并记入服务台账" in done.text
    panel = _text(_panel(done.text))
    assert f"培训：{training['title']}" in panel and "已报名" in panel
    assert f"剩余名额 {training['seats_left'] - 1}/{training['seats']}" in panel
    with service.db.session() as session:
        codes = session.scalars(select(ServiceRecord.service_code).where(ServiceRecord.seeker_id == seeker_id)).all()
        assert session.get(Training, training["id"]).seats_taken == 1
    assert codes == ["training_registration"]
    registration = re.search(rf"/workbench/seekers/{seeker_id}/registrations/(\d+)/cancel", done.text).group(1)
    cancelled = client.post(f"/workbench/seekers/{seeker_id}/registrations/{registration}/cancel",
                            data={"csrf": csrf_of(done.text)})
    assert "已取消报名，名额已释放" in cancelled.text and "已取消" in _text(_panel(cancelled.text))
    with service.db.session() as session:
        assert session.get(Training, training["id"]).seats_taken == 0


def test_declining_a_suggested_training_is_stored_and_it_is_not_suggested_again(demo):  # noqa: F811
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    seeker_id, rec = _seeker_with_a_recommendation(service, tokens)
    page = client.get(f"/workbench/seekers/{seeker_id}")
    after = client.post(f"/workbench/seekers/{seeker_id}/training-declines",
                        data={"csrf": csrf_of(page.text), "certificate": rec["certificate"],
                              "training_id": rec["training"]["id"], "decline_reason": "本人不考虑"})
    panel = _text(_panel(after.text))
    assert rec["message"] not in panel and f"已表示不需要：{rec['certificate']}（本人不考虑）" in panel


def test_nearby_events_never_show_past_ones_and_a_full_event_cannot_be_registered(demo):  # noqa: F811
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    seeker_id = _station_seekers(service, _principal(service, tokens))[0]
    page = client.get(f"/workbench/seekers/{seeker_id}")
    panel = _text(_panel(page.text))
    assert "附近的活动与招聘会" in panel and FAIR in panel and PAST_FAIR not in panel
    talk = _event_id(service, "江湾高校园区企业宣讲会（示例）")
    with service.db.session() as session, session.begin():
        session.execute(update(Event).where(Event.id == talk).values(seats=1, seats_taken=1))
    refused = client.post(f"/workbench/seekers/{seeker_id}/registrations",
                          data={"csrf": csrf_of(page.text), "kind": "event", "activity_id": talk})
    assert refused.status_code == 409
    assert "名额已满" in _text(_panel(refused.text)) or "已满员" in _text(_panel(refused.text))


def test_caseload_shows_open_registrations_the_next_fair_and_upcoming_fairs(demo):  # noqa: F811
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    seeker_id = _station_seekers(service, _principal(service, tokens))[0]
    fair = _event_id(service, FAIR)
    page = client.get("/workbench/caseload")
    panel = _text(page.text[page.text.index('id="fairs"'):])
    assert "近期招聘会" in panel and FAIR in panel and PAST_FAIR not in page.text
    assert f'href="/workbench/fairs/{fair}?station=' in page.text
    seeker_page = client.get(f"/workbench/seekers/{seeker_id}")
    client.post(f"/workbench/seekers/{seeker_id}/registrations",
                data={"csrf": csrf_of(seeker_page.text), "kind": "event", "activity_id": fair})
    page = client.get("/workbench/caseload")
    card = page.text[page.text.index(f"/workbench/seekers/{seeker_id}?"):]
    card = _text(card[:card.index("</li>")])
    assert f"下一场招聘会 {FAIR}" in card and f"已报名 招聘会（现场）：{FAIR}" in card
    assert "本站已报名 1 人" in _text(page.text)


def test_fair_page_ranks_invites_and_records_escort_only_once_the_fair_has_begun(demo):  # noqa: F811
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    fair = _event_id(service, FAIR)
    page = client.get(f"/workbench/fairs/{fair}")
    assert page.status_code == 200 and "邀请名单（本站求职者）" in page.text
    ranked = [int(s) for s in re.findall(r'<tr class="candidate" data-seeker="(\d+)"', page.text)]
    assert ranked, "本站求职者应按参会岗位排序"
    mine = set(_station_seekers(service, _principal(service, tokens)))
    assert set(ranked) <= mine  # only this station's seekers
    invited = client.post(f"/workbench/fairs/{fair}/invitations",
                          data={"csrf": csrf_of(page.text), "seeker_ids": ranked[:2]})
    assert "已邀请并报名" in invited.text and "escorts/" not in invited.text  # no escort button before it begins
    registered = _text(invited.text[invited.text.index('id="registered"'):invited.text.index('id="shortlist"')])
    assert registered.count("援助员报名") == 2
    early = client.post(f"/workbench/fairs/{fair}/escorts/{ranked[0]}", data={"csrf": csrf_of(page.text)})
    assert early.status_code == 409 and "尚未开始" in early.text
    begun = common.utc_now() - timedelta(minutes=30)
    with service.db.session() as session, session.begin():
        session.execute(update(Event).where(Event.id == fair).values(starts_at=begun, ends_at=begun + timedelta(hours=3)))
    page = client.get(f"/workbench/fairs/{fair}")
    assert "记录陪同招聘会" in page.text
    escorted = client.post(f"/workbench/fairs/{fair}/escorts/{ranked[0]}", data={"csrf": csrf_of(page.text)})
    assert "已记录陪同招聘会" in escorted.text
    seeker_page = client.get(f"/workbench/seekers/{ranked[0]}")
    records = _text(seeker_page.text[seeker_page.text.index('class="records"'):])
    assert "陪同招聘会" in records and "招聘会报名" in records


def test_another_stations_seeker_and_fair_list_stay_closed(demo):  # noqa: F811
    client, service, tokens = demo
    sign_in(client, tokens["counsellor"])
    principal = _principal(service, tokens)
    with service.db.session() as session:
        other = session.scalar(select(Seeker.id).where(Seeker.station_id.not_in(principal.station_ids)))
        other_station = session.scalar(select(Seeker.station_id).where(Seeker.id == other))
    page = client.get("/workbench/caseload")
    fair = _event_id(service, FAIR)
    refused = client.post(f"/workbench/seekers/{other}/registrations",
                          data={"csrf": csrf_of(page.text), "kind": "event", "activity_id": fair})
    assert refused.status_code == 403 and "没有权限" in refused.text
    assert client.get(f"/workbench/fairs/{fair}", params={"station": other_station}).status_code == 403
    sign_in(client, tokens["seeker"])
    assert client.get(f"/workbench/fairs/{fair}").status_code == 403
