"""Item 9 of issue 12: consent can be withdrawn (PIPL art. 15) without deleting the record, and given
back; sensitive-data consent can be withdrawn on its own."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.encoder import HashingEncoder
from tests.api.test_access import POSTING, World


@pytest.fixture
def world(settings):
    with TestClient(create_app(settings, encoder=HashingEncoder(256))) as client:
        yield World(client)


def _shortlisted(world, posting_id) -> set[int]:
    body = world.client.get(f"/postings/{posting_id}/shortlist", headers=world.counsellor).json()
    return {c["seeker_id"] for c in body["candidates"]}


def _caseload(world) -> set[int]:
    body = world.client.get(f"/stations/{world.stations[0]}/caseload", headers=world.counsellor).json()
    return {item["seeker_id"] for item in body["items"]}


def _actions(world, seeker_id) -> list[str]:
    return [e["action"] for e in world.client.get(f"/seekers/{seeker_id}/access-log", headers=world.admin).json()["entries"]]


def test_withdrawing_consent_takes_the_seeker_out_at_once_and_giving_it_back_restores(world):
    c, me = world.client, world.seeker_token
    posting = c.post("/postings", json=POSTING | {"station_id": world.stations[0]}, headers=world.counsellor).json()
    assert world.mine in _shortlisted(world, posting["id"]) and world.mine in _caseload(world)
    c.post(f"/seekers/{world.mine}/services", json={"service_code": "职业指导"}, headers=world.counsellor)

    withdrawn = c.patch(f"/seekers/{world.mine}", json={"consent": False}, headers=me)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["consent_withdrawn"] is True and "撤回" in withdrawn.json()["consent_note"]
    assert world.mine not in _shortlisted(world, posting["id"])
    assert world.mine not in _caseload(world)
    refused = c.get(f"/seekers/{world.mine}/matches", headers=me)
    assert refused.status_code == 409 and "撤回" in refused.json()["detail"]
    # What the law keeps stays: the service record (and the ledger behind it), and the record itself.
    services = c.get(f"/seekers/{world.mine}/services", headers=me).json()["services"]
    assert len(services) == 1
    assert c.get("/ledger/verify", headers=world.admin).json()["ok"] is True
    assert "consent_withdrawn" in _actions(world, world.mine)
    # Withdrawal goes alone, so nobody mistakes an edit for it.
    mixed = c.patch(f"/seekers/{world.mine}", json={"consent": False, "name": "李四"}, headers=me)
    assert mixed.status_code == 422

    back = c.patch(f"/seekers/{world.mine}", json={"consent": True}, headers=me)
    assert back.status_code == 200 and back.json()["consent_withdrawn"] is False
    assert world.mine in _shortlisted(world, posting["id"]) and world.mine in _caseload(world)
    assert c.get(f"/seekers/{world.mine}/matches", headers=me).status_code == 200
    assert "consent_given" in _actions(world, world.mine)


def test_sensitive_consent_is_withdrawn_on_its_own(world):
    c = world.client
    body = {"resume_text": "做过仓库理货，熟悉叉车操作。", "consent": True, "station_id": world.stations[0],
            "priority_tags": ["残疾人", "退役军人"], "sensitive_consent": True}
    seeker = c.post("/seekers", json=body, headers=world.counsellor).json()
    assert set(seeker["priority_tags"]) == {"disabled", "veteran"}
    posting = c.post("/postings", json={"title": "仓库理货员", "requirements": "叉车", "accessible": True,
                                        "station_id": world.stations[0]}, headers=world.counsellor).json()

    def groups() -> list[str]:
        found = c.get(f"/postings/{posting['id']}/shortlist", headers=world.counsellor).json()["candidates"]
        mine = next(x for x in found if x["seeker_id"] == seeker["id"])
        return [g.get("group") or g.get("code") or str(g) for g in mine["policy"]["groups"]]

    assert any("disabled" in g or "残疾" in g for g in groups())
    changed = c.patch(f"/seekers/{seeker['id']}", json={"sensitive_consent": False}, headers=world.counsellor)
    assert changed.status_code == 200, changed.text
    assert changed.json()["priority_tags"] == ["veteran"] and changed.json()["consent_withdrawn"] is False
    assert not any("disabled" in g or "残疾" in g for g in groups())
    assert seeker["id"] in _caseload(world)  # still served: only the sensitive tag stops counting
    assert "sensitive_consent_withdrawn" in _actions(world, seeker["id"])
    again = c.patch(f"/seekers/{seeker['id']}", json={"sensitive_consent": True}, headers=world.counsellor)
    assert set(again.json()["priority_tags"]) == {"disabled", "veteran"}


def test_import_with_consent_no_withdraws_a_registered_seeker(world):
    c = world.client
    registered = c.post("/seekers", json={"resume_text": "会计，熟悉用友财务软件。", "consent": True, "external_id": "S-77",
                                          "station_id": world.stations[0]}, headers=world.admin).json()
    rows = "简历,人员编号,同意授权\n会计，熟悉用友财务软件。,S-77,否\n新人简历，做过保洁。,S-NEW,否\n"
    district = world.user("全区援助员", "counsellor", district_wide=True)
    accepted = c.post("/imports/seekers", files={"file": ("求职者.csv", rows.encode(), "text/csv")},
                      params={"allow_partial": "true"}, headers=district)
    assert accepted.status_code == 202, accepted.text
    c.app.state.imports.wait(accepted.json()["job_id"], timeout=120)
    report = c.get(f"/imports/jobs/{accepted.json()['job_id']}", headers=district).json()["report"]
    assert report["imported"] == 1
    assert any(e["row"] == 3 and "同意" in e["reason"] for e in report["errors"])
    seen = c.get(f"/seekers/{registered['id']}", params={"reason": "核对"}, headers=world.admin).json()
    assert seen["consent_withdrawn"] is True


def test_the_synchronous_import_reports_a_consent_no_for_an_unknown_person_per_row(service, tmp_path):
    from matcher.counsellor.access import LOCAL_ADMIN
    from matcher.ingest import import_file
    from matcher.inputs import SeekerInput
    from matcher.jobs import import_checks

    known = service.create_seeker(SeekerInput(resume_text="会计，熟悉用友财务软件。", consent=True, external_id="K-1"))
    path = tmp_path / "求职者.csv"
    path.write_text("简历,人员编号,同意授权\n会计,K-1,否\n保洁,K-404,否\n", encoding="utf-8")
    check, options = import_checks(service, "seeker", LOCAL_ADMIN)
    result = import_file(service, "seeker", path, allow_partial=True, check=check, upsert_options=options)
    assert result.imported == 1 and [e["row"] for e in result.errors] == [3]
    assert service.get_seeker(known["id"])["consent_withdrawn"] is True
