"""Interaction CSV: Chinese errors that name the line, time split order, service export."""
import io
from datetime import datetime, timezone

import pytest

from evaluation import interactions
from evaluation.interactions import InteractionFormatError, outcome_relevance, read_interactions, time_split

GOOD = """seeker_id,posting_id,event,time
S1,P1,recommended,2025-03-01 09:00
S1,P1,applied,2025/03/02 10:00
S2,P9,已投递,2025-03-05T08:00:00+08:00
S1,P1,hired,2025-03-20
S2,P9,interviewed,2025-03-10 15:30
"""


def test_reads_the_documented_format_sorted_by_time():
    rows = read_interactions(io.StringIO(GOOD))
    assert [r.event for r in rows] == ["recommended", "applied", "applied", "interviewed", "hired"]
    assert rows[0].time.utcoffset().total_seconds() == 8 * 3600  # naive times are Beijing time
    assert outcome_relevance(rows) == {"S1": {"P1": 3}, "S2": {"P9": 2}}


def test_errors_are_chinese_and_name_each_bad_line():
    bad = "seeker_id,posting_id,event,time\nS1,P1,clicked,2025-03-01\n,P2,applied,2025-03-01\nS3,P3,hired,下周一\n"
    with pytest.raises(InteractionFormatError) as info:
        read_interactions(io.StringIO(bad))
    message = str(info.value)
    assert "第2行" in message and "无法识别事件“clicked”" in message and "applied（已投递）" in message
    assert "第3行" in message and "求职者编号" in message
    assert "第4行" in message and "时间“下周一”格式不对" in message


def test_missing_columns_are_named():
    with pytest.raises(InteractionFormatError, match="表头缺少列：event、time"):
        read_interactions(io.StringIO("seeker_id,posting_id\nS1,P1\n"))
    with pytest.raises(InteractionFormatError, match="找不到互动记录文件"):
        read_interactions("/nonexistent/outcomes.csv")


def test_time_split_puts_every_training_event_before_every_test_event():
    rows = read_interactions(io.StringIO(GOOD))
    train, test, cutoff = time_split(rows, test_fraction=0.4)
    assert len(train) + len(test) == len(rows) and train and test
    assert max(r.time for r in train) < cutoff <= min(r.time for r in test)
    assert [r.event for r in test] == ["interviewed", "hired"]
    fixed_train, fixed_test, _ = time_split(rows, cutoff=datetime(2025, 3, 6))
    assert all(r.time < datetime(2025, 3, 6, tzinfo=interactions.BEIJING) for r in fixed_train)
    assert len(fixed_test) == 2


def test_round_trip_and_export_of_the_services_own_outcomes(service, tmp_path):
    from matcher.inputs import PostingInput, SeekerInput

    posting = service.upsert_postings([PostingInput(title="养老护理员", description="照护老人")])[0]
    seeker = service.upsert_seekers([SeekerInput(resume_text="做过养老护理", consent=True)])[0]
    service.record_outcome(seeker, posting, "applied")
    service.record_outcome(seeker, posting, "hired")
    path = tmp_path / "outcomes.csv"
    assert interactions.export_outcomes(service.settings.database_url, path) == 2
    rows = read_interactions(path)
    assert [(r.seeker_id, r.posting_id, r.event) for r in rows] == [(str(seeker), str(posting), "applied"),
                                                                    (str(seeker), str(posting), "hired")]
    assert rows[0].time <= datetime.now(timezone.utc)
