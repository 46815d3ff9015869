"""With the real model (m3e-small) and the occupation coder, at the threshold set on the DEV split:
out-of-field resumes against an IT-only pool and garbage get the empty answer; an IT resume does not."""
import pytest

from matcher.inputs import PostingInput
from matcher.service import JobCircle

pytestmark = pytest.mark.slow

IT_POOL = [
    PostingInput(title="Java后端开发工程师", description="负责电商平台后端服务开发。",
                 requirements="熟悉Java、Spring Boot、MySQL，3年以上经验", salary="15K-25K", street="北外滩街道"),
    PostingInput(title="前端开发实习生", description="参与公司官网和小程序页面开发。",
                 requirements="熟悉JavaScript、Vue，每周到岗4天", salary="200元/天", street="北外滩街道"),
    PostingInput(title="数据分析实习生", description="整理业务数据，制作周报。", requirements="熟悉Python、SQL、Excel",
                 salary="150元/天", street="四川北路街道"),
    PostingInput(title="运维工程师", description="负责服务器与网络的日常运维。", requirements="熟悉Linux、Shell、Docker",
                 salary="12K-18K", street="嘉兴路街道"),
]


def test_out_of_field_and_garbage_get_nothing_an_it_resume_gets_jobs(settings, real_encoder):
    settings = settings.model_copy(update={"occupation_coding": True})
    service = JobCircle(settings, real_encoder).start()
    try:
        ids = service.upsert_postings(IT_POOL)
        for text in ("三甲医院心内科主治医师，有执业医师资格，擅长心脏介入手术。",
                     "在养老院做了四年护理员，照顾失能老人，帮老人擦身、喂饭、翻身。",
                     "asdfgh", "啊啊啊啊啊啊"):
            answer = service.match_text(text, k=5)
            assert answer["results"] == [] and answer["message"], text
        fit = service.match_text("计算机本科，4年Java后端开发经验，熟悉Spring Boot、MySQL、Redis。", k=5)
        assert fit["results"] and fit["results"][0]["posting_id"] == ids[0] and fit["message"] is None
    finally:
        service.stop()
