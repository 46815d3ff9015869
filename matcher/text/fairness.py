"""Words about gender, age, ethnicity, hukou and marital status, removed before anything is ranked.

Ranking never uses these grounds (就业促进法 arts. 3, 26-31): resumes are neutralised before they are
embedded, coded or read for skills, in both directions (jobs for a seeker, seekers for a posting).
The list lives in `data/policy/protected_attributes.json`; pronouns (他/她) become the neutral TA.

A person's name says gender (张伟/张丽) and sometimes ethnicity, so names go too: a surname from
the list below with a one- or two-character given name, at the start of the text or after 我叫,
我是, 本人, 姓名 or 名字. Pseudonymous names (王某) and common words that start with a surname
character (高中, 金融 ...) are kept. A name anywhere else in free text is not found: that is a known gap.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import data

POLICY_DIR = Path(data.__file__).resolve().parent / "policy"

# The most common Chinese surnames (single and double characters); together they cover most people.
SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|司徒|夏侯|"
    "王|李|张|刘|陈|杨|黄|赵|吴|周|徐|孙|马|朱|胡|郭|何|高|林|罗|郑|梁|谢|宋|唐|许|韩|冯|邓|曹|彭|曾|肖|田|董|袁|潘|"
    "于|蒋|蔡|余|杜|叶|程|苏|魏|吕|丁|任|沈|姚|卢|姜|崔|钟|谭|陆|汪|范|金|石|廖|贾|夏|韦|付|傅|方|白|邹|孟|熊|秦|邱|"
    "江|尹|薛|闫|阎|段|雷|侯|龙|史|陶|黎|贺|顾|毛|郝|龚|邵|万|钱|严|覃|武|戴|莫|孔|向|汤|常|温|康|施|文|牛|樊|葛|邢|"
    "安|齐|易|乔|伍|庞|颜|倪|庄|聂|章|鲁|岳|翟|殷|詹|申|欧|耿|关|兰|焦|俞|左|柳|甘|祝|包|宁|尚|符|舒|阮|柯|纪|梅|童|"
    "凌|毕|单|季|裴|霍|涂|成|苗|谷|盛|曲|翁|冉|骆|蓝|路|游|辛|靳|管|柴|蒙|鲍|华|喻|祁|蒲|房|滕|屈|饶|解|牟|艾|尤|阳|"
    "时|穆|农|司|卓|古|吉|缪|简|车|项|连|芦|麦|褚|娄|窦|戚|岑|景|党|宫|费|卜|冷|晏|席|卫|米|柏|宗|瞿|桂|全|佟|应|臧|"
    "闵|苟|邬|边|卞|姬|师|和|仇|栾|隋|商|刁|沙|荣|巫|寇|桑|郎|甄|丛|仲|虞|敖|巩|明|佘|池|查|麻|苑|迟|邝"
)
# Words that begin with a surname character and may open a resume; never taken for a name.
KEPT_WORDS = frozenset(
    "高中 高职 高级 高一 高二 高三 高校 高压 金融 金牌 安全 安保 安装 黄浦 徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 浦东 金山 松江 "
    "青浦 奉贤 崇明 江苏 江西 江湾 周末 周一 方向 常年 常住 时间 文员 文秘 文案 文字 管理 司机 车工 车间 全职 全日制 全部 明年 华东 "
    "东方 上官 任职 曾在 曾经 曾任 从事 程序 王牌 关于 向往 成功 成年 成绩 毕业 包装 宁波 石化 石油 钱塘 万达 和平 应届 师范 商务 "
    "沙县 古北 吉林 龙华 景德 申通 施工 康复 温州 温馨 熊猫 马上 马路 叶片 刘行 林业 罗店 何时 许可 武汉 武警 秦皇 韩语 尤其 "
    "柳州 党员 宫颈 费用 解决 单位 单休 季节 查询 路面 连续 连锁 项目 简历 卫生 米其 席位 宗旨 全能 苏州 朱家 谢谢 彭浦 曲阳 "
    "凉城 江浦 欧美 欧洲 夏季 冷库 冷链 房产 房地 甘肃 贾汪 余杭 杜邦 姜堰 钟点 谭家 汤臣 梅陇 童装 童车 纪律 严格 龚路".split()
)
NAME_PATTERN = re.compile(
    rf"(?:^|(?<=我叫)|(?<=我是)|(?<=本人)|(?<=姓名)|(?<=名字)|(?<=姓名：)|(?<=姓名:)|(?<=名字：)|(?<=名字:))\s*"
    rf"(?P<name>(?:{SURNAMES})(?!某|先生|女士|小姐)[\u4e00-\u9fff]{{1,2}}?)(?=先生|女士|小姐|$|[\s，,。、；;：:（(）)\d]|，)"
)


def _drop_name(match: re.Match) -> str:
    return match.group(0) if match.group("name") in KEPT_WORDS else ""


class ProtectedAttributes:
    """Removes words about gender, age, ethnicity, hukou and marital status from a text."""

    def __init__(self, path: Path | None = None):
        doc = json.loads(Path(path or POLICY_DIR / "protected_attributes.json").read_text(encoding="utf-8"))
        self.version = int(doc["version"])
        self.replacement = doc.get("replacement", "")
        self.patterns = [(item["ground"], re.compile(item["pattern"]), item.get("replacement", self.replacement))
                         for item in doc["patterns"]]
        self._separators = re.compile(r"(?:[，,、；;]\s*){2,}")

    def _steps(self):
        yield "name", NAME_PATTERN, _drop_name
        yield from self.patterns

    def neutralise(self, text: str) -> str:
        for _ground, pattern, replacement in self._steps():
            text = pattern.sub(replacement, text)
        text = self._separators.sub("，", text)
        return text.strip(" ，,、；;")

    def found(self, text: str) -> dict[str, list[str]]:
        """What would be removed, by ground (for audits and tests)."""
        out: dict[str, list[str]] = {}
        for ground, pattern, replacement in self._steps():
            for match in pattern.finditer(text):
                if ground != "name" or match.group("name") not in KEPT_WORDS:
                    out.setdefault(ground, []).append(match.group("name") if ground == "name" else match.group(0))
            text = pattern.sub(replacement, text)
        return out


@lru_cache(maxsize=1)
def protected_attributes() -> ProtectedAttributes:
    return ProtectedAttributes()


def neutralise(text: str) -> str:
    return protected_attributes().neutralise(text)
