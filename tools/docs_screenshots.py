"""Retake the screenshots in docs/ the way a person sees the page (Debian's Chromium, three widths).

    python tools/docs_screenshots.py

It launches the app and the browser as the browser benchmarks do (``benchmarks/common.launched_page``), so it
needs the ``playwright`` package and ``apt-get install chromium``; writes JPEGs into docs/.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import EXAMPLES, launched_page  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)

DOCS = ROOT / "docs"
PHOTO = EXAMPLES / "forest_stream.jpg"


def save(png: bytes, name: str, height: int | None = None) -> None:
    """A JPEG in docs/, cut to ``height`` pixels from the top if given."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if height is not None:
        image = image.crop((0, 0, image.width, min(height, image.height)))
    image.save(DOCS / name, quality=85, optimize=True)
    print("wrote", DOCS / name)


def sized(page: Page, width: int, height: int) -> None:
    """Type a width x height, as a person does, and wait until the page holds it."""
    page.locator("#width input").fill(str(width))
    page.locator("#height input").fill(str(height))
    page.locator("#height input").press("Tab")
    page.wait_for_function(f"() => document.querySelector('#height input').value === '{height}'")


def opened(page: Page, viewport: tuple[int, int], width: int, height: int) -> None:
    """A fresh page at ``viewport`` with the photo uploaded and the size boxes set (keep aspect off)."""
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.reload()
    page.locator("#photo input[type=file]").set_input_files(PHOTO)
    page.wait_for_function("() => document.querySelector('#width input').value !== ''")
    page.wait_for_timeout(2000)  # the upload's own updates (the size, keep aspect) land first
    page.get_by_label("Keep aspect").uncheck()
    sized(page, width, height)


def upscaled(page: Page) -> None:
    page.locator("#run").click()
    page.wait_for_function("() => window.liifDeepZoom.shownResult()?.state === 'done'", timeout=300_000)
    page.wait_for_timeout(1500)


def shots() -> None:
    with launched_page() as page:
        opened(page, (1920, 1080), 1200, 800)
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

        opened(page, (1366, 900), 900, 300)
        page.get_by_role("radio", name=re.compile("^Fill")).click()
        page.wait_for_function("() => window.liifDeepZoom.shownMarks()?.layout?.height === 300")
        page.locator(".dz-fit").click()
        page.wait_for_timeout(1500)
        save(page.locator("#deep-zoom").screenshot(), "fill.jpg")
        page.get_by_role("radio", name=re.compile("^Stretch")).click()
        sized(page, 1200, 800)
        upscaled(page)
        page.evaluate("() => window.liifDeepZoom.viewer().viewport.zoomBy(8)")
        page.locator(".dz-swipe").select_option("bicubic")  # bicubic left of the divider, LIIF right
        page.wait_for_timeout(8000)  # the tiles at that zoom
        save(page.locator("#deep-zoom").screenshot(), "deep_zoom.jpg")

        opened(page, (390, 844), 1200, 800)
        upscaled(page)
        save(page.screenshot(), "explorer_phone.jpg")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    shots()
