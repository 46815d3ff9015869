"""Item 1 of issue 12: nobody takes over a record that is not theirs through an external id or an ID
number (OWASP API1/API3)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.encoder import HashingEncoder
from tests.api.test_access import RESUME, World

OTHER_RESUME = "做过十年仓库管理，持叉车证，熟悉WMS系统。"


@pytest.fixture
def world(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        yield World(client)


def _seeker_with_external_id(world, station_id, external_id, **extra) -> int:
    body = {"resume_text": OTHER_RESUME, "consent": True, "station_id": station_id, "external_id": external_id,
            "name": "王建国", **extra}
    response = world.client.post("/seekers", json=body, headers=world.admin)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _stored_resume(world, seeker_id) -> str:
    return world.client.get(f"/seekers/{seeker_id}", params={"reason": "核对"}, headers=world.admin).json()["resume_text"]


def test_a_new_seeker_account_cannot_overwrite_or_link_to_a_record_by_external_id(world):
    c = world.client
    victim = _seeker_with_external_id(world, world.stations[0], "S-0001")
    fresh = world.user("新注册求职者", "seeker")
    response = c.post("/seekers", json={"resume_text": RESUME, "consent": True, "external_id": "S-0001",
                                        "phone": "13900001111"}, headers=fresh)
    assert response.status_code == 409
    assert "不能修改或绑定他人的记录" in response.json()["detail"]
    assert "王建国" not in response.text and "仓库" not in response.text
    assert _stored_resume(world, victim).startswith("做过十年仓库管理")
    assert c.get("/me", headers=fresh).json()["seeker_id"] is None
    assert c.get(f"/seekers/{victim}", headers=fresh).status_code == 404


def test_a_new_seeker_account_cannot_take_a_record_over_by_id_number(world):
    c = world.client
    fresh = world.user("冒用身份证号者", "seeker")
    # world.mine was registered with this ID number.
    response = c.post("/seekers", json={"resume_text": RESUME + "另有餐饮经验。", "consent": True,
                                        "id_number": "310109199001011234"}, headers=fresh)
    assert response.status_code == 409
    assert c.get("/me", headers=fresh).json()["seeker_id"] is None
    assert "餐饮" not in _stored_resume(world, world.mine)
    # The ID number hidden in the resume text matches too, and is refused the same way.
    hidden = c.post("/seekers", json={"resume_text": RESUME + "身份证310109199001011234", "consent": True},
                    headers=world.user("另一个新账号", "seeker"))
    assert hidden.status_code == 409


def test_a_counsellor_cannot_overwrite_another_stations_records_by_external_id(world):
    c = world.client
    theirs = c.post("/postings", json={"title": "乙站岗位 保安员", "street": "欧阳路街道", "external_id": "P-9",
                                       "station_id": world.stations[1]}, headers=world.admin).json()
    hijack = c.post("/postings", json={"title": "改写的岗位", "external_id": "P-9"}, headers=world.counsellor)
    assert hijack.status_code == 403
    assert "其他服务站点" in hijack.json()["detail"]
    assert c.get(f"/postings/{theirs['id']}").json()["title"] == "乙站岗位 保安员"

    their_seeker = _seeker_with_external_id(world, world.stations[1], "S-B-7")
    taken = c.post("/seekers", json={"resume_text": RESUME, "consent": True, "external_id": "S-B-7",
                                     "station_id": world.stations[0]}, headers=world.counsellor)
    assert taken.status_code == 403
    assert _stored_resume(world, their_seeker).startswith("做过十年仓库管理")
    # By ID number as well: the other station's seeker stays theirs.
    by_number = c.post("/seekers", json={"resume_text": RESUME + "会做饭", "consent": True,
                                         "id_number": "310109199001011234"},
                       headers=world.other_counsellor)
    assert by_number.status_code == 403


def test_a_counsellor_still_updates_their_own_stations_records_by_external_id(world):
    c = world.client
    first = c.post("/postings", json={"title": "甲站岗位 收银员", "external_id": "P-1", "station_id": world.stations[0]},
                   headers=world.counsellor)
    again = c.post("/postings", json={"title": "甲站岗位 收银员（早班）", "external_id": "P-1",
                                      "station_id": world.stations[0]}, headers=world.counsellor)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.json()["title"].endswith("（早班）")
    moved = c.post("/postings", json={"title": "挪到乙站", "external_id": "P-1", "station_id": world.stations[1]},
                   headers=world.counsellor)
    assert moved.status_code == 403
