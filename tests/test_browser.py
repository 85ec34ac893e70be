"""One real browser session: Debian's Chromium driven by Playwright through the whole page."""

import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(app_url):
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("LIIF_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.set_default_timeout(120_000)
        page.goto(app_url)
        yield page
        browser.close()


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_upload_size_run_crop_and_plot(page):
    page.locator("#photo input[type=file]").set_input_files(str(ROOT / "examples" / "forest_stream.jpg"))
    width = page.locator("#width input")
    page.wait_for_function("() => document.querySelector('#width input').value === '768'")
    width.fill("301")
    width.press("Tab")
    page.wait_for_function("() => document.querySelector('#height input').value === '201'")
    page.locator("#run").click()
    result = page.locator("#result img")
    result.wait_for(state="visible", timeout=120_000)
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('301×201')")
    natural = page.evaluate("() => [document.querySelector('#result img').naturalWidth, "
                            "document.querySelector('#result img').naturalHeight]")  # fmt: skip
    assert natural == [301, 201]

    box = result.bounding_box()
    result.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    page.wait_for_function("() => document.querySelector('#compare-status').innerText.includes('Crop')")
    assert page.locator("#slider img").count() >= 2
    status = page.locator("#compare-status").inner_text()
    assert "centre (7" in status  # about a quarter of 301 px across

    page.get_by_role("tab", name="RGB along a line").click()
    page.get_by_label("set the line's ends").check()
    result.click(position={"x": box["width"] * 0.1, "y": box["height"] * 0.2})
    result.click(position={"x": box["width"] * 0.9, "y": box["height"] * 0.8})
    page.wait_for_function(
        "() => (document.querySelector('#profile-status') || {innerText: ''}).innerText.includes('LIIF samples')"
    )
    page.locator("#plot .js-plotly-plot").wait_for(state="visible")
    assert _shot(page, "browser-explorer.png").stat().st_size > 10_000

    page.get_by_role("tab", name="How it works").click()
    page.locator("#show-grid").click()
    page.locator("#latent-grid img").wait_for(state="visible")
    page.get_by_label("explain a point").check()
    result.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})
    page.locator("#point-picture img").wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#point-table').innerText.includes('Weights sum to')")
    assert "arXiv 2012.09161" in page.locator("#how-text").inner_text()
    assert _shot(page, "browser-how-it-works.png").stat().st_size > 10_000
