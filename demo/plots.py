"""Plotly figures for the app."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch
from PIL import Image, ImageDraw, ImageFont

from liif.views.detail import luminance
from liif.views.profile import Profile

LUMINANCE = "Luminance"
CHANNELS = {LUMINANCE: "#444444", "R": "#d62728", "G": "#2ca02c", "B": "#1f77b4"}
CHANNEL_CHOICES = list(CHANNELS)
SWEEP_FONT = 24  # the sweep's labels, pixels: still about 10 on a phone
PLOT_POINTS = 8192  # samples a curve keeps: a line of up to 2,000 output pixels is drawn at its full 4 a pixel


def _channel(rgb: torch.Tensor, name: str) -> list[float]:
    """One curve of an (N, 3) colour signal: luminance, or R, G or B."""
    values = luminance(rgb.T) if name == LUMINANCE else rgb[:, "RGB".index(name)]
    return values.tolist()


def plotted_channels(channels: object) -> list[str]:
    """The curves asked for, each once, in the page's order: only known names count, so a request for the same
    channel 150 times draws it once (a figure's size grows with its curves); luminance when none is known."""
    asked = set(channels) if isinstance(channels, list | tuple) and all(isinstance(c, str) for c in channels) else set()
    return [name for name in CHANNEL_CHOICES if name in asked] or [LUMINANCE]


def profile_figure(prof: Profile, channels: list[str]) -> go.Figure:
    """The colour along a line: LIIF as solid curves, bicubic dashed, the input's own pixels as markers at
    the points where the line crosses them, for ``channels`` (:func:`plotted_channels`). The curves keep at most
    :data:`PLOT_POINTS` samples each (the CSV has them all), so a long line's figure stays a few MB."""
    fig = go.Figure()
    step = math.ceil(len(prof.distance) / PLOT_POINTS)
    x = prof.distance[::step].tolist()
    for name in channels:
        colour = CHANNELS[name]
        fig.add_scatter(
            x=x, y=_channel(prof.liif[::step], name), name=f"{name} LIIF", line={"color": colour, "width": 2}
        )  # fmt: skip
        fig.add_scatter(
            x=x, y=_channel(prof.bicubic[::step], name), name=f"{name} bicubic",
            line={"color": colour, "width": 1, "dash": "dash"}, opacity=0.7,
        )  # fmt: skip
        marks = math.ceil(len(prof.input_distance) / PLOT_POINTS)
        fig.add_scatter(
            x=prof.input_distance[::marks].tolist(), y=_channel(prof.input_rgb[::marks], name),
            name=f"{name} input pixels", mode="markers", marker={"color": colour, "size": 8, "symbol": "circle-open"},
        )  # fmt: skip
    fig.update_layout(
        xaxis_title="distance along the line (output pixels)",
        yaxis_title="value (0-1)",
        yaxis_range=[-0.02, 1.02],
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 50, "r": 10, "t": 30, "b": 10},
        height=420,
        hovermode="x",
    )
    return fig


def sweep_sheet(rows: dict[str, list[Image.Image]], columns: list[str], gap: int = 6) -> Image.Image:
    """Equal-sized pictures in a labelled table: one row per method, one column per zoom. The labels are large
    (a phone shows the sheet at under half its size) and the zooms sit under the columns, where the image's
    toolbar (top right) covers none of them."""
    side_w, side_h = next(iter(rows.values()))[0].size
    font = ImageFont.load_default(size=SWEEP_FONT)
    label_w = max(int(font.getlength(name)) for name in rows) + 2 * gap
    label_h = SWEEP_FONT + 2 * gap
    table_h = len(rows) * (side_h + gap)
    sheet = Image.new("RGB", (label_w + len(columns) * (side_w + gap) - gap, table_h + label_h), "white")
    draw = ImageDraw.Draw(sheet)
    for j, column in enumerate(columns):
        centre = label_w + j * (side_w + gap) + side_w / 2
        draw.text((centre, table_h + label_h / 2), column, fill="black", font=font, anchor="mm")
    for i, (name, pictures) in enumerate(rows.items()):
        top = i * (side_h + gap)
        draw.text((gap, top + side_h / 2), name, fill="black", font=font, anchor="lm")
        for j, picture in enumerate(pictures):
            sheet.paste(picture, (label_w + j * (side_w + gap), top))
    return sheet
