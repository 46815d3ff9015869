"""An index built with one encoder is never searched with another: it is rebuilt from the database."""
from __future__ import annotations

from matcher.inputs import PostingInput
from matcher.service import JobCircle
from models.encoder import HashingEncoder


class RenamedEncoder(HashingEncoder):
    """Same width as the first encoder but different vectors, as a new default model would give."""

    def __init__(self):
        super().__init__(256)
        self.name = "other-model-256"

    def _features(self, text):
        return [f"x{feature}" for feature in super()._features(text)]


def test_index_from_another_encoder_is_rebuilt_with_the_new_one(settings):
    posting = PostingInput(title="仓库管理员", employer="示例物流", street="凉城新村街道",
                           description="负责仓库进出库登记与盘点")
    first = JobCircle(settings, HashingEncoder(256)).start()
    first.upsert_postings([posting])
    first.stop()
    manifest = (settings.index_dir / "manifest.json").read_text()
    assert "hashing-256" in manifest

    second = JobCircle(settings, RenamedEncoder()).start()
    try:
        assert "other-model-256" in (settings.index_dir / "manifest.json").read_text()
        results = second.match_text("想找仓库管理员的工作", k=5)
        results = results.get("results", results) if isinstance(results, dict) else results
        assert [r["title"] for r in results][:1] == ["仓库管理员"]
    finally:
        second.stop()
