"""Helpers for tests that drive a real browser: Debian's headless Chromium through Selenium.

The browser and its driver come from Debian (`.ci/install-browser` installs them); Selenium is
given both paths, so Selenium Manager never tries to download one. Selenium is synchronous:
tests call these helpers through `asyncio.to_thread`, so the event loop keeps serving the web
app and the Bot API stand-in while the browser waits for them.
The web app itself runs through `bot.web.local_server`, as in the demo.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAGE_LOAD_TIMEOUT = 30  # seconds; a safety net, never an assertion

# Headless, no GPU, and nothing that phones home: tests reach nothing beyond 127.0.0.1.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers give /dev/shm only 64 MiB
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-proxy-server",  # a proxy in the environment must not see loopback traffic
    "--window-size=1024,768",
)


def missing_browser() -> str | None:
    """Why a browser test cannot run here (a sentence naming the fix), or None when it can."""
    if importlib.util.find_spec("selenium") is None:
        return "the selenium package is not installed (it belongs to the test extra)"
    for binary, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(binary, os.X_OK):
            return f"{binary} is missing: run .ci/install-browser (Debian package {package})"
    return None


def start_chromium(user_data_dir: Path) -> WebDriver:
    """Headless Chromium with a fresh profile in `user_data_dir`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
    return driver


@contextlib.contextmanager
def chromium(user_data_dir: Path) -> Generator[WebDriver, None, None]:
    driver = start_chromium(user_data_dir)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass(frozen=True)
class PageView:
    """What the buyer sees: the document's language and direction, its URL and its text."""

    url: str
    lang: str
    direction: str
    heading: str
    text: str


# WebDriver reports rendered text with no-break spaces as plain ones and without the invisible
# direction marks babel puts into Arabic amounts; compare babel's output the same way.
_AS_SHOWN = str.maketrans(
    {"\u00a0": " ", "\u202f": " ", **dict.fromkeys("\u200e\u200f\u061c", None)}
)


def as_shown(text: str) -> str:
    """`text` as WebDriver reports it once rendered."""
    return text.translate(_AS_SHOWN)


def read_page(driver: WebDriver) -> PageView:
    from selenium.webdriver.common.by import By

    root = driver.find_element(By.TAG_NAME, "html")
    return PageView(
        url=driver.current_url,
        lang=root.get_attribute("lang") or "",
        direction=root.get_attribute("dir") or "",
        heading=driver.find_element(By.TAG_NAME, "h1").text,
        text=driver.find_element(By.TAG_NAME, "body").text,
    )


def open_page(driver: WebDriver, url: str) -> PageView:
    driver.get(url)
    return read_page(driver)


def button_label(driver: WebDriver, css: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css).text


def click_and_wait(driver: WebDriver, css: str, *, until: Callable[[str], bool]) -> PageView:
    """Clicks the element `css` selects, then waits for a page whose URL meets `until`."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(lambda d: until(d.current_url))
    return read_page(driver)
