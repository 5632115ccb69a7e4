"""The built book in a real browser: Debian's Chromium, headless, driven by Selenium.

For every page: it loads with no console errors; every equation is typeset by MathJax (served
from the book itself) and no raw TeX is left; every image loads; nothing is fetched from outside
the local server (the book works offline). Notebook pages also have their Binder and Colab launch
buttons, and hide exercise solutions until the learner clicks. A screenshot of each page is
saved in ``_build/screenshots/``. Internal links and anchors are checked across all pages.

Without Chromium the browser tests are skipped, except under CI (environment variable CI set),
where a missing browser is a failure.
"""

import functools
import http.server
import os
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [chapter["file"] for part in TOC["parts"] for chapter in part["chapters"]]
NOTEBOOK_PAGES = [page for page in PAGES if (ROOT / f"{page}.ipynb").is_file()]
SCREENSHOTS = ROOT / "_build" / "screenshots"
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"),
    reason="Chromium and chromedriver are not installed (on Debian: apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="session")
def server(built_book):
    """Serve the built book on a free localhost port; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output free of request logs
        pass


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def open_page(browser, server, page):
    """Load a page, wait until MathJax has finished, and return the console errors it logged."""
    browser.get(f"{server}/{page}.html")
    browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const finish = () => (window.MathJax && MathJax.startup && MathJax.startup.promise
            ? MathJax.startup.promise.then(() => done(true)) : done(false));
        if (document.readyState === "complete") finish(); else window.addEventListener("load", finish);"""
    )
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@needs_browser
@pytest.mark.parametrize("page", PAGES)
def test_page_loads_cleanly_with_math_images_and_nothing_from_outside(browser, server, page):
    errors = open_page(browser, server, page)
    assert not errors, f"console errors: {errors}"
    untypeset = browser.execute_script("return document.querySelectorAll('.math:not(:has(mjx-container))').length")
    assert untypeset == 0, f"{untypeset} equations were not typeset"
    text = browser.execute_script("return document.querySelector('main').innerText")
    assert "$$" not in text and "\\begin{" not in text, "raw TeX left on the page"
    broken = browser.execute_script(
        "return Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert not broken, f"images that did not load: {broken}"
    outside = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))"
    )
    assert not outside, f"fetched from outside the book: {outside}"
    save_screenshot(browser, page)


@needs_browser
@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_page_has_launch_buttons_and_hidden_solutions(browser, server, page):
    from selenium.webdriver.support.wait import WebDriverWait

    open_page(browser, server, page)
    links = browser.execute_script("return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    repository = urlparse(REPOSITORY["url"]).path.strip("/")
    binder = f"https://mybinder.org/v2/gh/{repository}/{REPOSITORY['branch']}?urlpath=lab/tree/{page}.ipynb"
    colab = f"https://colab.research.google.com/github/{repository}/blob/{REPOSITORY['branch']}/{page}.ipynb"
    assert binder in links, "no Binder launch button"
    assert colab in links, "no Colab launch button"

    solutions = browser.find_elements("css selector", ".solution")
    assert solutions, "the page has no exercise solutions"
    for solution in solutions:
        body = solution.find_element("css selector", ":scope > section, :scope > p:not(.admonition-title)")
        assert not body.is_displayed(), "a solution is visible before it is clicked"
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", solution)
        solution.find_element("css selector", ".admonition-title").click()
        WebDriverWait(browser, 5).until(lambda _: body.is_displayed(), "clicking did not reveal the solution")


def save_screenshot(browser, page):
    """Save a full-length screenshot of the current page under _build/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height, 16000))
    browser.save_screenshot(str(SCREENSHOTS / f"{page.replace('/', '_')}.png"))
    browser.set_window_size(1280, 900)


class LinkCollector(HTMLParser):
    """Collects the hrefs of <a> tags and every id attribute of an HTML page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])


def parse(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text())
    return collector


def test_every_internal_link_and_anchor_resolves(built_book):
    pages = [p for p in built_book.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts]
    parsed = {page: parse(page) for page in pages}
    checked, broken = 0, []
    for page, links in parsed.items():
        base = "file://" + str(page)
        for href in links.hrefs:
            if re.match(r"^[a-z]+:", href) and not href.startswith("file:"):
                continue  # external links are not fetched: the book must work offline
            target = urlparse(urljoin(base, href))
            target_path = Path(unquote(target.path))
            if target_path.is_dir():
                target_path = target_path / "index.html"
            checked += 1
            if not target_path.is_file():
                broken.append(f"{page.relative_to(built_book)} -> {href} (no such file)")
            elif target.fragment and unquote(target.fragment) not in parse_cached(parsed, target_path).ids:
                broken.append(f"{page.relative_to(built_book)} -> {href} (no such anchor)")
    assert checked > 0
    assert not broken, "\n".join(broken)


def parse_cached(parsed: dict, path: Path) -> LinkCollector:
    if path not in parsed:
        parsed[path] = parse(path)
    return parsed[path]
