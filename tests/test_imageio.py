"""Decoding photos and writing renders: orientation, modes, rounding, atomic writes."""

import numpy as np
import pytest
import torch
from PIL import Image

import liif
from liif.io.images import to_uint8
from liif.io.output import write_rows


def _pattern(height=4, width=6):
    return np.arange(height * width * 3, dtype=np.uint8).reshape(height, width, 3) * 3


def test_exif_orientation_is_applied(tmp_path):
    pixels = _pattern()
    img = Image.fromarray(pixels)
    exif = img.getexif()
    exif[0x0112] = 6  # stored sideways: display rotated 90 degrees clockwise
    path = tmp_path / "phone.jpg"
    img.save(path, quality=100, exif=exif, subsampling=0)
    picture = liif.load_picture(path)
    assert (picture.height, picture.width) == (6, 4)
    upright = np.rot90(np.asarray(Image.open(path).convert("RGB")), k=-1)
    assert np.array_equal(to_uint8(picture.rgb.permute(1, 2, 0)), upright)


def test_png_is_rounded_not_truncated_and_npy_is_float(tmp_path):
    values = torch.tensor([10.6 / 255, 10.4 / 255, 0.9999, -0.25, 1.5, 0.123456]).view(1, 2, 3)
    write_rows(tmp_path / "out.png", 2, 1, [(0, values)])
    assert np.asarray(Image.open(tmp_path / "out.png")).reshape(-1).tolist() == [11, 10, 255, 0, 255, 31]
    write_rows(tmp_path / "out.npy", 2, 1, [(0, values)])
    arr = np.load(tmp_path / "out.npy")
    assert arr.dtype == np.float32 and arr.shape == (1, 2, 3)
    assert arr.reshape(-1).tolist() == pytest.approx([10.6 / 255, 10.4 / 255, 0.9999, 0.0, 1.0, 0.123456], abs=1e-7)


@pytest.mark.parametrize("suffix", [".png", ".npy"])
def test_a_failed_write_leaves_no_file(tmp_path, suffix):
    def rows():
        yield 0, torch.zeros(1, 4, 3)
        raise RuntimeError("render failed half way")

    with pytest.raises(RuntimeError):
        write_rows(tmp_path / f"out{suffix}", 4, 2, rows())
    assert list(tmp_path.iterdir()) == []


def test_grayscale_stays_gray_and_alpha_is_kept(tmp_path):
    Image.fromarray(_pattern()[..., 0], "L").save(tmp_path / "gray.png")
    gray = liif.load_picture(tmp_path / "gray.png")
    assert gray.grayscale and gray.alpha is None
    assert torch.equal(gray.rgb[0], gray.rgb[1])
    write_rows(tmp_path / "gray_out.png", 6, 4, [(0, gray.rgb.permute(1, 2, 0))], gray)
    assert Image.open(tmp_path / "gray_out.png").mode == "L"

    rgba = np.dstack([_pattern(), np.full((4, 6), 100, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "alpha.png")
    picture = liif.load_picture(tmp_path / "alpha.png")
    assert picture.alpha is not None and not picture.grayscale
    write_rows(tmp_path / "alpha_out.png", 12, 8, [(0, torch.rand(8, 12, 3))], picture)
    out = Image.open(tmp_path / "alpha_out.png")
    assert out.mode == "RGBA" and out.size == (12, 8)
    assert np.asarray(out)[..., 3].min() == np.asarray(out)[..., 3].max() == 100


def test_sixteen_bit_png_is_scaled_to_unit_range(tmp_path):
    arr = np.array([[0, 65535], [32768, 1000]], dtype=np.uint16)
    Image.fromarray(arr).save(tmp_path / "deep.png")
    picture = liif.load_picture(tmp_path / "deep.png")
    assert picture.grayscale
    assert picture.rgb[0].flatten().tolist() == pytest.approx([0, 1, 32768 / 65535, 1000 / 65535], abs=1e-6)


def test_palette_and_cmyk_become_rgb(tmp_path):
    Image.fromarray(_pattern()).convert("P").save(tmp_path / "pal.png")
    Image.fromarray(_pattern()).convert("CMYK").save(tmp_path / "cmyk.jpg")
    for name in ("pal.png", "cmyk.jpg"):
        picture = liif.load_picture(tmp_path / name)
        assert picture.rgb.shape == (3, 4, 6) and not picture.grayscale


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"hello, not an image", "not an image"), (None, "corrupt or truncated")],
)
def test_unreadable_files_get_one_line_messages(tmp_path, content, message):
    path = tmp_path / "bad.jpg"
    if content is None:
        Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 128).save(path, quality=90)
        content = path.read_bytes()[:300]
    path.write_bytes(content)
    with pytest.raises(liif.ImageError, match=message) as info:
        liif.load_picture(path)
    assert "\n" not in str(info.value)


def test_input_pixel_limit_is_checked_before_decoding(tmp_path):
    Image.new("RGB", (300, 200)).save(tmp_path / "big.png")
    with pytest.raises(liif.ImageError, match="over the input limit"):
        liif.load_picture(tmp_path / "big.png", max_pixels=50_000)


def test_to_uint8_rounds_to_nearest_with_ties_to_even():
    # round(v * 255), not truncation: 0.6/255 -> 1; exact halves go to the even neighbour (0.5 -> 0, 254.5 -> 254)
    values = torch.tensor([0.0, 1.0, 0.6 / 255, 0.5 / 255, 254.5 / 255, 1.5 / 255])
    assert to_uint8(values).tolist() == [0, 255, 1, 0, 254, 2]
