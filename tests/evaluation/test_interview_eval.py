"""The interview evaluation's splits: fresh2 is dev now; fresh3 is scored only when its files exist."""
from __future__ import annotations

import json

from evaluation import interview_eval


def test_dev_includes_fresh2_and_fresh3_is_absent_without_files(tmp_path, monkeypatch):
    monkeypatch.setattr(interview_eval, "FRESH3", tmp_path / "missing_answers.jsonl")
    monkeypatch.setattr(interview_eval, "FRESH3_TRAPS", tmp_path / "missing_traps.jsonl")
    rows = interview_eval.load_all()
    assert {r["split"] for r in rows} == {"dev"}
    assert {"fresh", "fresh2"} <= {r["origin"] for r in rows}
    assert any(r["role_id"] == "baker" for r in rows)  # a fresh2 role


def test_fresh3_split_says_so_when_its_files_are_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(interview_eval, "FRESH3", tmp_path / "missing_answers.jsonl")
    monkeypatch.setattr(interview_eval, "FRESH3_TRAPS", tmp_path / "missing_traps.jsonl")
    monkeypatch.setattr(interview_eval, "load_encoder", lambda name: (_ for _ in ()).throw(AssertionError("loaded")))
    interview_eval.main(["--split", "fresh3", "--encoder", "hashing-64"])
    out = capsys.readouterr().out
    assert "fresh3" in out and "not found" in out


def test_fresh3_rows_load_as_their_own_split(tmp_path, monkeypatch):
    # stand-in files built from two dev rows (the real fresh3 files are never read by a test)
    rows = [json.loads(line) for line in open(interview_eval.FRESH2, encoding="utf-8") if line.strip()][:4]
    traps = [json.loads(line) for line in open(interview_eval.FRESH2_TRAPS, encoding="utf-8") if line.strip()]
    traps = [t for t in traps if (t["role_id"], t["question_id"]) == (rows[0]["role_id"], rows[0]["question_id"])][:2]
    answers, trap_file = tmp_path / "a.jsonl", tmp_path / "t.jsonl"
    answers.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    trap_file.write_text("\n".join(json.dumps(t, ensure_ascii=False) for t in traps), encoding="utf-8")
    monkeypatch.setattr(interview_eval, "FRESH3", answers)
    monkeypatch.setattr(interview_eval, "FRESH3_TRAPS", trap_file)
    loaded = [r for r in interview_eval.load_all() if r["split"] == "fresh3"]
    assert len(loaded) == len(rows) + len(traps) and {r["origin"] for r in loaded} == {"fresh3"}
    assert all(r.get("question") for r in loaded)  # traps joined with their question
    assert not [r for r in interview_eval.load_all(fresh3=False) if r["split"] == "fresh3"]
