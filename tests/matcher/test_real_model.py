"""Runs the real bundled model (m3e-small) end to end."""
import numpy as np
import pytest

from matcher.inputs import PostingInput, SeekerInput
from matcher.service import JobCircle

pytestmark = pytest.mark.slow


def test_real_model_vectors_are_normalised_and_meaningful(real_encoder):
    vectors = real_encoder.encode_queries(["平面设计助理", "视觉传达设计 Photoshop", "小区保安员"])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_design_graduate_gets_the_design_assistant_job_first(settings, real_encoder):
    settings = settings.model_copy(update={"occupation_coding": True})
    service = JobCircle(settings, real_encoder).start()
    postings = [
        PostingInput(title="社区食堂帮厨", description="负责社区长者食堂的切配、洗菜和打饭。",
                     requirements="持健康证，能吃苦耐劳", salary="5000-6000元/月", street="欧阳路街道"),
        PostingInput(title="小区保安员", description="负责小区门岗值守、巡逻和车辆引导。",
                     requirements="持保安员证，能适应夜班", salary="5500元/月", street="曲阳路街道"),
        PostingInput(title="Java后端开发工程师", description="负责电商平台后端服务开发。",
                     requirements="熟悉Java、Spring Boot、MySQL，3年以上经验", salary="15K-25K", street="北外滩街道"),
        PostingInput(title="设计助理", description="协助设计师完成海报、画册和新媒体配图。",
                     requirements="视觉传达或相关专业，熟练使用Photoshop、Illustrator", salary="6000-8000元/月",
                     street="四川北路街道"),
    ]
    ids = service.upsert_postings(postings)
    seeker = service.create_seeker(SeekerInput(
        resume_text="2025届视觉传达设计专业本科毕业生。熟练使用Photoshop、Illustrator，在校期间设计过社团海报和公众号配图。",
        desired_roles=["设计"], consent=True, street="嘉兴路街道"))
    results = service.match_seeker(seeker["id"], k=4)["results"]
    assert results[0]["posting_id"] == ids[3]
    # Occupation codes are assigned at ingest and named in the explanation.
    security = service.get_posting(ids[1])["occupation_codes"]
    assert security and security[0]["code"] == "4-07-05-01"
    # A confident code is named in the explanation; an unsure one is only hedged, never stated.
    if results[0]["occupation"]:
        assert results[0]["occupation"] in results[0]["explanation"]
    else:
        assert "置信度低" in results[0]["explanation"] and "岗位属于" not in results[0]["explanation"]
    ad_hoc = service.match_text("视觉传达设计专业，会PS和AI，做过海报", k=4)["results"]
    assert ad_hoc[0]["posting_id"] == ids[3]
    service.stop()
