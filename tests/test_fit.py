"""Another shape than the photo's in the app: every view works in output pixels of a fill or a fit, the page's
layout and presets, what a render's speed counts, and the download formats."""

from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from demo.config import AppConfig
from demo.events import Events
from demo.events.common import EXACT, STANDARD
from demo.events.live import time_left
from demo.events.photo import Photo, from_page
from demo.page.presets import CUSTOM, presets, print_dpi
from demo.workbench import Speed, Workbench
from liif.io.output import saved_dpi


@pytest.fixture(scope="module")
def events():
    return Events.over(Workbench(AppConfig(max_output_pixels=2_000_000)))


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    """48x32, smooth with texture: a fill to 40x40 cuts 10 columns off each side of its 60x40 render."""
    rng = np.random.default_rng(5)
    ys, xs = np.mgrid[0:32, 0:48]
    base = np.stack([xs * 5, ys * 7, (xs + ys) * 3], axis=-1) + rng.normal(0, 20, (32, 48, 3))
    path = tmp_path_factory.mktemp("fit") / "wide.png"
    Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).save(path)
    return str(path)


def _pixels(path: str) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_a_compare_crop_of_a_fill_is_those_pixels_of_the_filled_output(events, photo):
    filled, _ = events.upscale.render(photo, 80, 80, precision=EXACT, fit="fill")  # the fill at 2x: 120x80, cut
    (_, liif_crop), _, status = events.compare.crops(
        photo, 40, 40, None, EXACT, STANDARD, centre_x=20, centre_y=20, crop=16, zoom=2, fit="fill"
    )
    assert np.abs(np.asarray(liif_crop, dtype=int) - _pixels(filled)[24:56, 24:56]).max() <= 1
    assert "Crop 32×32" in status
    assert events.compare.box(photo, 40, 40, 20, 20, 16, 2, "fill") == [12, 12, 16, 16]  # output pixels
    assert events.compare.box(photo, 40, 40, 1, 20, 16, 2, "fill")[0] == 0  # kept inside what the fill shows


def test_the_line_and_the_explained_pixel_are_refused_in_fits_margins_and_right_on_the_photo(events, photo):
    fitted, _ = events.upscale.render(photo, 48, 48, precision=EXACT, fit="fit")  # the photo at 48x32, 8 rows above
    with pytest.raises(gr.Error, match="on the photo inside the 48×48 output \\(not in fit's margins\\)"):
        events.line.plot(photo, 48, 48, None, EXACT, STANDARD, 5, 2, 40, 20, fit="fit")
    _, csv_path, status = events.line.plot(photo, 48, 48, None, EXACT, STANDARD, 5, 12, 40, 30, fit="fit")
    rows = Path(csv_path).read_text().splitlines()
    assert rows[1].split(",")[1:3] == ["5", "12"]  # the samples' points in output pixels
    assert "Edge width" in status
    with pytest.raises(gr.Error, match="in fit's margins"):
        events.explain.point(photo, 48, 48, None, 10, 2, fit="fit")
    _, table = events.explain.point(photo, 48, 48, None, 10, 20, fit="fit")
    colour = np.array([float(v) for v in table.split("the blend is **(")[1].split(")")[0].split(",")])
    assert np.abs(colour * 255 - _pixels(fitted)[20, 10]).max() <= 0.5 + 1e-3  # the fit's own pixel there


def test_the_sweep_and_the_cell_study_find_the_photos_spot_through_the_layout(events, photo):
    _, status = events.sweep.sheet(photo, 40, 40, None, EXACT, STANDARD, 20, 20, fit="fill")
    assert "The spot at (24, 16) of the photo" in status  # output (20, 20) is render (30, 20): photo (24, 16)
    *_, status = events.explain.cell(photo, 40, 40, None, 20, 20, 2, 4, fit="fill")
    assert "dB" in status


def test_views_refuse_a_fit_that_does_not_exist(events, photo):
    with pytest.raises(gr.Error, match="Fit must be one of stretch, fill, fit"):
        events.compare.crops(photo, 40, 40, fit="crop")


def test_the_pages_layout_is_the_librarys_and_nothing_else_places_a_click():
    placed = Photo.placement(48, 32, 40, 40, "fill")
    assert placed["render"] == (60, 40) and placed["offset"] == (-10, 0)
    assert placed["said"] == "fill: the photo's centre 32x32 of 48x32, cropped to the output's shape"
    assert from_page(placed).box == (10, 0, 50, 40)
    for bad in ((0, 32, 40, 40, "fill"), (48, 32, 40.5, 40, "fit"), (48, 32, 40, 40, "crop"), (True, 32, 40, 40)):
        assert Photo.placement(*bad) is None
    for bad in (None, {}, {"width": 1}, {**placed, "render": [0, 40]}, {**placed, "box": [1, 2]}, "x"):
        assert from_page(bad) is None


def test_presets_name_their_size_and_turn_with_the_photo():
    landscape = {value: label for label, value in presets(384, 256)}
    portrait = {value: label for label, value in presets(256, 384)}
    assert landscape[CUSTOM] == "Custom size"
    assert landscape["1920x1080"] == "1080p · 1920×1080" and portrait["1080x1920"] == "1080p · 1080×1920"
    assert landscape["3508x2480@300"] == "A4 at 300 dpi · 3508×2480"
    assert portrait["1240x1754@150"] == "A4 at 150 dpi · 1240×1754"
    assert {"3840x2160", "2048x2048", "4961x3508@300", "900x600@150", "3000x2400@300"} <= set(landscape)
    assert print_dpi("3508x2480@300", 3508, 2480) == 300  # the preset's size: printed at its resolution
    assert print_dpi("3508x2480@300", 3508, 2400) is None and print_dpi("1920x1080", 1920, 1080) is None
    assert print_dpi("3508x2480@299", 3508, 2480) is None and print_dpi(None, 1, 1) is None


def test_a_fills_speed_counts_only_the_window_liif_renders_and_the_codes_under_it(events, photo, monkeypatch):
    recorded = []
    monkeypatch.setattr(events.workbench, "record_speed", lambda *args: recorded.append(args))
    events.upscale.render(photo, 40, 40, precision=EXACT, fit="fill")
    assert recorded[-1][1] == 40 * 40 + 32 * 32  # not the 60x40 render the window is cut from, nor all the photo


def test_the_time_left_shrinks_at_a_steady_rate_and_sees_a_slower_one():
    prior = Speed(rows=1000.0, finish=1e6)
    steady = [time_left(done / 10, done, 10_000, 0, prior) for done in range(1, 10)]
    assert steady == sorted(steady, reverse=True) and steady[0] == pytest.approx(9, rel=0.01)
    slower = time_left(0.5, 10.0, 10_000, 0, prior)  # half done in 10 s, not the 5 s measured before
    assert 5 * 0.9 < slower < 10  # mostly what this render shows by now
    assert time_left(0.25, 5.0, 10_000, 0, None) == pytest.approx(15)  # nothing measured: its own pace


def test_the_finished_render_downloads_as_png_jpeg_or_webp_under_its_name(events, photo, tmp_path):
    done, _ = events.upscale.render(photo, 60, 60, precision=EXACT, fit="fit", pad="transparent")
    path, label = events.upscale.download(done, "PNG", 90)
    assert path == done and label.startswith("Download PNG · ")
    jpeg, label = events.upscale.download(done, "JPEG", 80)
    assert Path(jpeg).name == Path(done).with_suffix(".jpg").name and label.startswith("Download JPEG · ")
    with Image.open(jpeg) as image:
        assert image.format == "JPEG" and image.size == (60, 60)
        assert np.asarray(image.convert("RGB"))[0, 0].min() > 245  # no transparency in JPEG: margins on white
    webp, _ = events.upscale.download(done, "WEBP", 100)
    with Image.open(webp) as image, Image.open(done) as png:
        ours, theirs = np.asarray(image), np.asarray(png)
        seen = theirs[..., 3] > 0  # (lossless WebP keeps every visible pixel; not the colour under alpha 0)
        assert image.format == "WEBP" and np.array_equal(ours[..., 3], theirs[..., 3])
        assert np.array_equal(ours[seen], theirs[seen])
    assert events.upscale.download(None, "PNG", 90)[0] is None
    elsewhere = tmp_path / "outside.png"
    Image.new("RGB", (4, 4)).save(elsewhere)
    with pytest.raises(gr.Error, match="no longer kept here"):
        events.upscale.download(str(elsewhere), "JPEG", 90)  # only the app's own results are read
    with pytest.raises(gr.Error, match="Download format must be one of PNG, JPEG, WEBP"):
        events.upscale.download(done, "GIF", 90)


def test_the_apis_views_take_fit_as_their_last_input(client, photo):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    common = {"image": handle_file(photo), "width": 40, "height": 40}
    _, _, status = client.predict(**common, centre_x=20, centre_y=20, crop=16, zoom=2, fit="fill", api_name="/compare")
    assert "Crop 32×32 px of a virtual 120×80 output" in status  # the fill's render at x2, not 80x80
    _, _, status = client.predict(**common, x0=5, y0=12, x1=35, y1=28, fit="fit", api_name="/profile")
    assert "LIIF samples" in status
    with pytest.raises(AppError, match="not in fit's margins"):
        client.predict(**common, x0=5, y0=2, x1=35, y1=28, fit="fit", api_name="/profile")
    _, status = client.predict(**common, centre_x=20, centre_y=20, fit="fill", api_name="/sweep")
    assert "The spot at (24, 16) of the photo" in status
    with pytest.raises(AppError, match="in fit's margins"):
        client.predict(**common, x=10, y=2, fit="fit", api_name="/explain")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_print_keeps_its_resolution_in_every_download(events, photo, fmt):
    path, _ = events.upscale.render(photo, 48, 32, precision=EXACT, dpi=300)
    with Image.open(path) as image:
        assert saved_dpi(image) == 300  # the PNG's pHYs
    download, _ = events.upscale.download(path, fmt, 90)
    with Image.open(download) as image:
        assert image.format == fmt and saved_dpi(image) == 300
    plain, _ = events.upscale.render(photo, 48, 32, precision=EXACT)
    with Image.open(plain) as image:
        assert saved_dpi(image) is None  # no print asked for: no resolution claimed


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
def test_the_cli_writes_the_print_resolution(tmp_path, photo, suffix):
    from test_cli import run_cli

    out = tmp_path / f"print{suffix}"
    done = run_cli("upscale", photo, "-o", out, "--size", "60x40", "--dpi", "300", "--precision", "exact")
    assert done.returncode == 0, done.stderr
    with Image.open(out) as image:
        assert saved_dpi(image) == 300
    bad = run_cli("upscale", photo, "-o", out, "--size", "60x40", "--dpi", "0")
    assert bad.returncode == 2 and "must be a positive number" in bad.stderr
