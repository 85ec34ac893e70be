"""The page in a real browser: Debian's Chromium driven by Playwright with a real mouse and keyboard."""

import io
import json
import math
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
WIDTHS = (390, 1024, 1920)  # phone, laptop, desktop

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("LIIF_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(app_url)
    page.locator("#width input").wait_for()
    yield page
    page.close()


@pytest.fixture(scope="module")
def small_photo(tmp_path_factory):
    """A 96x64 copy of an example, so renders in the browser take a moment, not minutes."""
    path = tmp_path_factory.mktemp("browser") / "stream.png"
    with Image.open(ROOT / "examples" / "forest_stream.jpg") as img:
        img.convert("RGB").resize((96, 64), Image.Resampling.LANCZOS).save(path)
    return path


def _value(page, selector):
    return page.locator(selector).input_value()


def _load(page, photo):
    page.locator("#photo input[type=file]").set_input_files(str(photo))
    page.wait_for_function("() => document.querySelector('#width input').value === '192'")  # scale 2


def _sizes(page):
    return int(_value(page, "#width input")), int(_value(page, "#height input"))


def _scale(page):
    return float(_value(page, "#scale input[type=number]"))


def _shot(page, name, selector=None):
    """A screenshot for people to look at (test-artifacts/): the whole page, or one part of it."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if selector:
        page.locator(selector).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    return path


def test_before_a_photo_the_actions_wait_and_nothing_complains(page):
    page.wait_for_function("() => ['width', 'height'].every(id => document.querySelector(`#${id} input`).value === '')")
    assert page.locator("#run").is_disabled()
    page.wait_for_function("() => document.querySelector('.dz-info').innerText.includes('Pick or upload a photo')")
    page.get_by_role("tab", name="Compare", exact=True).click()
    assert page.locator("#compare").is_disabled()  # (the other tabs' buttons are disabled the same way)
    assert "No photo yet" in page.locator("#size-info").inner_text()
    options = page.locator("#model").inner_text()
    assert "Auto: from the photo" in options and "Compressed or noisy" in options
    assert "RDN" not in options  # no RDN weights on this machine
    assert "LIIF_HUB_REPO" not in page.content()  # a note for a Space's owner is the README's, not the page's
    stage = page.locator(".dz-stage").bounding_box()  # no large black box: a sentence of what to do
    assert stage["height"] < 120 and "Pick a photo above" in page.evaluate(
        "() => getComputedStyle(document.querySelector('.dz-stage'), '::after').content"
    )
    assert page.locator(".toast-body").count() == 0


def test_typing_and_pasting_keep_the_aspect_on_every_keystroke(page, small_photo):
    _load(page, small_photo)
    width = page.locator("#width input")
    width.select_text()
    width.type("1920")  # machine speed: no delay between keys
    page.wait_for_function("() => document.querySelector('#height input').value === '1280'")
    assert "×20.00" in page.locator("#size-info").inner_text()
    width.fill("150")  # a paste: one input event with the whole value
    page.wait_for_function("() => document.querySelector('#height input').value === '100'")
    height = page.locator("#height input")
    height.select_text()
    height.type("32")
    page.wait_for_function("() => document.querySelector('#width input').value === '48'")
    assert "×0.50" in page.locator("#size-info").inner_text()
    page.get_by_label("Keep aspect").uncheck()
    width.fill("300")
    page.wait_for_timeout(200)
    assert _sizes(page) == (300, 32)
    assert "custom: ×3.13 across, ×0.50 down" in page.locator("#size-info").inner_text()
    assert "custom" in page.locator("#scale").inner_text()


def test_tab_from_height_goes_on_to_the_scale_not_into_a_list_over_upscale(page, small_photo):
    _load(page, small_photo)
    page.locator("#height input").focus()
    page.keyboard.press("Tab")
    page.wait_for_timeout(400)
    assert page.evaluate("() => document.activeElement.closest('#scale') !== null")
    box = page.locator("#run").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert page.evaluate(f"() => document.elementFromPoint({x}, {y}).closest('#run') !== null")  # nothing over it
    # Tabbing on through the scale leaves a typed size of another shape as it was (its release used to set both
    # sides from the scale: 900x300 came back as 899x599).
    page.get_by_label("Keep aspect").uncheck()
    page.locator("#width input").fill("900")
    page.locator("#height input").fill("300")
    page.locator("#height input").press("Tab")
    page.keyboard.press("Tab")
    page.wait_for_timeout(800)
    assert _sizes(page) == (900, 300)


def test_a_size_past_the_limit_or_empty_disables_upscale_and_says_why(page, small_photo):
    _load(page, small_photo)
    assert page.locator("#run").is_enabled()
    width = page.locator("#width input")
    width.fill("2400")  # keep aspect: 2400x1600, 3.84 MP, over this app's 2 MP
    page.wait_for_function("() => document.querySelector('#run').disabled")
    info = page.locator("#size-info").inner_text()
    assert "3.8 MP is more than this app renders here (2 MP): try 1732×1154." in info
    assert "to render here" not in info  # no time estimate for a size that will not be rendered
    width.fill("0")
    page.wait_for_function("() => document.querySelector('#run').disabled")
    assert "Width and height must be whole numbers from 1 to" in page.locator("#size-info").inner_text()
    page.get_by_label("Keep aspect").uncheck()  # the suggested size itself is rendered
    width.fill("1732")
    page.locator("#height input").fill("1154")
    page.wait_for_function("() => !document.querySelector('#run').disabled")
    assert "MP is more than" not in page.locator("#size-info").inner_text()


def test_the_slider_and_the_boxes_never_drift_apart(page, small_photo):
    _load(page, small_photo)
    track = page.locator("#scale input[type=range]")
    box = track.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * (2 - 0.25) / 7.75, y)  # the thumb, at scale 2
    page.mouse.down()
    for i in range(1, 15):  # a real drag, in small moves
        page.mouse.move(box["x"] + box["width"] * (0.23 + 0.02 * i), y)
    page.mouse.up()
    dragged = _scale(page)
    assert dragged != 2
    assert _sizes(page) == (round(96 * dragged), round(64 * dragged))
    track.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    stepped = _scale(page)
    assert stepped == pytest.approx(dragged + 0.30, abs=1e-6)
    assert _sizes(page) == (round(96 * stepped), round(64 * stepped))


def _viewer_point(page, fx, fy):
    """Where fractions (fx, fy) of the photo lie on the screen, in the result view."""
    return page.evaluate(
        f"""() => {{
            const view = document.querySelector('.dz-view').getBoundingClientRect();
            const photo = window.liifDeepZoom.items.photo;
            const p = photo.imageToViewerElementCoordinates(new OpenSeadragon.Point(
                {fx} * photo.getContentSize().x, {fy} * photo.getContentSize().y));
            return [view.left + p.x, view.top + p.y];
        }}"""
    )


def _upscale(page, width, height, timeout=120_000):
    """Click Upscale and wait until the result view shows this click's finished width x height render."""
    frames = _deep_zoom(page, "stats.frames")
    page.locator("#run").click()
    page.wait_for_function(
        f"() => {{ const r = window.liifDeepZoom.shownResult();"
        f" return window.liifDeepZoom.stats.frames > {frames} && r && r.state === 'done'"
        f" && r.width === {width} && r.height === {height}; }}",
        timeout=timeout,
    )
    page.wait_for_function("() => !document.querySelector('#download').disabled")


def _overlay_alpha(page, fx, fy, beside=(0, 0)):
    """The alpha of the result view's overlay (crop, line, fill's cut, fit's margins) over fractions (fx, fy) of
    the photo, or ``beside`` it by some screen pixels."""
    return page.evaluate(
        f"""() => {{
            const c = document.querySelector('.dz-overlay');
            const photo = window.liifDeepZoom.items.photo;
            const p = photo.imageToViewerElementCoordinates(new OpenSeadragon.Point(
                {fx} * photo.getContentSize().x, {fy} * photo.getContentSize().y));
            const r = c.width / c.clientWidth;
            const [x, y] = [Math.round((p.x + {beside[0]}) * r), Math.round((p.y + {beside[1]}) * r)];
            return c.getContext('2d').getImageData(x, y, 1, 1).data[3];
        }}"""
    )


def test_the_result_is_the_viewer_with_the_progress_on_it_and_a_download_named_as_the_render(page, small_photo):
    _load(page, small_photo)
    assert page.locator("#result").count() == 0  # one result view: no separate picture of the photo again
    page.locator("#width input").fill("960")  # 960x640: a few seconds, long enough to see it running
    page.evaluate(  # every text the progress on the result shows
        """() => { window.progressTexts = [];
            const watched = { subtree: true, childList: true, characterData: true };
            new MutationObserver(() => progressTexts.push(document.querySelector('.dz-progress span').innerText))
                .observe(document.querySelector('.dz-progress'), watched); }"""
    )
    frames = _deep_zoom(page, "stats.frames")
    page.locator("#run").click()
    page.wait_for_function("() => !document.querySelector('.dz-progress').hidden")
    stage = page.locator(".dz-stage").bounding_box()
    assert stage["y"] >= 0 and stage["y"] + 80 <= 1000  # the progress on the result is on the screen
    done = f"liifDeepZoom.stats.frames > {frames} && liifDeepZoom.shownResult().state === 'done'"
    page.wait_for_function(f"() => {done} && !document.querySelector('#download').disabled")
    assert page.locator(".dz-progress").is_hidden()
    texts = page.evaluate("() => progressTexts")
    assert texts[0].startswith("Bicubic preview at 960×640")
    assert re.fullmatch(r"LIIF \d+% · about \d+ s left", texts[-1]), texts
    shown = _deep_zoom(page, "shownResult()")
    assert shown["rect"] == [0, 0, 96, 64] and shown["url"].endswith("stream_edsr-baseline-liif_960x640.png")
    assert _deep_zoom(page, "items.result.getBounds().width") == pytest.approx(1, abs=1e-6)  # over the whole photo
    assert page.locator("#download").inner_text().startswith("Download PNG · ")
    with page.expect_download() as done:
        page.locator("#download").click()
    assert done.value.suggested_filename == "stream_edsr-baseline-liif_960x640.png"
    page.get_by_role("radio", name="JPEG").check()
    page.wait_for_function("() => document.querySelector('#download').innerText.startsWith('Download JPEG')")
    with page.expect_download() as done:
        page.locator("#download").click()
    assert done.value.suggested_filename == "stream_edsr-baseline-liif_960x640.jpg"
    with Image.open(done.value.path()) as image:
        assert image.format == "JPEG" and image.size == (960, 640)
    # Before and after over the whole photo: the photo's own pixels left of the divider, LIIF right of it.
    page.locator(".dz-fit").click()
    page.select_option(".dz-swipe", "nearest")
    assert page.locator(".dz-divider").is_visible()
    assert (
        _deep_zoom(page, "items.nearest.getOpacity()") == 1 and _deep_zoom(page, "items.result.getClip()") is not None
    )


@pytest.mark.parametrize("screen", [(1366, 900), (1920, 1080), (390, 844)])
def test_after_upscale_the_view_the_status_and_download_are_on_the_screen(page, small_photo, screen):
    """Whatever the page was scrolled to, Upscale brings the view with its progress on the screen, and the room
    under it: the status and Download are right under the result, not below the fold."""
    width, height = screen
    page.set_viewport_size({"width": width, "height": height})
    _load(page, small_photo)
    page.evaluate("() => window.scrollTo(0, 0)")
    _upscale(page, 192, 128)
    page.wait_for_timeout(1000)  # the smooth scroll's end
    for selector in (".dz-stage", "#status", "#download"):
        box = page.locator(selector).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
    _shot(page, f"browser-result-{width}x{height}.png")


def test_a_new_click_supersedes_the_render_and_the_result_is_what_the_boxes_said(page, small_photo):
    _load(page, small_photo)
    width = page.locator("#width input")
    width.fill("1200")  # 1200x800: long enough to be running when the next click comes
    page.locator("#run").click()
    page.wait_for_function("() => window.liifDeepZoom.shownResult()?.width === 1200")  # its preview
    width.fill("150")
    _upscale(page, 150, 100)
    assert "150×100 from 96×64" in page.locator("#status").text_content()
    # After a render the crops follow (64 output px at the zoom a 150×100 output gets, x2.5), and a new crop
    # size renders them again at once.
    page.get_by_role("tab", name="Compare", exact=True).click()
    page.wait_for_function("() => document.querySelector('#compare-status').innerText.includes('Crop 160×160')")
    crop = page.locator("#crop input[type=number]")
    crop.fill("32")
    crop.press("Tab")  # leaving the box releases the slider, as letting go of its thumb does
    page.wait_for_function("() => document.querySelector('#compare-status').innerText.includes('Crop 80×80')")
    # The three views of one crop are drawn the same size (the picture inside each box, object-fit: contain).
    page.wait_for_function(
        "() => [...document.querySelectorAll('#slider img, #nearest img')].filter(i => i.naturalWidth).length === 3"
    )
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('#slider img, #nearest img')).map(i => {
            const r = i.getBoundingClientRect();
            const k = Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight);
            return [i.naturalWidth * k, i.naturalHeight * k];
        })"""
    )
    assert len(drawn) == 3 and drawn[0][0] > 200
    assert all(abs(w - drawn[0][0]) <= 2 and abs(h - drawn[0][1]) <= 2 for w, h in drawn)


def test_back_to_back_supersedes_each_replace_the_preview(page, small_photo):
    """Each click while a render runs replaces that render's preview with its own and renders on; the last one
    finishes (``benchmarks/bench_supersede.py`` prints how soon each preview shows)."""
    _load(page, small_photo)
    width = page.locator("#width input")
    for i in range(5):
        width.fill(str(1200 + i))  # each render long enough (1200x800) to be running when the next click comes
        page.locator("#run").click()
        page.wait_for_function(f"() => window.liifDeepZoom.shownResult()?.width === {1200 + i}")  # its preview
        page.wait_for_function("() => document.querySelector('#status').innerText.includes('% · about')")
        assert _deep_zoom(page, "shownResult().state") == "preview"
    width.fill("150")
    _upscale(page, 150, 100)  # the superseded renders left nothing behind that holds the next one up
    assert "150×100 from" in page.locator("#status").text_content()


def test_stop_ends_a_render_and_its_preview_is_not_offered_as_a_download(page, small_photo):
    _load(page, small_photo)
    page.locator("#width input").fill("1500")
    page.locator("#run").click()
    page.wait_for_function("() => window.liifDeepZoom.shownResult()?.width === 1500")  # its preview
    page.locator("#stop").click()
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('Stopped')", timeout=5_000)
    assert _deep_zoom(page, "shownResult().state") == "stopped"  # the preview stays on the result view ...
    assert "Stopped" in page.locator(".dz-progress span").inner_text()
    assert page.locator("#download").is_disabled()  # ... but is not offered as the result (it was "image.png")
    page.locator("#width input").fill("120")  # the next request is served at once: the slot is free
    _upscale(page, 120, 80, timeout=15_000)
    assert "120×80 from" in page.locator("#status").text_content()


def test_a_frame_that_comes_before_the_view_shows_its_photo_is_drawn_once_it_does(page, small_photo):
    """The view learns a new photo through the queue; a render started at once can send its frames first."""
    _load(page, small_photo)
    page.locator("#width input").fill("150")
    _upscale(page, 150, 100)
    frame = _deep_zoom(page, "shownResult()")
    page.locator("#photo input[type=file]").set_input_files(str(ROOT / "examples" / "dandelions.jpg"))
    page.wait_for_function("() => window.liifDeepZoom.shownResult() === null")  # another photo: no render shown
    page.evaluate("(frame) => window.liifDeepZoom.result(frame)", frame)  # a frame of the first photo's render
    assert _deep_zoom(page, "shownResult()") is None  # not drawn over the photo on screen
    page.locator("#photo input[type=file]").set_input_files(str(small_photo))
    page.wait_for_function("() => window.liifDeepZoom.shownResult()?.width === 150")  # drawn once it is shown


def test_presets_fill_and_fit_are_shown_on_the_photo_before_the_click_and_rendered_as_shown(page, small_photo):
    _load(page, small_photo)
    page.locator("#preset input").click()
    page.get_by_role("option", name="1080p · 1920×1080").click()
    page.wait_for_function("() => document.querySelector('#width input').value === '1920'")
    assert _sizes(page) == (1920, 1080) and not page.get_by_label("Keep aspect").is_checked()
    assert page.get_by_role("radio", name="Fill: crop").is_checked()  # another shape: filled, not stretched
    page.wait_for_function("() => document.querySelector('#size-info').innerText.includes('fill: the photo')")
    info = page.locator("#size-info").inner_text()
    assert "2.1 MP is more than this app renders here (2 MP)" in info and page.locator("#run").is_disabled()
    page.locator("#width input").fill("300")  # typed: the size is the person's own again
    page.locator("#height input").fill("100")
    assert page.locator("#preset input").input_value() == "Custom size"
    page.wait_for_function("() => window.liifDeepZoom.shownMarks()?.layout?.height === 100")
    # Before the click: the photo's top and bottom the fill cuts off are dimmed on the result view.
    page.locator(".dz-fit").click()
    page.wait_for_timeout(800)
    assert _overlay_alpha(page, 0.5, 0.05) > 100 and _overlay_alpha(page, 0.5, 0.5) == 0  # cut: dimmed; kept: not
    _shot(page, "browser-fill-before.png", ".dz")
    _upscale(page, 300, 100)
    rect = _deep_zoom(page, "shownResult().rect")
    assert rect == pytest.approx([0, 16, 96, 32])  # the photo's centre, 96x32 of 96x64, as the fill shows it
    assert "fill: the photo's centre 96x32 of 96x64" in page.locator("#status").text_content()
    # Fit, with transparent margins: drawn beside the photo before the click, and in the render.
    page.get_by_role("radio", name="Fit: pad").check()
    page.get_by_label("Transparent (PNG, WebP)").check()
    page.wait_for_function("() => window.liifDeepZoom.shownMarks()?.transparent === true")
    page.wait_for_timeout(800)  # the view fits the margins in
    assert _overlay_alpha(page, -0.2, 0.5) == 255  # the margin beside the photo, drawn opaque (a checkerboard)
    assert "showing the last result" in page.locator(".dz-info").inner_text()
    _upscale(page, 300, 100)
    assert _deep_zoom(page, "shownResult().rect") == pytest.approx([-48, 0, 192, 64])  # 150x100 in 300x100
    with page.expect_download() as done:
        page.locator("#download").click()
    with Image.open(done.value.path()) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 50))[3] == 0 and image.getpixel((150, 50))[3] == 255
    _shot(page, "browser-fit.png", ".dz")


def test_the_page_at_three_widths(page):
    page.locator("#photo input[type=file]").set_input_files(str(ROOT / "examples" / "forest_stream.jpg"))
    page.wait_for_function("() => document.querySelector('#width input').value === '768'")
    page.locator("#width input").fill("300")
    _upscale(page, 300, 200)
    # The crop follows the size change: still the photo's most detailed spot, now in a 300x200 output.
    page.get_by_role("tab", name="Compare", exact=True).click()
    cx, cy = (float(page.get_by_label(f"Crop centre {axis}").input_value()) for axis in "xy")
    assert 0 < cx < 300 and 0 < cy < 200
    page.wait_for_function(
        f"() => document.querySelector('#compare-status').innerText.includes('centre ({cx:.0f}, {cy:.0f})')"
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(500)
        stage = page.locator(".dz-stage").bounding_box()
        assert stage["width"] >= min(600, width - 100)  # the result view spans the page
        tabs = page.get_by_role("tab").all_inner_texts()
        assert tabs == ["Compare", "Line", "Sweep", "How it works"], tabs  # all four, none behind "⋯"
        assert _shot(page, f"browser-explorer-{width}.png").stat().st_size > 10_000


def test_click_crop_line_and_how_it_works(page):
    page.locator("#photo input[type=file]").set_input_files(str(ROOT / "examples" / "forest_stream.jpg"))
    page.wait_for_function("() => document.querySelector('#width input').value === '768'")
    spot = [float(page.get_by_label(f"Crop centre {axis}").input_value()) for axis in "xy"]
    page.get_by_role("tab", name="How it works").click()
    explained = [int(page.get_by_label(f"Explain output pixel {axis}").input_value()) for axis in "xy"]
    assert explained == [int(v) for v in spot]  # the explained pixel starts under the crop, not at (0, 0)
    width = page.locator("#width input")
    width.fill("301")
    page.wait_for_function("() => document.querySelector('#height input').value === '201'")
    _upscale(page, 301, 201)
    page.locator(".dz-stage").scroll_into_view_if_needed()
    page.mouse.click(*_viewer_point(page, 0.25, 0.5))
    page.get_by_role("tab", name="Compare", exact=True).click()
    page.wait_for_function("() => document.querySelector('#compare-status').innerText.includes('centre (76, 100)')")
    assert [page.get_by_label(f"Crop centre {axis}").input_value() for axis in "xy"] == ["75.5", "100.5"]
    assert page.locator("#slider img").count() >= 2

    page.get_by_role("tab", name="Line", exact=True).click()
    page.get_by_label("set the line's ends").check()
    page.locator(".dz-stage").scroll_into_view_if_needed()
    page.mouse.click(*_viewer_point(page, 0.1, 0.2))
    page.wait_for_timeout(350)  # quick, but not a double click (which zooms): both clicks count, in order
    page.mouse.click(*_viewer_point(page, 0.9, 0.8))
    page.wait_for_function(
        "() => (document.querySelector('#profile-status') || {innerText: ''}).innerText.includes('LIIF samples')"
    )
    page.locator("#plot .js-plotly-plot").wait_for(state="visible")
    names = ("Start x", "Start y", "End x", "End y")
    for _ in range(50):
        ends = [float(page.get_by_label(name).input_value()) for name in names]
        if ends == pytest.approx([30.5, 40.5, 271.5, 161.5], abs=1):
            break
        page.wait_for_timeout(100)
    assert ends == pytest.approx([30.5, 40.5, 271.5, 161.5], abs=1)
    page.wait_for_function("() => document.querySelector('#profile-status').innerText.includes('over 26')")
    # A new size keeps the line on the same spot of the photo, inside the new output: it still plots.
    width.fill("150")
    moved = [v * 150 / 301 if i % 2 == 0 else v * 100 / 201 for i, v in enumerate(ends)]  # the same spots at 150x100
    for _ in range(50):
        ends = [float(page.get_by_label(name).input_value()) for name in names]
        if ends == pytest.approx(moved, abs=1):
            break
        page.wait_for_timeout(100)
    assert ends == pytest.approx(moved, abs=1)
    page.locator("#plot-button").click()
    page.wait_for_function("() => document.querySelector('#profile-status').innerText.includes('over ')")
    assert page.locator(".toast-body").count() == 0  # not "The line must lie inside the 150x100 output"

    page.get_by_role("tab", name="How it works").click()
    page.locator("#show-grid").click()
    page.locator("#latent-grid img").wait_for(state="visible")
    page.get_by_label("explain a point").check()
    page.locator(".dz-stage").scroll_into_view_if_needed()
    page.mouse.click(*_viewer_point(page, 0.5, 0.5))
    page.locator("#point-picture img").wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#point-table').innerText.includes('Weights sum to')")
    assert "latent cell (x, y)" in page.locator("#point-table").inner_text()
    header = page.locator("#point-table th").nth(2).bounding_box()
    assert header["height"] < 50  # "weight" on one line (about 41 px with padding), not broken into "weig/ht"
    assert "arXiv 2012.09161" in page.locator("#how-text").inner_text()
    assert _shot(page, "browser-how-it-works.png", "#views").stat().st_size > 10_000


def _deep_zoom(page, expression):
    return page.evaluate(f"() => window.liifDeepZoom.{expression}")


def _stage_pixels(page):
    return np.asarray(Image.open(io.BytesIO(page.locator(".dz-stage").screenshot())).convert("RGB")).astype(int)


def test_deep_zoom_renders_what_is_in_view_and_follows_the_crop(page, tmp_path):
    # A photo no other test has shown, so no tile of it is in the server's tile cache yet.
    unseen = tmp_path / "unseen.png"
    with Image.open(ROOT / "examples" / "forest_stream.jpg") as img:
        img.convert("RGB").resize((380, 254), Image.Resampling.LANCZOS).save(unseen)
    asked = []  # every tile request the page sent to the server

    def record(request):
        if "component_server" in request.url and "viewer_tile" in (request.post_data or ""):
            data = json.loads(request.post_data)["data"]
            asked.append((data["method"], data["zoom"], data["col"], data["row"]))

    page.on("request", record)
    page.set_viewport_size({"width": 1280, "height": 560})  # the result view starts below the fold
    page.locator("#photo input[type=file]").set_input_files(str(unseen))
    page.wait_for_function("() => window.liifDeepZoom?.items.liif")
    page.evaluate("() => window.scrollTo(0, 0)")
    stage = page.locator(".dz-stage")
    assert stage.bounding_box()["y"] > 560  # off the screen: tiles wait until the viewer is scrolled to
    page.evaluate("() => { window.redraws = 0; liifDeepZoom.viewer().addHandler('update-viewport', () => redraws++); }")
    page.wait_for_timeout(1000)
    assert _deep_zoom(page, "stats.sent") == 0 and not asked
    assert page.evaluate("() => window.redraws") <= 1  # and the held tiles do not keep it redrawing (60/s before)
    page.set_viewport_size({"width": 1280, "height": 1000})
    stage.scroll_into_view_if_needed()
    page.evaluate("() => { window.redraws = 0; }")
    page.wait_for_timeout(1000)
    if _deep_zoom(page, "stats.drawn") == 0:  # waiting for the photo's encoding and first tile: no redraw loop
        assert page.evaluate("() => window.redraws") < 10
    page.wait_for_function("() => window.liifDeepZoom.stats.drawn > 0")  # the first LIIF tiles, at "fit"
    box = stage.bounding_box()
    centre = (box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.mouse.move(*centre)
    while _deep_zoom(page, "photoZoom()") < 14:  # the mouse wheel, notch by notch, to about x16
        page.mouse.wheel(0, -120)
        page.wait_for_timeout(80)
    zoom = 0
    while zoom != (zoom := _deep_zoom(page, "photoZoom()")):  # until the zoom animation has settled
        page.wait_for_timeout(150)
    assert 14 <= zoom <= 24 and f"×{zoom:.1f} of the photo" in page.locator(".dz-info").inner_text()
    level = _deep_zoom(page, "level()")
    page.wait_for_function(f"() => (window.liifDeepZoom.stats.drawnAt[{level}] || 0) >= 2")  # tiles of this zoom
    with_liif = _stage_pixels(page)
    # The same view without LIIF: the divider dragged to the far right shows bicubic (or the photo under it)
    # everywhere. Where a LIIF tile landed, the two differ.
    page.select_option(".dz-swipe", "bicubic")
    handle = page.locator(".dz-divider span").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] + 20, handle["y"], steps=6)
    page.mouse.up()
    assert _deep_zoom(page, "split()") == 1
    page.wait_for_timeout(1500)  # bicubic tiles take milliseconds
    without = _stage_pixels(page)
    handle = page.locator(".dz-divider span").bounding_box()  # back to the middle (its left half is in view)
    page.mouse.move(handle["x"] + handle["width"] / 4, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, handle["y"], steps=6)
    page.mouse.up()
    page.select_option(".dz-swipe", "off")
    h, w = with_liif.shape[:2]
    change = np.abs(with_liif - without).mean(-1)[: h // 64 * 64, : w // 64 * 64].reshape(h // 64, 64, w // 64, 64)
    assert change.mean((1, 3)).max() > 5

    # Pan a whole view away: the tiles still waiting for the old view are held back and never sent.
    page.mouse.move(box["x"] + box["width"] * 0.9, centre[1])
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.05, centre[1], steps=8)
    page.mouse.up()
    page.wait_for_timeout(500)
    held = _deep_zoom(page, "waiting()")
    assert held, "nothing was held back"
    sent = set(asked)
    assert not [t for t in held if (t["method"], t["zoom"], t["col"], t["row"]) in sent]
    assert _deep_zoom(page, "stats.sent") == len(asked)

    # The swipe: bicubic on the left of a divider dragged to a quarter of the view, LIIF on the right.
    page.select_option(".dz-swipe", "bicubic")
    handle = page.locator(".dz-divider span").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.25, handle["y"], steps=6)
    page.mouse.up()
    assert abs(_deep_zoom(page, "split()") - 0.25) < 0.02
    page.wait_for_function("() => window.liifDeepZoom.stats.asked > window.liifDeepZoom.stats.drawn")
    page.wait_for_timeout(3000)  # a few tiles of each side, for the screenshot
    _shot(page, "browser-deep-zoom-swipe.png", ".dz")

    # A click in the viewer moves the crop there (in output pixels of the chosen size) and draws it.
    page.locator(".dz-fit").click()
    page.wait_for_timeout(900)
    spot = (box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    photo_xy = page.evaluate(
        f"""() => {{
            const view = document.querySelector('.dz-view').getBoundingClientRect();
            const p = window.liifDeepZoom.items.photo.viewerElementToImageCoordinates(
                new OpenSeadragon.Point({spot[0]} - view.left, {spot[1]} - view.top));
            return [p.x, p.y];
        }}"""
    )
    page.mouse.click(*spot)
    expected = (photo_xy[0] * 2, photo_xy[1] * 2)  # the 380x254 photo's output is 760x508 (scale 2)
    # The box drawn is the one the server renders (Compare.box): it follows the centre after a round trip.
    x, y = expected
    near = f"Math.abs(m.box[0] + m.box[2] / 2 - {x}) < 1.5 && Math.abs(m.box[1] + m.box[3] / 2 - {y}) < 1.5"
    page.wait_for_function(f"() => {{ const m = window.liifDeepZoom.shownMarks(); return m && m.box && {near}; }}")
    marks = _deep_zoom(page, "shownMarks()")
    assert (marks["layout"]["width"], marks["layout"]["height"]) == (760, 508)
    left, top, side, _ = marks["box"]
    assert side == 64 and 0 <= left <= 760 - side and 0 <= top <= 508 - side  # the crop kept inside the output
    assert "output (" in page.locator(".dz-where").inner_text()
    assert _shot(page, "browser-deep-zoom.png").stat().st_size > 10_000
    page.set_viewport_size({"width": 390, "height": 900})
    page.wait_for_timeout(800)
    stage.scroll_into_view_if_needed()
    assert stage.bounding_box()["width"] <= 390
    assert _shot(page, "browser-deep-zoom-390.png").stat().st_size > 10_000


def test_every_view_shows_its_point_after_one_upscale(page):
    page.locator("#photo input[type=file]").set_input_files(str(ROOT / "examples" / "tree_foliage.jpg"))
    page.wait_for_function("() => document.querySelector('#width input').value !== ''")
    page.locator("#width input").fill("400")  # a quick render; the views do not depend on its size
    _upscale(page, 400, 300)
    page.get_by_role("tab", name="Compare", exact=True).click()
    page.wait_for_function("() => document.querySelector('#compare-status').innerText.includes('Crop ')")
    assert "×" in page.locator("#compare-status").inner_text() and page.locator("#slider img").count() >= 2
    page.get_by_role("tab", name="Line", exact=True).click()
    page.wait_for_function("() => (document.querySelector('#profile-status') || {}).innerText?.includes('Edge width')")
    page.locator("#plot .js-plotly-plot").wait_for(state="visible")
    x0, y0, x1, y1 = (float(page.get_by_label(name).input_value()) for name in ("Start x", "Start y", "End x", "End y"))
    assert 40 < math.hypot(x1 - x0, y1 - y0) < 56  # placed across an edge: about 48 output pixels
    # The crop (orange) and the line (teal) are drawn on the result view; hovering the plot marks that point of
    # the line there too: a dot, seen beside the line where nothing was drawn.
    page.locator(".dz-stage").scroll_into_view_if_needed()
    page.wait_for_function(
        """() => { const c = document.querySelector('.dz-overlay');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
                   return false; }"""
    )
    mid = ((x0 + x1) / 2 / 400, (y0 + y1) / 2 / 300)
    length = math.hypot(x1 - x0, y1 - y0)
    beside = (-(y1 - y0) / length * 3, (x1 - x0) / length * 3)  # 3 screen pixels off the line
    assert _overlay_alpha(page, *mid, beside) == 0
    page.locator("#plot .nsewdrag").first.scroll_into_view_if_needed()  # the mouse moves in the viewport
    area = page.locator("#plot .nsewdrag").first.bounding_box()
    page.mouse.move(area["x"] + area["width"] * 0.5, area["y"] + area["height"] * 0.5)
    for _ in range(30):
        if _overlay_alpha(page, *mid, beside) > 0:
            break
        page.wait_for_timeout(100)
    assert _overlay_alpha(page, *mid, beside) > 0
    assert _shot(page, "browser-line.png").stat().st_size > 10_000
    page.get_by_role("tab", name="Sweep", exact=True).click()
    page.wait_for_function("() => document.querySelector('#sweep-status').innerText.includes('×32')")
    page.locator("#sweep img").wait_for(state="visible")
    assert _shot(page, "browser-sweep.png").stat().st_size > 10_000
    page.get_by_role("tab", name="How it works").click()
    page.wait_for_function("() => document.querySelector('#cell-status').innerText.includes('dB')")
    page.locator("#cell-difference img").wait_for(state="visible")
    assert _shot(page, "browser-cell.png").stat().st_size > 10_000
