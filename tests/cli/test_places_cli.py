"""`places locate`: one JSON object per address line, offline, without the embedding model."""
import io
import json
import sys

from cli import main as cli


def test_places_locate_prints_one_json_object_per_address(monkeypatch, capsys):
    import models.encoder as encoder

    def no_model(*_args, **_kwargs):
        raise AssertionError("places locate must not load the embedding model")

    monkeypatch.setattr(encoder, "find_model_dir", no_model)
    monkeypatch.setattr(sys, "stdin", io.StringIO("地铁8号线曲阳路站旁\n\n上海市徐汇区漕溪路250号\n浦东新区\n火星\n"))
    assert cli.main(["places", "locate", "--json"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["precision"] for r in rows] == ["station", "street", "district", "none"]
    for row in rows:
        assert set(row) >= {"query", "lat", "lon", "street_code", "street", "district", "precision", "radius_km"}
    assert rows[0]["street"] == "曲阳路街道" and rows[0]["district"] == "虹口区"
    assert rows[1]["district"] == "徐汇区"
    assert rows[3]["lat"] is None
    assert "只精确到区 1 条" in captured.err and "未识别 1 条" in captured.err


def test_places_locate_reads_a_file_and_reports_a_missing_one(tmp_path, capsys):
    path = tmp_path / "地址.txt"
    path.write_text("虹口区曲阳路街道\n", encoding="utf-8")
    assert cli.main(["places", "locate", str(path)]) == 0
    assert "曲阳路街道" in capsys.readouterr().out
    assert cli.main(["places", "locate", str(tmp_path / "无此文件.txt")]) == 2
    assert "无法读取地址文件" in capsys.readouterr().err
