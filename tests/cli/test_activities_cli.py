"""`jobcircle trainings ...` and `jobcircle events ...` on the example files."""
from pathlib import Path

import pytest

from cli import main as cli
from matcher.service import JobCircle
from matcher.settings import Settings
from models.encoder import HashingEncoder

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("JOBCIRCLE_ENCODER", "hashing-64")
    monkeypatch.setenv("JOBCIRCLE_OCCUPATION_CODING", "false")
    service = JobCircle(Settings(), HashingEncoder(64)).start()
    station = service.add_stations([{"name": "曲阳路街道社区就业服务中心（示例）", "kind": "street_centre"}])[0]
    service.stop()
    return station


def test_trainings_and_events_from_the_command_line(env, capsys):
    station = env
    assert cli.main(["trainings", "import", str(EXAMPLES / "trainings_sample.csv"), "--station", str(station)]) == 0
    assert "已导入 3 行" in capsys.readouterr().out
    assert cli.main(["trainings", "nearby", "--street", "曲阳路街道", "--radius", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "出发点：按街道或道路位置估算；半径 3 公里"
    assert "[1] 保安员（五级）培训班 — 曲阳路街道社区学校（示例）｜证书：保安员证｜3月4日开班" in out
    assert cli.main(["import", "postings", str(EXAMPLES / "postings_sample.csv")]) == 0
    assert cli.main(["events", "import", str(EXAMPLES / "events_sample.csv"), "--station", str(station)]) == 0
    capsys.readouterr()
    assert cli.main(["events", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[1] 3月5日 09:30 招聘会（现场）：曲阳路街道就业专场招聘会（示例）｜虹口区赤峰路（示例地址）｜可报名"
    assert "线上" in lines[1]
    assert cli.main(["events", "import", str(EXAMPLES / "postings_with_errors.csv"), "--station", str(station)]) == 2
    assert "缺少必需的列“活动名称”" in capsys.readouterr().err


def test_one_nearby_command_lists_jobs_stations_trainings_and_events(env, capsys):
    station = env
    assert cli.main(["import", "postings", str(EXAMPLES / "postings_sample.csv")]) == 0
    assert cli.main(["trainings", "import", str(EXAMPLES / "trainings_sample.csv"), "--station", str(station)]) == 0
    capsys.readouterr()
    assert cli.main(["nearby", "虹口区曲阳路街道", "--radius", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("出发点：")
    for heading in ("岗位（", "服务站点（", "培训（", "活动（"):
        assert heading in out
    assert "保安员（五级）培训班" in out
    assert cli.main(["nearby", "虹口区曲阳路街道", "--kinds", "trainings", "--json"]) == 0
    import json
    body = json.loads(capsys.readouterr().out)
    assert body["kinds"] == ["trainings"] and body["postings"] is None and body["trainings"]
    assert cli.main(["nearby", "虹口区曲阳路街道", "--kinds", "飞机"]) != 0
    assert "无法识别的类别" in capsys.readouterr().err
