"""A real server and a real browser for the workbench tests.

The server is uvicorn on a free loopback port, serving an app built with `HashingEncoder` over the
demo data. The browser is Debian's chromium driven through its chromium-driver (Selenium); nothing
is downloaded. Without chromium the browser tests skip with the reason, except under CI (CI=true),
where they fail: `.ci/run` installs chromium.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from models.encoder import HashingEncoder

CHROMIUM = os.environ.get("JOBCIRCLE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("JOBCIRCLE_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """(base URL, service, tokens) of a running workbench over the demo data."""
    import uvicorn

    from api.app import create_app
    from cli.main import ensure_demo_users, seed_demo
    from matcher.service import JobCircle
    from matcher.settings import Settings

    data_dir = tmp_path_factory.mktemp("workbench") / "jobcircle"
    settings = Settings(data_dir=data_dir, encoder="hashing-256", refresh_interval_s=0.0, occupation_coding=False)
    service = JobCircle(settings, HashingEncoder(256)).start()
    seed_demo(service, progress=False)
    tokens = ensure_demo_users(service, settings)
    app = create_app(settings, service=service)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # start-up, not a timing assertion: the thread reports when it listens
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", service, tokens
    server.should_exit = True
    thread.join()
    service.stop()


def _browser_missing() -> str | None:
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists():
            return f"{path} 不存在：浏览器测试需要 Debian 的 {package}（apt-get install -y chromium chromium-driver；.ci/run 会安装）"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "未安装 selenium（见 requirements.lock）"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never fetch a driver or browser
    profile = tempfile.mkdtemp(prefix="jobcircle-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1100,900", "--lang=zh-CN"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # every network request, to check hosts
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    driver.get("about:blank")
    driver.get_log("performance")  # drop the browser's own start-up traffic; only the pages' requests count
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def shoot(browser):
    """Save a screenshot of the current page to docs/screenshots/NAME.png when JOBCIRCLE_SCREENSHOTS=1."""
    def save(name: str, width: int = 1100, height: int = 900) -> None:
        if os.environ.get("JOBCIRCLE_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.set_window_size(width, height)
        png = browser.get_screenshot_as_png()
        browser.set_window_size(1100, 900)
        path = SCREENSHOTS / f"{name}.png"
        try:  # a palette PNG is a fraction of the size and still sharp for text
            import io

            from PIL import Image

            image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
            image.save(path, optimize=True)
        except ImportError:
            path.write_bytes(png)
    return save
