"""Sizes people ask for by name: screens, and prints (paper at a DPI), turned to the photo's orientation."""

from __future__ import annotations

CUSTOM = "custom"  # the preset's value while the sizes are the person's own
SCREENS = (("1080p", 1920, 1080), ("1440p", 2560, 1440), ("4K UHD", 3840, 2160), ("Square", 2048, 2048))
PAPER = (("A4", 210 / 25.4, 297 / 25.4), ("A3", 297 / 25.4, 420 / 25.4), ("4×6 in", 4, 6), ("8×10 in", 8, 10))  # in
DPIS = (150, 300)


def _turned(width: int, height: int, portrait: bool) -> tuple[int, int]:
    """The long side across for a landscape (or square) photo, down for a portrait one."""
    long, short = max(width, height), min(width, height)
    return (short, long) if portrait else (long, short)


def presets(photo_width: int | None = None, photo_height: int | None = None) -> list[tuple[str, str]]:
    """(label, value) choices: "1080p · 1920×1080", "A4 at 300 dpi · 3508×2480"; the value is "WxH", and
    "WxH@DPI" for a print (the render records its resolution, :func:`print_dpi`)."""
    portrait = bool(photo_width and photo_height and photo_height > photo_width)
    choices = [("Custom size", CUSTOM)]
    choices += [
        (f"{name} · {w}×{h}", f"{w}x{h}") for name, w, h in ((n, *_turned(w, h, portrait)) for n, w, h in SCREENS)
    ]
    for name, w, h in PAPER:
        for dpi in DPIS:
            pw, ph = _turned(round(w * dpi), round(h * dpi), portrait)
            choices.append((f"{name} at {dpi} dpi · {pw}×{ph}", f"{pw}x{ph}@{dpi}"))
    return choices


def print_dpi(preset: object, width: int, height: int) -> int | None:
    """The print resolution of the preset the person chose, where the size asked for is still that preset's."""
    if not isinstance(preset, str) or "@" not in preset:
        return None
    size, _, dpi = preset.partition("@")
    return int(dpi) if size == f"{width}x{height}" and dpi.isdigit() and int(dpi) in DPIS else None
