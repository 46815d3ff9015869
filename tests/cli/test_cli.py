import io
import json
import sys
from pathlib import Path

from cli import main as cli

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


def test_postings_check_writes_one_json_object_per_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("限男性，35周岁以下\n持健康证，能适应夜班\n"))
    assert cli.main(["postings", "check"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["compliant"] for line in lines] == [False, True]
    assert {f["ground"] for f in lines[0]["findings"]} == {"gender", "age"}


def test_missing_model_names_the_install_command(monkeypatch, tmp_path, capsys):
    import models.encoder as encoder

    def missing(*_args, **_kwargs):
        raise encoder.ModelMissingError(encoder.INSTALL_HINT)

    monkeypatch.setattr(encoder, "find_model_dir", missing)
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO("保安\n"))
    assert cli.main(["occupations", "code"]) == 3
    assert "scripts/setup.sh" in capsys.readouterr().err


def test_import_reports_rows_and_imports_nothing(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("JOBCIRCLE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("JOBCIRCLE_ENCODER", "hashing-64")
    monkeypatch.setenv("JOBCIRCLE_OCCUPATION_CODING", "false")
    assert cli.main(["import", "postings", str(EXAMPLES / "postings_with_errors.csv")]) == 1
    err = capsys.readouterr().err
    assert "第2行 “薪资”" in err and "未导入任何数据" in err and "备注" in err
    assert cli.main(["import", "postings", str(EXAMPLES / "postings_sample.csv")]) == 0
    assert "已导入 3 行" in capsys.readouterr().out
