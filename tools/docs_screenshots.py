"""Retake the screenshots in docs/ from a running app, the way a person sees the page (Chromium, three widths).

    python app.py &                       # then, once it is up:
    python tools/docs_screenshots.py http://127.0.0.1:7860

Needs the ``playwright`` package and Debian's Chromium (``apt-get install chromium``); writes JPEGs into docs/.
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PHOTO = ROOT / "examples" / "forest_stream.jpg"
CHROMIUM = "/usr/bin/chromium"


def save(png: bytes, name: str, height: int | None = None) -> None:
    """A JPEG in docs/, cut to ``height`` pixels from the top if given."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if height is not None:
        image = image.crop((0, 0, image.width, min(height, image.height)))
    image.save(DOCS / name, quality=85, optimize=True)
    print("wrote", DOCS / name)


def opened(page: Page, url: str, width: int, height: int) -> None:
    """The page with the photo uploaded and the size boxes set."""
    page.goto(url)
    page.locator("#photo input[type=file]").set_input_files(PHOTO)
    page.wait_for_function("() => document.querySelector('#width input').value !== ''")
    page.wait_for_timeout(2000)  # the upload's own updates (the size, keep aspect) land first
    page.get_by_label("Keep aspect").uncheck()
    page.locator("#width input").fill(str(width))
    page.locator("#height input").fill(str(height))
    page.locator("#height input").press("Tab")
    page.keyboard.press("Escape")  # Tab from Height lands on the preset list: leave it closed
    page.wait_for_function(f"() => document.querySelector('#height input').value === '{height}'")


def upscaled(page: Page) -> None:
    page.locator("#run").click()
    page.wait_for_function("() => window.liifDeepZoom.shownResult()?.state === 'done'", timeout=300_000)
    page.wait_for_timeout(1500)


def shots(url: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.set_default_timeout(120_000)
        opened(page, url, 1200, 800)
        upscaled(page)
        page.get_by_role("tab", name="Compare", exact=True).click()
        page.wait_for_function("() => document.querySelector('#compare-status').innerText.includes('Crop')")
        page.wait_for_timeout(1500)
        save(page.screenshot(), "explorer.jpg")
        page.get_by_role("tab", name="How it works", exact=True).click()
        page.locator("#show-grid").click()
        page.locator("#latent-grid img").first.wait_for(state="visible")
        page.get_by_label("explain a point").check()
        stage = page.locator(".dz-stage")
        stage.scroll_into_view_if_needed()
        box = stage.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 0.55 * box["width"], box["y"] + 0.45 * box["height"])
        page.locator("#point-picture img").wait_for(state="visible")
        page.wait_for_timeout(2000)
        save(page.locator("#how-tab").screenshot(), "how_it_works.jpg", height=1250)  # the grid and a point
        page.close()

        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(120_000)
        opened(page, url, 900, 300)
        page.get_by_role("radio", name=re.compile("^Fill")).click()
        page.wait_for_function("() => window.liifDeepZoom.shownMarks()?.layout?.height === 300")
        page.locator(".dz-fit").click()
        page.wait_for_timeout(1500)
        save(page.locator("#deep-zoom").screenshot(), "fill.jpg")
        page.get_by_role("radio", name=re.compile("^Stretch")).click()
        page.locator("#width input").fill("1200")
        page.locator("#height input").fill("800")
        page.locator("#height input").press("Tab")
        page.keyboard.press("Escape")
        upscaled(page)
        page.evaluate("() => window.liifDeepZoom.viewer().viewport.zoomBy(8)")
        page.locator(".dz-swipe").select_option("bicubic")  # bicubic left of the divider, LIIF right
        page.wait_for_timeout(8000)  # the tiles at that zoom
        save(page.locator("#deep-zoom").screenshot(), "deep_zoom.jpg")
        page.close()

        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_default_timeout(120_000)
        opened(page, url, 1200, 800)
        upscaled(page)
        save(page.screenshot(), "explorer_phone.jpg")
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the running app, e.g. http://127.0.0.1:7860")
    shots(parser.parse_args().url)
