"""The app's event functions, called directly, and the launched app driven through gradio_client."""

import base64
import csv
import io
import math
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from conftest import ROOT, assert_same_pixels
from PIL import Image

import liif
from demo.config import AppConfig
from demo.events import Events
from demo.events.common import AUTO, EXACT, LIIF_PLUS, STANDARD
from demo.workbench import Workbench
from liif.io.images import to_uint8
from liif.pipeline.layout import layout
from liif.pipeline.refine import consistency, photo_floats


@pytest.fixture(scope="module")
def events():
    return Events.over(Workbench(AppConfig(max_output_pixels=2_000_000, max_crop_render=128)))


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    rng = np.random.default_rng(1)
    path = tmp_path_factory.mktemp("photo") / "small.png"
    gradient = np.linspace(0, 255, 48)[None, :, None].repeat(32, 0).repeat(3, 2)
    noisy = np.clip(gradient + rng.normal(0, 25, (32, 48, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(path)
    return str(path)


@pytest.fixture(scope="module")
def clean_photo(tmp_path_factory):
    """Smooth waves, no noise: a photo LIIF+ back-projects onto (a noisy one keeps its views averaged)."""
    path = tmp_path_factory.mktemp("clean") / "waves.png"
    y, x = np.mgrid[0:32, 0:48]
    waves = np.stack([np.sin(x / 3.0), np.cos(y / 4.0), np.sin((x + y) / 5.0)], axis=2)
    Image.fromarray(np.round(127.5 + 100 * waves).astype(np.uint8)).save(path)
    return str(path)


def test_a_new_photo_gives_its_size_the_output_size_and_where_the_views_start(events, tmp_path):
    """Half flat, half textured: the crop starts on the texture, zoomed to show the photo x2 to x4, and the
    line crosses the edge between the halves at a right angle."""
    pixels = np.full((40, 64, 3), 128, np.uint8)
    pixels[:, 32:] = np.random.default_rng(2).integers(0, 256, (40, 32, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "halves.png")
    start = events.photo.opened(str(tmp_path / "halves.png"), 1.5)
    assert (start.photo_width, start.photo_height, start.width, start.height) == (64, 40, 96, 60)
    assert "64×40 → output 96×60" in start.info
    (cx, cy), anchors = start.centre, start.anchors
    assert cx > 48 and anchors["crop"] == pytest.approx([cx / 96, cy / 60], abs=1e-3)  # on the textured half
    assert start.point == (int(cx), int(cy))  # the explained pixel starts under the crop, not at (0, 0)
    assert start.zoom == 2.5  # the crop shows the photo x3.75: between x2 and x4
    x0, y0, x1, y1 = start.line
    assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(48, abs=0.2) and all(0 <= v <= 96 for v in (x0, x1))
    assert anchors["line"] == pytest.approx([x0 / 96, y0 / 60, x1 / 96, y1 / 60], abs=1e-3)
    assert events.photo.opened(None, 2.5) is None


def test_the_crop_zoom_follows_the_size_so_the_crop_shows_the_photo_x2_to_x4(events):
    """A 3000-px render of a 500-px photo at zoom 2 would be x12 of the photo, blur on both sides: a new size
    brings the zoom to x4 of the photo; a zoom already showing it x2 to x4 is kept."""
    big = {"width": 3000, "height": 2000, "render": [3000, 2000], "box": [0, 0, 3000, 2000], "at": [0, 0]}
    assert events.photo.zoom(big, 500, 2) == 0.5  # x3 of the photo
    assert events.photo.zoom(big, 500, 0.75) == 0.5  # x4.5: past x4
    assert events.photo.zoom(big, 1000, 1) == 1  # x3: kept
    small = {**big, "width": 150, "height": 100, "render": [150, 100], "box": [0, 0, 150, 100]}
    assert events.photo.zoom(small, 100, 1) == 2.5  # a x1.5 output: the crop at x3.75
    assert events.photo.zoom(None, 100, 1) is None and events.photo.zoom(small, 0, 1) is None  # nothing to go by


def test_the_default_line_crosses_a_known_edge_at_a_right_angle(events, tmp_path):
    ys, xs = np.mgrid[0:60, 0:60]
    edge = np.where(ys < 0.5 * xs + 10, 40, 210).astype(np.uint8)  # a tilted edge, slope 1/2
    Image.fromarray(np.repeat(edge[:, :, None], 3, 2)).save(tmp_path / "edge.png")
    edge = str(tmp_path / "edge.png")
    placed = events.line.after_render(edge, 120, 120, None, EXACT, STANDARD, 60, 80, False, 0, 0, 1, 1, None)
    x0, y0, x1, y1 = placed.ends
    direction = np.array([x1 - x0, y1 - y0]) / math.hypot(x1 - x0, y1 - y0)
    along_edge = np.array([2, 1]) / math.sqrt(5)
    assert abs(direction @ along_edge) < math.sin(math.radians(8))  # within 8 degrees of perpendicular
    assert "Edge width" in placed.status  # the plot of the placed line, in the same request
    chosen = events.line.after_render(edge, 120, 120, None, EXACT, STANDARD, 60, 80, True, 0, 0, 1, 1, None)
    assert chosen.ends == (0, 0, 1, 1)  # the person's own line is kept


def test_upscale_returns_exactly_the_asked_size_under_a_telling_name(events, photo):
    path, status = events.upscale.render(photo, 101, 37)
    assert Path(path).name == "small_edsr-baseline-liif-real_101x37.png"  # a noisy photo: auto takes the real model
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (101, 37)
    assert "101×37 PNG" in status and "101×37 from 48×32" in status


class _Request:
    def __init__(self, session="s"):
        self.session_hash = session


def _preview(frame) -> Image.Image:
    """The picture a streamed frame shows (a JPEG data URL)."""
    header, data = frame.shown["url"].split(",", 1)
    assert header == "data:image/jpeg;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


def test_a_fresh_app_has_this_machines_speed_before_its_first_render():
    """The first estimate comes from the start-up calibration, not a guess (how close it comes to the first real
    render is timing, printed by ``benchmarks/bench_estimate.py``: its first row)."""
    bench = Workbench(AppConfig())
    assert bench.speed(AUTO) is None  # nothing measured: the page says so instead of a figure
    bench.calibrate()
    speed = bench.speed(AUTO)
    assert speed is not None and speed.rows > 0 and speed.finish > 0
    assert speed.seconds(2 * 700_000, 700_000) > speed.seconds(700_000, 700_000) > 0  # more work, longer


def test_the_streamed_upscale_starts_with_bicubic_and_ends_with_the_api_png(events, photo, monkeypatch):
    monkeypatch.setattr("demo.events.live.FRAME_SECONDS", 0.0)  # a frame after every band
    monkeypatch.setattr("demo.events.upscale.LIVE_BAND", 4096)  # several bands for a small output
    request = _Request()
    ticket = events.upscale.start(request)
    frames = list(events.upscale.live(photo, 160, 107, None, EXACT, STANDARD, ticket, request))
    first, *middle, last = frames
    assert _preview(first).size == (160, 107) and "Bicubic preview" in first.status
    assert first.shown["state"] == "preview" and first.shown["rect"] == [0, 0, 48, 32]  # over the whole photo
    assert middle and all("% · about" in frame.status == frame.shown["text"] for frame in middle)
    assert [frame.shown["progress"] for frame in middle] == sorted(frame.shown["progress"] for frame in middle)
    assert last.speed == events.workbench.speed(EXACT) and last.speed.rows > 0  # the estimates follow it
    api_path, _ = events.upscale.render(photo, 160, 107, precision=EXACT)
    assert Path(last.result).read_bytes() == Path(api_path).read_bytes()
    assert last.shown["state"] == "done" and last.shown["url"] == f"gradio_api/file={last.result}"
    assert "160×107 PNG" in last.status


def test_a_newer_click_or_stop_ends_a_render_at_its_next_step(events, photo):
    request = _Request("t")
    old = events.upscale.start(request)
    frames = events.upscale.live(photo, 160, 107, None, EXACT, STANDARD, old, request)
    assert "Bicubic preview" in next(frames).status
    events.upscale.start(request)  # a newer Upscale click: the old render stops quietly
    assert list(frames) == []
    stopped = events.upscale.start(request)
    frames = events.upscale.live(photo, 160, 107, None, EXACT, STANDARD, stopped, request)
    preview = next(frames)
    events.upscale.stop(request)
    (last,) = frames
    assert last.status == "Stopped. Press **Upscale** to render again." and last.result is None  # nothing to save
    assert last.shown == {**preview.shown, "state": "stopped", "text": "Stopped: a preview, not a result"}


def test_the_compare_crop_is_the_same_pixels_as_the_result(events, photo):
    result_path, _ = events.upscale.render(photo, 96, 64, precision=EXACT)
    result = Image.open(result_path)
    (bicubic, liif_crop), nearest, status = events.compare.crops(
        photo, 96, 64, precision=EXACT, centre_x=40, centre_y=30, crop=32, zoom=1
    )
    assert bicubic.size == liif_crop.size == nearest.size == (32, 32)
    assert_same_pixels(liif_crop, np.asarray(result)[14:46, 24:56])
    assert "32×32" in status
    (_, zoomed), _, status = events.compare.crops(photo, 96, 64, centre_x=40, centre_y=30, crop=32, zoom=4)
    assert zoomed.size == (128, 128) and "virtual 384×256" in status and "the photo ×8)" in status  # 48 px to 384


def test_crops_render_at_most_the_configured_size(events, photo):
    (_, crop), _, status = events.compare.crops(photo, 96, 64, centre_x=40, centre_y=30, crop=256, zoom=16)
    assert max(crop.size) <= 128 and "crop reduced" in status


def test_the_profile_has_curves_markers_and_a_csv(events, photo):
    figure, csv_path, status = events.line.plot(photo, 96, 64, x0=2, y0=3, x1=90, y1=60)
    names = [trace.name for trace in figure.data]
    assert names == ["Luminance LIIF", "Luminance bicubic", "Luminance input pixels"]  # by default
    rgb, *_ = events.line.plot(photo, 96, 64, x0=2, y0=3, x1=90, y1=60, channels=["R", "G", "B"])
    assert [trace.name for trace in rgb.data][:3] == ["R LIIF", "R bicubic", "R input pixels"] and len(rgb.data) == 9
    luma = np.array(figure.data[0].y)
    assert np.allclose(luma, 0.299 * np.array(rgb.data[0].y) + 0.587 * np.array(rgb.data[3].y)
                       + 0.114 * np.array(rgb.data[6].y), atol=1e-6)  # fmt: skip
    with open(csv_path) as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["distance_px", "x", "y", "liif_r"]
    assert len(rows) - 1 == len(figure.data[0].x) > 300  # sub-pixel: about 4 samples per output pixel
    assert "input pixels crossed" in status
    from gradio.utils import get_upload_folder

    assert Path(csv_path).is_relative_to(get_upload_folder())  # Gradio's cache: delete_cache removes it


def test_grids_are_cached_per_image_and_model(events, photo):
    events.workbench.encode(photo, "edsr-baseline-liif")
    assert events.workbench.encode(photo, "edsr-baseline-liif").cached


def test_the_status_says_which_precision_ran_and_why(events, photo, monkeypatch):
    from liif.core import hardware

    _, status = events.upscale.render(photo, 20, 20, precision=AUTO)
    assert events.workbench.precision(AUTO).why in status
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512_bf16"}))
    monkeypatch.setattr(hardware, "cpu_capability", lambda: "AVX512")
    assert events.workbench.precision(AUTO).compute == "bf16"
    _, status = events.upscale.render(photo, 20, 20, precision=EXACT)
    assert "exact fp32" in status


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e, p: e.upscale.render(None, 10, 10), "Upload, paste or pick a photo"),
        (
            lambda e, p: e.upscale.render(p, 3000, 3000),
            "over the limit of 2.0 MP (LIIF_APP_MAX_OUTPUT_PIXELS or app.py --max-output)",
        ),
        (lambda e, p: e.upscale.render(p, 0, 10), "at least 1x1"),
        (lambda e, p: e.upscale.render(p, 10.5, 10), "whole pixels"),
        (lambda e, p: e.upscale.render(p, None, 10), "must be numbers"),
        (lambda e, p: e.line.plot(p, 96, 64, x0=-5, y0=0, x1=10, y1=10), "inside the 96×64 output"),
        (lambda e, p: e.compare.crops(p, 96, 64, crop=0), "Crop size must be a number from 1 to 256, got 0"),
        (lambda e, p: e.compare.crops(p, 96, 64, zoom=1e9), "Zoom must be a number from 0.015625 to 16"),
        (lambda e, p: e.compare.crops(p, 96, 64, zoom=float("nan")), "Zoom must be a number from"),
        (lambda e, p: e.compare.crops(p, 96, 64, centre_x=1e308), "Crop centre x must be a number from 0 to 96"),
        (lambda e, p: e.compare.crops(p, 96, 64, centre_y=float("-inf")), "got -inf"),
        (lambda e, p: e.explain.cell(p, 96, 64, pretend=float("nan")), "pretended scale must be a number"),
        (lambda e, p: e.upscale.render(p, float("inf"), 10), "finite numbers"),
        (lambda e, p: e.upscale.render(p, 1e20, 10), "over"),
        (lambda e, p: e.upscale.render(p, 10, 10, model="rdn-liif"), "rdn-liif.pth"),
    ],
)
def test_bad_requests_get_one_line_messages(events, photo, call, message):
    with pytest.raises(gr.Error) as info:
        call(events, photo)
    assert message in str(info.value.message) and "\n" not in str(info.value.message)


@pytest.mark.slow
def test_launched_app_upscales_to_an_exact_odd_size(client):
    from gradio_client import handle_file

    example = handle_file(str(ROOT / "examples" / "dandelions.jpg"))
    out, status = client.predict(image=example, width=301, height=117, api_name="/upscale")
    with Image.open(out) as img:
        assert img.format == "PNG" and img.size == (301, 117)
    assert "301×117 PNG" in status


@pytest.mark.slow
def test_the_best_quality_is_liif_plus_everywhere(events, clean_photo, photo):
    _, noisy = events.upscale.render(photo, 72, 48, precision=EXACT, quality=LIIF_PLUS)
    assert "LIIF+: 8 views, averaged" in noisy and "not back-projected" in noisy  # its noise would come back
    photo = clean_photo
    plain_path, _ = events.upscale.render(photo, 72, 48, precision=EXACT)
    plus_path, status = events.upscale.render(photo, 72, 48, precision=EXACT, quality=LIIF_PLUS)
    assert "LIIF+: 8 views, back-projected" in status and "levels of 255 (mean)" in status
    plain, plus = np.asarray(Image.open(plain_path)), np.asarray(Image.open(plus_path))
    assert plain.shape == plus.shape and not np.array_equal(plain, plus)
    (_, crop), _, _ = events.compare.crops(
        photo, 72, 48, precision=EXACT, quality=LIIF_PLUS, centre_x=36, centre_y=24, crop=72, zoom=1
    )
    job = events.context.job(photo, 72, 48, None, EXACT, LIIF_PLUS)
    views = liif.render(job.encoded.model, job.encoded.views, 72, 48, precision="exact")
    assert_same_pixels(crop, to_uint8(views))  # a crop is a window of the LIIF+ render itself
    # The upscale is that render back-projected: it moved, and it agrees better with the photo.
    assert not np.array_equal(plus, np.asarray(crop))
    photo_rgb = photo_floats(job.picture.rgb)
    assert consistency(plus / np.float32(255), photo_rgb) < consistency(np.asarray(crop) / np.float32(255), photo_rgb)
    assert events.workbench.encode(photo, "edsr-baseline-liif", views=1).cached  # the 8 views serve plain requests


def test_launched_app_compares_and_profiles(client, photo):
    from gradio_client import handle_file

    (bicubic, liif_crop), nearest, _ = client.predict(
        image=handle_file(photo), width=96, height=64, centre_x=48, centre_y=32, crop=24, zoom=2,
        api_name="/compare",
    )  # fmt: skip
    for path in (bicubic, liif_crop, nearest):
        with Image.open(path) as img:
            assert img.format == "PNG" and img.size == (48, 48)
    plot, csv_path, _ = client.predict(
        image=handle_file(photo), width=96, height=64, x0=0, y0=0, x1=95, y1=63, api_name="/profile"
    )
    out, status = client.predict(image=handle_file(photo), width=50, height=30, quality=LIIF_PLUS, api_name="/upscale")
    assert "LIIF+" in status and Image.open(out).size == (50, 30)
    assert plot["type"] == "plotly" and csv_path.endswith(".csv")


def test_launched_app_reports_bad_input_as_an_error(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="over the limit"):
        client.predict(image=handle_file(str(ROOT / "examples" / "dandelions.jpg")), width=9000, height=9000,
                       api_name="/upscale")  # fmt: skip


def test_how_it_works_events(events, photo):
    picture, grid_picture, change, status = events.explain.latent_grid(photo)
    grid = events.workbench.encode(photo, "edsr-baseline-liif").grid
    assert events.workbench.latent_picture(grid) is events.workbench.latent_picture(grid)  # computed once per grid
    assert picture.size == grid_picture.size == change.size == (48, 32) and "48×32 codes of 64 numbers" in status
    assert "The two models' codes of this photo differ" in status and np.asarray(change).std() > 0
    drawing, table = events.explain.point(photo, 96, 64, x=40, y=20)
    assert drawing.size[0] > 100 and table.count("\n| (") == 4
    assert "Weights sum to **1.0000**" in table
    (true, smaller), difference, status = events.explain.cell(photo, 96, 64, centre_x=40, centre_y=30, scale=2)
    assert true.size == smaller.size == difference.size == (32, 32)  # the photo's 32x32 region, back from 16x16
    assert not np.array_equal(np.asarray(true), np.asarray(smaller)) and "4× smaller" in status
    assert np.asarray(difference).max() > 0 and "dB" in status
    with pytest.raises(gr.Error, match="inside the 96×64 output"):
        events.explain.point(photo, 96, 64, x=96, y=0)


def test_the_grid_cache_is_bounded(tmp_path):
    bench = Workbench(AppConfig(cache_grids=2))
    paths = []
    for i in range(3):
        path = tmp_path / f"p{i}.png"
        Image.fromarray(np.full((8, 8, 3), 40 * i, np.uint8)).save(path)
        paths.append(path)
        assert not bench.encode(path, "edsr-baseline-liif").cached
    assert bench.encode(paths[2], "edsr-baseline-liif").cached
    assert not bench.encode(paths[0], "edsr-baseline-liif").cached  # evicted: only 2 grids are kept


def test_the_grid_cache_is_bounded_in_bytes_too(tmp_path):
    one_grid = 64 * 8 * 8 * 4  # 64 float32 codes per pixel of an 8x8 photo
    bench = Workbench(AppConfig(cache_grids=10, grid_cache_bytes=2 * one_grid))
    paths = [tmp_path / f"p{i}.png" for i in range(3)]
    for i, path in enumerate(paths):
        Image.fromarray(np.full((8, 8, 3), 40 * i, np.uint8)).save(path)
        bench.encode(path, "edsr-baseline-liif")
    assert bench.encode(paths[2], "edsr-baseline-liif").cached and bench.encode(paths[1], "edsr-baseline-liif").cached
    assert not bench.encode(paths[0], "edsr-baseline-liif").cached  # a third grid would exceed the bytes
    tiny = Workbench(AppConfig(grid_cache_bytes=1))
    tiny.encode(paths[0], "edsr-baseline-liif")
    assert tiny.encode(paths[0], "edsr-baseline-liif").cached  # the newest grid is kept, however large


@pytest.mark.slow
def test_best_is_the_same_picture_live_through_the_api_and_from_the_cli(events, photo, tmp_path):
    """Past x4 (48x32 to 250x160) best renders at x4, enlarges and back-projects: once, the same way everywhere."""
    from test_cli import run_cli

    api_path, _ = events.upscale.render(photo, 250, 160, precision=EXACT, quality=LIIF_PLUS)
    request = _Request("best")
    *_, last = events.upscale.live(photo, 250, 160, None, EXACT, LIIF_PLUS, events.upscale.start(request), request)
    out = tmp_path / "best.png"
    done = run_cli("upscale", photo, "-o", out, "--size", "250x160", "--precision", "exact", "--liif-plus")
    assert done.returncode == 0, done.stderr
    api, cli = np.asarray(Image.open(api_path)), np.asarray(Image.open(out))
    assert_same_pixels(api, cli)
    assert_same_pixels(Image.open(last.result), api)


def test_past_the_detail_scale_auto_says_it_enlarged_and_counts_only_liifs_work(events, photo, monkeypatch):
    recorded = []
    monkeypatch.setattr(events.workbench, "record_speed", lambda *args: recorded.append(args))
    _, status = events.upscale.render(photo, 48 * 12, 32 * 12, precision=AUTO)
    assert "x12: LIIF at x8 (384x256), enlarged" in status
    assert recorded[-1][1] == 384 * 256 + 48 * 32  # the rate is of LIIF's work: its pixels and the photo's codes
    _, status = events.upscale.render(photo, 48 * 12, 32 * 12, precision=EXACT)
    assert "enlarged" not in status and recorded[-1][1] == 48 * 12 * 32 * 12 + 48 * 32


def test_the_api_tile_past_the_detail_scale_is_close_to_the_exact_tile(events, photo):
    from liif.core.metrics import psnr

    auto, exact = (
        np.asarray(Image.open(events.deepzoom.tile(photo, 32, 2, 1, 256, precision=p)), dtype=np.float32) / 255
        for p in (AUTO, EXACT)
    )
    assert auto.shape == exact.shape == (256, 256, 3)
    assert 45 <= psnr(auto, exact) < 100  # not the exact tile, and no visible difference from it


def test_the_sweep_says_past_x8_liif_adds_no_detail(events, photo):
    _, status = events.sweep.sheet(photo, 96, 64, precision=AUTO, centre_x=48, centre_y=32)
    assert "Past ×8 LIIF adds no detail: ×16 and ×32 are its ×8 image enlarged" in status
    assert float(status.split("that is ")[1].split(" dB")[0]) > 40
    _, status = events.sweep.sheet(photo, 96, 64, precision=EXACT, centre_x=48, centre_y=32)
    assert "Past ×8" not in status


def test_the_sweep_sheet_labels_are_large_and_the_zooms_sit_under_the_columns():
    """A phone shows the sheet at under half its size: labels of 24 px stay readable. The image's toolbar sits
    on its top right, so the zooms are under the columns and that corner is a picture, not a label."""
    from demo.plots import sweep_sheet

    grey = Image.new("RGB", (128, 128), (128, 128, 128))
    sheet = np.asarray(sweep_sheet({"nearest": [grey] * 5, "bicubic": [grey] * 5, "LIIF": [grey] * 5},
                                   ["x2", "x4", "x8", "x16", "x32"]))  # fmt: skip
    assert (sheet[:48, -48:] == 128).all()  # the top right corner: the ×32 column's first picture
    strip = sheet[3 * (128 + 6) :]  # under the three rows
    ink_rows = np.flatnonzero((strip < 100).any(axis=(1, 2)))
    assert ink_rows.size and ink_rows[-1] - ink_rows[0] >= 12  # the zooms' text is at least 12 px tall
    label_w = sheet.shape[1] - 5 * (128 + 6) + 6
    for column in range(5):  # every column has its zoom under it
        left = label_w + column * (128 + 6)
        assert (strip[:, left : left + 128] < 100).any(), column


def test_a_click_in_the_viewer_lands_on_an_output_pixel_centre():
    from demo.events.photo import page_layout
    from demo.page.result import viewer_point

    stretch = page_layout(layout(500, 300, 1000, 601), 500, 300)
    assert viewer_point([0.70476558, 0.5], stretch) == (704.5, 300.5)
    assert viewer_point([1.0, 1.0], stretch) == (999.5, 600.5)  # the far edge is the last pixel
    assert viewer_point([0.0, 0.0], stretch) == (0.5, 0.5)
    for bad in ([1.5, 0.5], [None, 0.2], "0.5,0.5", [0.5], [True, 0.5]):
        assert viewer_point(bad, stretch) is None
    assert viewer_point([0.5, 0.5], None) is None and viewer_point([0.5, 0.5], {"width": "x"}) is None
    fill = page_layout(layout(500, 300, 600, 600, "fill"), 500, 300)  # the photo's 1000x600 render, its centre
    assert viewer_point([0.5, 0.5], fill) == (300.5, 300.5)
    assert viewer_point([0.1, 0.5], fill) is None  # on the part the fill cuts off: no mark moves there
    fit = page_layout(layout(500, 300, 600, 600, "fit"), 500, 300)  # 600x360 inside 600x600: margins of 120
    assert viewer_point([0.5, 0.0], fit) == (300.5, 120.5)


def test_the_api_fills_and_fits_as_the_cli_does(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    photo = tmp_path / "wide.png"
    Image.fromarray(np.full((16, 48, 3), 180, dtype=np.uint8)).save(photo)
    out, status = client.predict(
        image=handle_file(str(photo)), width=64, height=64, fit="fit", pad="transparent", api_name="/upscale"
    )
    with Image.open(out) as img:
        alpha = np.asarray(img.convert("RGBA"))[..., 3]
    assert img.size == (64, 64) and (alpha[:10] == 0).all() and (alpha[27:37] == 255).all()
    assert "fit: the whole photo at 64x21, padded to 64x64" in status
    out, status = client.predict(image=handle_file(str(photo)), width=64, height=64, fit="fill", api_name="/upscale")
    assert Image.open(out).size == (64, 64) and "fill: the photo's centre 16x16 of 48x16" in status
    out, status = client.predict(image=handle_file(str(photo)), width=64, height=64, api_name="/upscale")
    assert "levels of 255" in status and "fill" not in status  # the default is stretch
    for fit, pad, message in (
        ("crop", "#000000", "Fit must be one of stretch, fill, fit"),
        ("fit", "blurple", "not a colour"),
    ):
        with pytest.raises(AppError, match=message):
            client.predict(image=handle_file(str(photo)), width=64, height=64, fit=fit, pad=pad, api_name="/upscale")


def test_the_streamed_upscale_fits_as_the_api_does(events, photo):
    request = _Request("fit")
    ticket = events.upscale.start(request)
    frames = list(events.upscale.live(photo, 96, 96, None, EXACT, STANDARD, ticket, request, "fit", "#ff0000"))
    first, last = frames[0], frames[-1]
    margin = np.asarray(_preview(first), dtype=int)[:10, :10]
    assert np.abs(margin - [255, 0, 0]).max() < 8  # the margin, in the pad colour at once (a JPEG preview)
    assert first.shown["rect"] == [0, -8, 48, 48]  # the output over the photo: its margins above and below it
    api_path, _ = events.upscale.render(photo, 96, 96, precision=EXACT, fit="fit", pad="#ff0000")
    assert Path(last.result).read_bytes() == Path(api_path).read_bytes()
    assert "fit: the whole photo at 96x64, padded to 96x96" in last.status


def test_a_superseded_render_lets_none_of_its_follow_ups_start(events, photo):
    request = _Request("follow")
    first = events.upscale.start(request)
    list(events.upscale.live(photo, 60, 40, None, EXACT, STANDARD, first, request))
    assert events.upscale.finished_newest("follow")  # its crop, line, sweep and cell study may run
    second = events.upscale.start(request)  # a new click: the old render's follow-ups must not start now
    assert not events.upscale.finished_newest("follow")
    third = events.upscale.start(request)
    assert list(events.upscale.live(photo, 60, 40, None, EXACT, STANDARD, second, request)) == []  # superseded
    assert not events.upscale.finished_newest("follow")
    list(events.upscale.live(photo, 61, 40, None, EXACT, STANDARD, third, request))
    assert events.upscale.finished_newest("follow")


def test_follow_ups_of_a_superseded_render_leave_their_outputs_alone(events):
    from demo.page.wiring import Wiring

    wiring = Wiring(events, {}, {}, {}, lambda fn: fn, [])
    calls = []
    follow = wiring.after_render(lambda *args: calls.append(args) or ("done", "too"))
    request = _Request("wired")
    events.upscale.start(request)
    skipped = follow(request, 1, 2)
    assert calls == [] and skipped == gr.skip()  # one skip leaves every output as it was


def test_the_status_gives_a_small_files_size_in_kilobytes(events, photo):
    path, status = events.upscale.render(photo, 160, 107, precision=EXACT)
    kilobytes = round(Path(path).stat().st_size / 1e3)
    assert f"160×107 PNG, {kilobytes} KB" in status and "0.0 MB" not in status
