"""The workbench in a real browser (Debian chromium): what a counsellor and a seeker do, and that
nothing a page loads comes from another host."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from data.schema import MatchOutcome, Posting

RESOURCES_JS = """
const urls = [];
const selector = arguments[0] ? '[src], link[href], form[action], a[href]' : '[src], link[href]';
for (const el of document.querySelectorAll(selector)) {
  for (const attr of ['src', 'href', 'action']) { if (el[attr] && typeof el[attr] === 'string') urls.push(el[attr]); }
}
for (const entry of performance.getEntriesByType('resource')) urls.push(entry.name);
urls.push(location.href);
return urls;
"""


def by(kind):
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def network_requests(browser) -> list[str]:
    """URLs the browser sent since the last call, from its network log; a request the page's
    Content-Security-Policy blocked never left the browser and is not counted."""
    events = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    sent = {m["params"]["requestId"]: m["params"]["request"]["url"] for m in events
            if m["method"] == "Network.requestWillBeSent"}
    blocked = {m["params"]["requestId"] for m in events
               if m["method"] == "Network.loadingFailed" and m["params"].get("blockedReason") == "csp"}
    return [url for request_id, url in sent.items() if request_id not in blocked]


def assert_same_origin(browser, base: str, *, links: bool = True) -> None:
    """Every request the browser sent went to this host; and the page itself names no other host for
    what it loads (with `links`, for its links and form targets too)."""
    origin = urlsplit(base)[:2]
    urls = network_requests(browser)
    if links:
        urls += browser.execute_script(RESOURCES_JS, links)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss", ""):
            continue  # tel:, data:, blob:, about:
        assert (parts.scheme, parts.netloc) == origin, f"页面向其他主机发出了请求或链接到其他主机：{url}"


def assert_fits_phone(browser) -> None:
    browser.set_window_size(390, 844)
    try:
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"手机宽度下页面横向溢出 {overflow}px"
    finally:
        browser.set_window_size(1100, 900)


def assert_accessible_basics(browser) -> None:
    assert browser.find_element(by("TAG_NAME"), "html").get_attribute("lang") == "zh-CN"
    assert browser.find_elements(by("TAG_NAME"), "h1"), "每页应有一级标题"
    unlabelled = browser.execute_script("""
        return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.name);""")
    assert unlabelled == [], f"这些输入框没有标签：{unlabelled}"


def go(browser, element) -> None:
    """Click something that loads a new page, and wait until the new page has replaced the old one."""
    from selenium.webdriver.support.ui import WebDriverWait

    from selenium.common.exceptions import WebDriverException

    old = browser.find_element(by("TAG_NAME"), "html")
    element.click()

    def replaced(_driver) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:  # stale, or "does not belong to the document" mid-navigation
            return True
        return False

    WebDriverWait(browser, 30).until(replaced)


def login(browser, base: str, token: str) -> None:
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(by("ID"), "token").send_keys(token)
    go(browser, browser.find_element(by("CSS_SELECTOR"), "form button[type=submit]"))


def test_counsellor_records_a_service_and_sees_it(demo_server, browser, shoot):
    base, _service, tokens = demo_server
    browser.get(base + "/login")
    assert_accessible_basics(browser)
    shoot("login")
    login(browser, base, tokens["counsellor"])
    assert browser.find_element(by("TAG_NAME"), "h1").text == "今日待办"
    cases = browser.find_elements(by("CSS_SELECTOR"), "ol.cases > li.card")
    assert cases, "今日待办应列出本站求职者"
    assert cases[0].find_element(by("CSS_SELECTOR"), ".why").text  # each case says why it is there
    assert_same_origin(browser, base)
    assert_accessible_basics(browser)
    assert_fits_phone(browser)
    shoot("caseload")

    go(browser, cases[0].find_element(by("CSS_SELECTOR"), "h2 a"))
    assert "本次查看已记入访问记录" in browser.page_source
    phone = browser.find_elements(by("CSS_SELECTOR"), "a[href^='tel:']")
    assert phone and "*" not in phone[0].text, "本站就业援助员应看到完整电话"
    assert_same_origin(browser, base)
    assert_accessible_basics(browser)
    assert_fits_phone(browser)
    shoot("seeker")

    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(by("ID"), "service_code")).select_by_visible_text("电话回访")
    go(browser, browser.find_element(by("CSS_SELECTOR"), "#service form button[type=submit]"))
    assert browser.find_element(by("CSS_SELECTOR"), "p.flash").text == "服务已记录"
    records = browser.find_element(by("CSS_SELECTOR"), "ol.records").text
    assert "电话回访" in records

    # Bad input: the API's Chinese error, next to the field it is about.
    browser.find_element(by("CSS_SELECTOR"), "input[name=outcome][value=employed]").click()
    go(browser, browser.find_element(by("CSS_SELECTOR"), "#closed form button[type=submit]"))
    error = browser.find_element(by("ID"), "employer-error")
    assert error.text == "结案为“已就业”时请填写就业单位"
    assert browser.find_element(by("ID"), "employer").get_attribute("aria-invalid") == "true"

    # A posting's page: fit and policy apart, recommending records the service.
    link = browser.find_element(by("CSS_SELECTOR"), "section[aria-labelledby=match-h] li a")
    go(browser, link)
    assert "合规检查" in browser.page_source
    headers = [th.text for th in browser.find_elements(by("CSS_SELECTOR"), "thead th")]
    assert "匹配分" in headers and "政策加分" in headers
    assert_same_origin(browser, base)
    shoot("posting")


def test_seeker_sees_matches_saves_one_and_practises(demo_server, browser, shoot):
    base, service, tokens = demo_server
    login(browser, base, tokens["seeker"])
    matches = browser.find_elements(by("CSS_SELECTOR"), "ol.matches > li.card")
    assert matches, "求职者应看到推荐岗位"
    assert matches[0].find_element(by("CSS_SELECTOR"), ".why").text, "每个岗位都有可朗读的推荐理由"
    assert_same_origin(browser, base)
    assert_accessible_basics(browser)
    assert_fits_phone(browser)
    shoot("seeker-matches", 390, 844)

    title = matches[0].find_element(by("TAG_NAME"), "h2").text
    go(browser, matches[0].find_element(by("XPATH"), ".//button[text()='收藏']"))
    assert browser.find_element(by("CSS_SELECTOR"), "p.flash").text == "已收藏该岗位"
    assert f"{title}：已收藏" in browser.find_element(by("CSS_SELECTOR"), "section[aria-labelledby=mine-h]").text
    with service.db.session() as session:
        assert session.scalar(select(func.count()).select_from(MatchOutcome).where(MatchOutcome.event == "saved")) == 1

    go(browser, browser.find_elements(by("CSS_SELECTOR"), "ol.matches > li.card")[0].find_element(
        by("PARTIAL_LINK_TEXT"), "练习这个岗位的面试"))
    go(browser, browser.find_element(by("CSS_SELECTOR"), "main form button[type=submit]"))
    questions = browser.find_elements(by("CSS_SELECTOR"), "ol.questions > li")
    assert 5 <= len(questions) <= 8
    questions[0].find_element(by("TAG_NAME"), "textarea").send_keys(
        "我在超市做过两年收银员，每天处理三百多笔交易，从没出过差错，还带过两个新同事。")
    go(browser, questions[0].find_element(by("CSS_SELECTOR"), "button[type=submit]"))
    assert "这道题的反馈" in browser.find_element(by("CSS_SELECTOR"), "section[aria-labelledby=fb-h]").text
    assert "已答 1/" in browser.page_source
    assert_same_origin(browser, base)
    shoot("interview", 390, 844)

    browser.get(base + "/my/privacy")
    assert "谁看过我的信息" in browser.page_source
    assert_accessible_basics(browser)
    shoot("privacy", 390, 844)


def test_import_with_a_bad_row_shows_it_and_writes_nothing(demo_server, browser, shoot, tmp_path):
    base, service, tokens = demo_server
    with service.db.session() as session:
        before = session.scalar(select(func.count()).select_from(Posting))
    sheet = tmp_path / "postings.csv"
    sheet.write_text("岗位名称,薪资,街道,岗位描述\n"
                     "超市理货员,5000-6000,曲阳路街道,负责商品上架\n"
                     "快递分拣员,6000,不存在的街道,夜班分拣\n", encoding="utf-8")
    login(browser, base, tokens["counsellor"])
    browser.get(base + "/workbench/import")
    assert_accessible_basics(browser)
    browser.find_element(by("ID"), "file").send_keys(str(sheet))
    go(browser, browser.find_element(by("CSS_SELECTOR"), "main form button[type=submit]"))
    errors = browser.find_element(by("CSS_SELECTOR"), "table.row-errors tbody").text
    assert "第3行" in errors and "未找到街道“不存在的街道”" in errors
    assert "第2行" not in errors
    assert "尚未写入任何内容" in browser.page_source
    assert_same_origin(browser, base)
    shoot("import-preview")
    with service.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Posting)) == before

    # Confirming without choosing to skip bad rows is refused, and still nothing is written.
    go(browser, browser.find_element(by("XPATH"), "//button[contains(text(), '确认导入')]"))
    assert "文件中有错误的行" in browser.find_element(by("CSS_SELECTOR"), "p.error").text
    with service.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Posting)) == before


def test_docs_are_served_from_this_host(demo_server, browser):
    base, _service, _tokens = demo_server
    browser.get(base + "/docs")
    assert browser.find_elements(by("CSS_SELECTOR"), ".swagger-ui .info"), "Swagger UI 应在无外网时显示"
    assert_same_origin(browser, base, links=False)
    browser.get(base + "/redoc")
    # ReDoc's footer asks cdn.redoc.ly for a logo; the page's policy blocks it before it leaves.
    assert browser.find_elements(by("CSS_SELECTOR"), ".menu-content"), "ReDoc 应在无外网时显示"
    assert_same_origin(browser, base, links=False)


@pytest.mark.parametrize("page", ["/workbench/caseload", "/my"])
def test_pages_need_sign_in(demo_server, browser, page):
    base, _service, _tokens = demo_server
    browser.delete_all_cookies()
    browser.get(base + page)
    assert urlsplit(browser.current_url).path == "/login"
    assert Path(urlsplit(browser.current_url).path).name == "login"


def test_counsellor_sees_trainings_and_fairs_registers_invites_and_cancels(demo_server, browser, shoot):
    """Issue 14 on the workbench: the caseload's upcoming fairs and each seeker's next fair; the fair's
    ranked list and invitations; the seeker page's recommended training (jobs opened, subsidy, seats),
    nearby events and registrations, with register and cancel."""
    from matcher.activities import workbench
    from matcher.counsellor import access

    base, service, tokens = demo_server
    login(browser, base, tokens["counsellor"])
    fairs = browser.find_element(by("ID"), "fairs")
    assert fairs.find_element(by("TAG_NAME"), "h2").text == "近期招聘会"
    links = fairs.find_elements(by("CSS_SELECTOR"), "a[href*='/workbench/fairs/']")
    assert links, "今日待办应列出近期招聘会，并链接到邀请名单"
    assert "已结束" not in fairs.text
    go(browser, links[0])
    assert "邀请名单（本站求职者）" in browser.find_element(by("ID"), "shortlist").text
    rows = browser.find_elements(by("CSS_SELECTOR"), "tr.candidate")
    assert rows, "招聘会页面应按参会岗位排出本站求职者"
    chosen = rows[0].get_attribute("data-seeker")
    rows[0].find_element(by("CSS_SELECTOR"), "input[name=seeker_ids]").click()
    assert_accessible_basics(browser)
    assert_same_origin(browser, base)
    assert_fits_phone(browser)
    shoot("fair")
    go(browser, browser.find_element(by("CSS_SELECTOR"), "#shortlist form > button[type=submit]"))
    assert "已邀请并报名" in browser.find_element(by("CSS_SELECTOR"), "p.flash").text
    assert "援助员报名" in browser.find_element(by("ID"), "registered").text

    go(browser, browser.find_element(by("CSS_SELECTOR"), "header nav a[href='/workbench/caseload']"))
    card = browser.find_element(by("XPATH"), f"//ol[@class='cases']/li[.//a[contains(@href, '/workbench/seekers/{chosen}?')]]")
    assert card.find_element(by("CSS_SELECTOR"), "dd.next-fair").text, "个案卡片应显示下一场招聘会"
    assert "招聘会" in card.find_element(by("CSS_SELECTOR"), "dd.open-registrations").text

    with service.db.session() as session:
        principal = access.authenticate(session, tokens["counsellor"])
    seeker_id = next(sid for sid in workbench_seekers(service, principal)
                     if workbench.seeker_activities(service, principal, sid)["recommendations"])
    browser.get(f"{base}/workbench/seekers/{seeker_id}")
    panel = browser.find_element(by("ID"), "activities")
    assert panel.find_element(by("TAG_NAME"), "h2").text == "培训与活动"
    rec = panel.find_element(by("CSS_SELECTOR"), "li.recommendation")
    assert "考取" in rec.text and "补贴初判" in rec.text and "可多匹配的岗位" in rec.text
    assert rec.find_elements(by("CSS_SELECTOR"), "form.decline button"), "推荐应可拒绝"
    before = rec.find_element(by("CSS_SELECTOR"), ".seats").text
    assert panel.find_elements(by("CSS_SELECTOR"), "ul.events li.event"), "应列出附近即将举办的活动"
    assert_accessible_basics(browser)
    assert_same_origin(browser, base)
    assert_fits_phone(browser)
    browser.execute_script("arguments[0].scrollIntoView()", panel)
    shoot("seeker-activities")
    go(browser, rec.find_element(by("CSS_SELECTOR"), "form:not(.decline) button"))
    assert browser.find_element(by("CSS_SELECTOR"), "p.flash").text == "已报名，并记入服务台账"
    regs = browser.find_element(by("CSS_SELECTOR"), "ul.registrations")
    assert "已报名" in regs.text and "培训" in regs.text
    after = browser.find_element(by("CSS_SELECTOR"), "li.recommendation .seats").text
    assert before != after, "报名后剩余名额应减少"
    go(browser, regs.find_element(by("CSS_SELECTOR"), "form button"))
    assert browser.find_element(by("CSS_SELECTOR"), "p.flash").text == "已取消报名，名额已释放"
    assert browser.find_element(by("CSS_SELECTOR"), "li.recommendation .seats").text == before


def workbench_seekers(service, principal) -> list[int]:
    from data.schema import Seeker

    with service.db.session() as session:
        return list(session.scalars(select(Seeker.id).where(Seeker.station_id.in_(principal.station_ids)).order_by(Seeker.id)))


def test_seeker_page_says_the_commute_as_the_match_rows_do(demo_server, browser):
    """A seeker known only to 欧阳路街道 (radius 1.5 km): for postings given as points in that 街道 the page says
    a bound and a range (相距不超过约1.6公里，通勤约1-13分钟), for postings too uncertain together it says
    无法判断 with why, exactly as GET /seekers/{id}/matches says it; never a point figure it cannot support."""
    from matcher.counsellor.access import add_user
    from matcher.inputs import SeekerInput

    base, service, _tokens = demo_server
    seeker = service.create_seeker(SeekerInput(resume_text="做过三年超市收银员，熟悉收银、理货和顾客服务", consent=True,
                                               street="欧阳路街道"))["id"]
    with service.db.session() as session, session.begin():
        _user, token = add_user(session, name="通勤测试求职者", role="seeker", seeker_id=seeker)
    rows = service.match_seeker(seeker, 10)["results"]
    ranged = [r for r in rows if r.get("commute_minutes_range")]
    open_ = [r for r in rows if r["within_15min"] is None and "无法判断" in r["travel"]]
    assert ranged and open_, "示例数据中该求职者应同时有可给出范围和无法判断的岗位"

    login(browser, base, token)
    cards = browser.find_elements(by("CSS_SELECTOR"), "ol.matches > li.card")
    shown = {card.find_element(by("TAG_NAME"), "h2").get_attribute("id"):
             card.find_element(by("CSS_SELECTOR"), "p.commute").text for card in cards}
    for row in ranged:
        text = shown[f"m{row['posting_id']}"]
        assert row["travel"] in text and re.search(r"相距不超过约\d+\.\d公里，通勤约\d+-\d+分钟", text), text
    for row in open_:
        text = shown[f"m{row['posting_id']}"]
        assert "无法判断是否在15分钟服务圈内" in text and "分钟，" not in text.split("无法判断")[0], text
    for row in rows:
        if row["within_15min"] is True:
            assert "在15分钟就业服务圈内" in shown[f"m{row['posting_id']}"]
    assert_accessible_basics(browser)
    assert_fits_phone(browser)
