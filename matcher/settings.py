"""One settings class, read from `JOBCIRCLE_*` environment variables, injected everywhere."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBCIRCLE_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="数据目录：数据库、向量索引与密钥都在这里")
    database_url: str = Field(default="", description="默认为数据目录下的 SQLite 文件")
    encoder: str = Field(
        default="m3e-small-onnx-int8",
        description="向量模型：m3e-small-onnx-int8（默认，ONNX int8）、m3e-small-onnx、m3e-small（torch）或 hashing-<维度>（仅测试）；"
                    "更换后索引按新模型重建",
    )
    index_factory: str = Field(
        default="auto", description="FAISS 索引工厂串，如 Flat、HNSW32、IVF1024,SQ8；末尾加 +rerank 时检索压缩编码后用一份 "
                                    "float16 向量精确重排（如 IVF1024,SQ8+rerank）；auto 按规模选择：少于 exact_below 条用 Flat，"
                                    "否则 IVF(约√N 个列表),SQ8+rerank"
    )
    index_mmap: bool = Field(
        default=True, description="向量索引文件以只读内存映射方式加载，多个工作进程共用一份；之后的写入先保存在内存增量中，积累到一定数量后由一个进程合并写回")
    exact_below: int = Field(default=20_000, description="auto 模式下，岗位数少于此值时用精确检索")
    hnsw_ef_search: int = 96
    ivf_nprobe: int = Field(default=16, ge=1, le=65536,
                            description="IVF 类索引每次检索探查的倒排列表数：越大召回越全、越慢（见 benchmarks.index_sweep）")
    candidate_pool: int = Field(default=100, ge=10, le=2000, description="向量召回候选数")
    geo_pool: int = Field(default=150, ge=0, le=5000, description="按距离补充召回的候选数")
    relevance_threshold: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="最高相关度低于此值时不推荐岗位；默认取该向量模型在评测集 dev 划分上设定的值")
    max_k: int = Field(default=100, ge=1, le=500)
    default_radius_km: float = 3.0
    district_code: str = Field(default="310109", description="本区行政区划代码（默认虹口区）")
    occupation_coding: bool = Field(default=True, description="入库时按《职业分类大典（2022）》自动编码")
    refresh_interval_s: float = Field(default=1.0, description="服务检查数据库变更的最短间隔")
    auth_required: bool = Field(
        default=True, description="为 true 时除公开接口外都需令牌；false 仅供单机试用：未带令牌的请求按管理员处理"
    )
    service_gap_days: int = Field(default=30, ge=1, le=365, description="超过这么多天没有服务记录的求职者列入待跟进")
    withdrawn_retention_days: int = Field(
        default=180, ge=0, le=3650,
        description=("撤回个人信息处理同意后的保留期限（天）。撤回即停止一切处理（不再参与匹配、候选名单和工作台名单），"
                     "个人信息只作存储、不作他用，期间本人可重新同意；满此天数后，`purge-withdrawn` 命令删除姓名、电话、"
                     "身份证号（打码与散列）、简历及向量、服务明细等个人信息，区级服务台账只保留无法识别个人的假名记录"
                     "（《个人信息保护法》第四十七条）。保留是为应对服务台账核查与补贴审计等法定需要，具体天数应由区级主管部门"
                     "依适用的法律、行政法规确定；0 表示下次运行即删除"),
    )
    shortlist_exposure_penalty: float = Field(
        default=0.0, ge=0.0, le=0.5,
        description="候选人名单分散曝光：近30天已被多个岗位列入名单的求职者排序分最多减去此值（0 为不调整）",
    )
    priority_policy_path: Path | None = Field(
        default=None, description="重点群体政策加分配置文件；默认用内置的 data/policy/priority_policy.json"
    )
    token_ttl_days: int = Field(default=90, ge=1, le=3650, description="令牌有效天数，过期后需向管理员重新申请")
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, description="请求体上限（字节），分块传输同样计数")
    rate_limit_per_token: str = Field(default="600/minute", description="每个令牌的请求频率上限，如 600/minute")
    rate_limit_per_client: str = Field(default="1200/minute", description="每个客户端地址的请求频率上限")
    workers: int = Field(default=1, ge=1, le=64,
                         description="服务的工作进程数（由 jobcircle serve --workers 设定）；频率上限按进程数平分，合计不超过设定值")
    match_concurrency: int = Field(default=1, ge=1, le=64,
                                   description="每个工作进程同时计算的岗位推荐请求数；排序是CPU密集型计算，同时计算多个只会争用同一把解释器锁，"
                                               "其余请求在事件循环中排队等候（不占线程）")
    token_cache_s: float = Field(default=5.0, ge=0.0, le=60.0,
                                 description="令牌校验结果在每个工作进程内缓存的秒数（0 不缓存）；在其他进程或命令行吊销的令牌最迟这么久后失效")

    @model_validator(mode="after")
    def _derive(self) -> "Settings":
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'jobcircle.db'}"
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def secret_path(self) -> Path:
        return self.data_dir / "secret.key"
