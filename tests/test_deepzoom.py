"""Deep zoom: tiles of a virtual x32 render, the /tile endpoint, the viewer's tile requests and the tile cache."""

import base64
import io
import math
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from conftest import AUTO_COMPUTE, assert_same_pixels
from PIL import Image

import liif
from demo.config import AppConfig
from demo.events import Events
from demo.events.common import EXACT
from demo.lru import BoundedLRU
from demo.workbench import Workbench
from liif.cli import main as cli
from liif.views.tiles import MAX_ZOOM, render_tile, resample_tile, tile_box

pytestmark = pytest.mark.precision  # depends on the arithmetic: CI runs it as the CPU is and AVX2-limited

PHOTO_W, PHOTO_H = 13, 9  # odd sides: every level has edge tiles narrower than the rest
TILE = 64


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    rng = np.random.default_rng(3)
    path = tmp_path_factory.mktemp("tiles") / "tiny.png"
    Image.fromarray(rng.integers(0, 256, (PHOTO_H, PHOTO_W, 3), dtype=np.uint8)).save(path)
    return str(path)


@pytest.fixture(scope="module")
def events():
    return Events.over(Workbench(AppConfig()))


def test_tile_boxes_cover_the_virtual_output_and_edge_tiles_are_cut():
    w, h = 13 * 3, 9 * 3
    boxes = [tile_box(13, 9, 3, col, row, 16) for row in range(math.ceil(h / 16)) for col in range(math.ceil(w / 16))]
    covered = np.zeros((h, w), dtype=int)
    for left, top, right, bottom in boxes:
        covered[top:bottom, left:right] += 1
    assert (covered == 1).all()
    assert boxes[-1] == (32, 16, 39, 27)


@pytest.mark.parametrize(
    ("zoom", "col", "row", "size", "message"),
    [
        (0, 0, 0, 64, "zoom must be above 0"),
        (-2, 0, 0, 64, "zoom must be above 0"),
        (MAX_ZOOM * 2, 0, 0, 64, f"at most {MAX_ZOOM}"),
        (float("nan"), 0, 0, 64, "zoom must be above 0"),
        (4, 1, 0, 64, "outside the 52x36 output"),
        (4, 0, -1, 64, "outside"),
        (4, 0, 0, 4, "tile size must be"),
    ],
)
def test_tiles_that_do_not_exist_are_refused_in_one_line(zoom, col, row, size, message):
    with pytest.raises(ValueError, match=message):
        tile_box(13, 9, zoom, col, row, size)


@pytest.mark.slow
def test_the_tile_endpoint_equals_the_cli_render_at_every_level(events, photo, tmp_path):
    """Levels x1..x32 as the viewer asks for them: each level's corner, edge and last tiles against the same
    window of ``liif upscale --size (w*z)x(h*z)`` (exact precision)."""
    for zoom in (1, 2, 4, 8, 16, 32):
        w, h = PHOTO_W * zoom, PHOTO_H * zoom
        out = tmp_path / f"x{zoom}.png"
        assert cli(["upscale", photo, "--size", f"{w}x{h}", "--precision", "exact", "-o", str(out)]) == 0
        full = np.asarray(Image.open(out))
        last_col, last_row = math.ceil(w / TILE) - 1, math.ceil(h / TILE) - 1
        for col, row in {(0, 0), (last_col, 0), (0, last_row), (last_col, last_row)}:
            left, top, right, bottom = tile_box(PHOTO_W, PHOTO_H, zoom, col, row, TILE)
            tile = np.asarray(Image.open(events.deepzoom.tile(photo, zoom, col, row, TILE, precision=EXACT)))
            assert tile.shape == (bottom - top, right - left, 3)
            assert_same_pixels(tile, full[top:bottom, left:right])


def test_a_tile_at_a_fractional_zoom_is_the_window_of_that_render(model):
    picture = liif.load_picture(Image.fromarray(np.random.default_rng(5).integers(0, 256, (20, 30, 3), np.uint8)))
    grid = liif.encode(model, picture.rgb, precision="exact")
    zoom, size = 2.7, 32  # an 81x54 output: tile (2, 1) is its 17x22 corner
    tile = render_tile(model, grid, 30, 20, zoom, 2, 1, size, precision="exact")
    full = liif.io.images.to_uint8(liif.render(model, grid, 81, 54, precision="exact"))
    assert tile.shape == (22, 17, 3)
    assert_same_pixels(tile, full[32:54, 64:81])


def test_classic_tiles_are_windows_of_the_classic_resize():
    photo = Image.fromarray(np.random.default_rng(6).integers(0, 256, (9, 13, 3), np.uint8))
    full = np.asarray(photo.resize((13 * 8, 9 * 8), Image.Resampling.BICUBIC))
    tile = np.asarray(resample_tile(photo, 8, 1, 0, 64, method="bicubic"))
    assert np.abs(tile.astype(int) - full[0:64, 64:104]).max() <= 1  # PIL's bicubic rounds each pass to 8 bits
    nearest = np.asarray(resample_tile(photo, 8, 0, 1, 64, method="nearest"))
    assert np.array_equal(nearest, np.asarray(photo)[8:9].repeat(8, 0).repeat(8, 1)[:, :64])


def _viewer_png(answer: dict) -> np.ndarray:
    assert set(answer) == {"png"}, answer
    head, data = answer["png"].split(",", 1)
    assert head == "data:image/png;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))


def test_the_viewer_gets_tiles_by_the_photos_digest_and_reuses_them(events, photo):
    key = events.workbench.picture(photo)[0]
    request = {"photo": key, "zoom": 16, "col": 1, "row": 0, "size": TILE, "precision": EXACT}
    first = _viewer_png(events.deepzoom.viewer_tile(request))
    assert_same_pixels(first, Image.open(events.deepzoom.tile(photo, 16, 1, 0, TILE, precision=EXACT)))
    held = len(events.deepzoom.tiles)
    assert np.array_equal(_viewer_png(events.deepzoom.viewer_tile(request)), first)
    assert len(events.deepzoom.tiles) == held  # the second answer came from the cache
    bicubic = _viewer_png(events.deepzoom.viewer_tile({**request, "method": "bicubic"}))
    assert bicubic.shape == first.shape and not np.array_equal(bicubic, first)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"photo": "0" * 64}, "no longer in the cache"),
        ({"zoom": 0}, "Zoom must be above 0"),
        ({"zoom": -1}, "Zoom must be a number from 0 to 32"),
        ({"zoom": 1e300}, "Zoom must be a number from 0 to 32, got 1e+300"),
        ({"zoom": "x" * 500}, "Zoom must be a number"),
        ({"col": 99}, "outside the 208x144 output"),
        ({"col": 0.5}, "Column must be a whole number"),
        ({"row": None}, "Row must be a whole number"),
        ({"size": 2}, "Tile size must be"),
        ({"method": "lanczos"}, "Method must be one of liif, bicubic, nearest"),
    ],
)
def test_bad_viewer_requests_answer_one_line_and_draw_nothing(events, photo, change, message):
    request = {"photo": events.workbench.picture(photo)[0], "zoom": 16, "col": 0, "row": 0, "size": TILE, **change}
    answer = events.deepzoom.viewer_tile(request)
    assert set(answer) == {"error"} and message in answer["error"], answer
    assert "\n" not in answer["error"] and len(answer["error"]) < 200


def test_the_tile_api_refuses_bad_requests_in_one_line(events, photo):
    for call, message in [
        (lambda: events.deepzoom.tile(None, 2, 0, 0), "Upload, paste or pick a photo first."),
        (lambda: events.deepzoom.tile(photo, 0, 0, 0), "Zoom must be above 0"),
        (lambda: events.deepzoom.tile(photo, 64, 0, 0), "Zoom must be a number from 0 to 32"),
        (lambda: events.deepzoom.tile(photo, 2, 5, 0, 64), "Tile (5, 0) is outside the 26x18 output"),
    ]:
        with pytest.raises(gr.Error) as info:
            call()
        assert message in info.value.message and "\n" not in info.value.message
    assert events.deepzoom.viewer_tile("not a request") == {"error": "A tile request is a JSON object."}


def test_the_tile_cache_keeps_recent_tiles_within_its_byte_budget():
    cache: BoundedLRU[int, bytes] = BoundedLRU(max_size=1000, size=len)
    for i in range(5):
        cache.put(i, bytes(300))
    assert len(cache) == 3 and cache.size == 900
    assert cache.get(0) is None and cache.get(1) is None  # the oldest went first
    assert cache.get(2) is not None  # now the most recently used
    cache.put(5, bytes(300))
    assert cache.get(3) is None and cache.get(2) is not None
    cache.put(6, bytes(2000))  # larger than the whole budget: not kept, nothing else dropped
    assert cache.get(6) is None and len(cache) == 3 and cache.size <= 1000


def test_the_viewer_source_names_the_photo_and_a_png_of_it(events, photo):
    import json

    source = json.loads(events.deepzoom.source(photo, None, EXACT))
    assert (source["width"], source["height"]) == (PHOTO_W, PHOTO_H)
    assert source["photo"] == events.workbench.picture(photo)[0] and source["precision"] == EXACT
    assert source["url"].startswith("gradio_api/file=") and source["url"].endswith(".png")
    assert json.loads(events.deepzoom.source(photo, None, EXACT))["url"] == source["url"]  # made once per photo
    Path(source["url"].removeprefix("gradio_api/file=")).unlink()  # as Gradio's delete_cache does after an hour
    again = json.loads(events.deepzoom.source(photo, None, EXACT))["url"]
    assert again != source["url"] and Path(again.removeprefix("gradio_api/file=")).is_file()
    assert events.deepzoom.source(None, None, EXACT) == ""


def test_a_liif_tile_waits_while_a_render_runs(events, photo, monkeypatch):
    import threading

    import demo.events.deepzoom

    key, picture = events.workbench.picture(photo)
    events.workbench.encode(photo, events.workbench.choose_model(None, key, picture)[0])  # auto's model
    rendering, release = threading.Event(), threading.Event()
    tile_started_during_render = []
    real_rows, real_tile = liif.pipeline.run.iter_rows, demo.events.deepzoom.render_tile

    def held_rows(*args, **kwargs):  # the page's render, held open until the test lets it go
        rendering.set()
        release.wait(10)
        return real_rows(*args, **kwargs)

    def recorded_tile(*args, **kwargs):
        tile_started_during_render.append(not release.is_set())
        return real_tile(*args, **kwargs)

    monkeypatch.setattr(liif.pipeline.run, "iter_rows", held_rows)
    monkeypatch.setattr(demo.events.deepzoom, "render_tile", recorded_tile)
    render = threading.Thread(target=events.upscale.render, args=(photo, 26, 18))
    render.start()
    assert rendering.wait(10)
    answers = []
    request = {"photo": key, "zoom": 5, "col": 0, "row": 0, "size": TILE}
    tile = threading.Thread(target=lambda: answers.append(events.deepzoom.viewer_tile(request)))
    tile.start()
    classic = events.deepzoom.viewer_tile({**request, "method": "bicubic"})  # a classic tile does not wait
    tile.join(0.5)
    assert set(classic) == {"png"} and tile.is_alive() and not tile_started_during_render
    release.set()
    render.join(10)
    tile.join(10)
    assert tile_started_during_render == [False] and set(answers[0]) == {"png"}


def test_tiles_the_viewer_dropped_are_not_rendered_or_stop_rendering(events, photo, monkeypatch):
    import demo.events.deepzoom

    key = events.workbench.picture(photo)[0]
    real_tile, started = demo.events.deepzoom.render_tile, []

    def dropped_while_rendering(*args, **kwargs):  # the viewer's word arrives while the tile renders
        started.append(args)
        events.deepzoom.viewer_drop({"page": "p", "tiles": [2]})
        return real_tile(*args, **kwargs)

    monkeypatch.setattr(demo.events.deepzoom, "render_tile", dropped_while_rendering)
    request = {"photo": key, "zoom": 7, "col": 0, "row": 0, "size": TILE, "page": "p"}
    cached = len(events.deepzoom.tiles)
    assert events.deepzoom.viewer_drop({"page": "p", "tiles": [1]}) == {"dropped": 1}
    assert set(events.deepzoom.viewer_tile({**request, "id": 1})) == {"dropped"} and not started  # never started
    assert set(events.deepzoom.viewer_tile({**request, "id": 2})) == {"dropped"} and len(started) == 1  # stopped
    assert len(events.deepzoom.tiles) == cached  # nothing half-rendered was kept
    monkeypatch.setattr(demo.events.deepzoom, "render_tile", real_tile)
    again = events.deepzoom.viewer_tile({**request, "id": 3})  # asked again once it is back in view
    assert_same_pixels(_viewer_png(again), Image.open(events.deepzoom.tile(photo, 7, 0, 0, TILE)), AUTO_COMPUTE)
    other_page = events.deepzoom.viewer_tile({**request, "col": 1, "id": 1, "page": "another page"})
    assert set(other_page) == {"png"}  # ids are per page
    for bad in (None, "x", {"tiles": "1"}, {"page": "p"}):
        assert events.deepzoom.viewer_drop(bad) == {"dropped": 0}


def test_tiles_give_way_to_a_stretch_of_foreground_work_but_not_forever(monkeypatch):
    import threading

    import demo.foreground
    from demo.foreground import Foreground

    clock = [100.0]
    monkeypatch.setattr(demo.foreground.time, "monotonic", lambda: clock[0])
    foreground = Foreground(wait_seconds=15)
    assert foreground.wait_idle()
    with foreground.running():
        clock[0] += 16  # 16 s of foreground work without a pause: tiles stop waiting for it
        assert not foreground.wait_idle()
        with foreground.running():  # more work joining the same stretch does not restart the clock
            assert not foreground.wait_idle()
    with foreground.running():  # after a pause a new stretch begins: tiles wait again
        answers = []
        waiting = threading.Thread(target=lambda: answers.append(foreground.wait_idle()))
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive()
    waiting.join(5)
    assert answers == [True]
