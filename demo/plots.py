"""Plotly figures for the app."""

from __future__ import annotations

import plotly.graph_objects as go
import torch
from PIL import Image, ImageDraw

from liif.detail import luminance
from liif.profile import Profile

LUMINANCE = "Luminance"
CHANNELS = {LUMINANCE: "#444444", "R": "#d62728", "G": "#2ca02c", "B": "#1f77b4"}
CHANNEL_CHOICES = list(CHANNELS)


def _channel(rgb: torch.Tensor, name: str) -> list[float]:
    """One curve of an (N, 3) colour signal: luminance, or R, G or B."""
    values = luminance(rgb.T) if name == LUMINANCE else rgb[:, "RGB".index(name)]
    return values.tolist()


def profile_figure(prof: Profile, channels: list[str] | None = None) -> go.Figure:
    """The colour along a line: LIIF as solid curves, bicubic dashed, the input's own pixels as markers at
    the points where the line crosses them. ``channels``: which of Luminance, R, G, B (default luminance)."""
    fig = go.Figure()
    x = prof.distance.tolist()
    for name in channels or [LUMINANCE]:
        colour = CHANNELS[name]
        fig.add_scatter(x=x, y=_channel(prof.liif, name), name=f"{name} LIIF", line={"color": colour, "width": 2})
        fig.add_scatter(
            x=x, y=_channel(prof.bicubic, name), name=f"{name} bicubic",
            line={"color": colour, "width": 1, "dash": "dash"}, opacity=0.7,
        )  # fmt: skip
        fig.add_scatter(
            x=prof.input_distance.tolist(), y=_channel(prof.input_rgb, name), name=f"{name} input pixels",
            mode="markers", marker={"color": colour, "size": 8, "symbol": "circle-open"},
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
    """Equal-sized pictures in a labelled table: one row per method, one column per zoom."""
    side_w, side_h = next(iter(rows.values()))[0].size
    label_w, label_h = 64, 22
    sheet = Image.new("RGB", (label_w + len(columns) * (side_w + gap), label_h + len(rows) * (side_h + gap)), "white")
    draw = ImageDraw.Draw(sheet)
    for j, column in enumerate(columns):
        draw.text((label_w + j * (side_w + gap) + side_w // 2 - 10, 4), column, fill="black")
    for i, (name, pictures) in enumerate(rows.items()):
        top = label_h + i * (side_h + gap)
        draw.text((4, top + side_h // 2 - 6), name, fill="black")
        for j, picture in enumerate(pictures):
            sheet.paste(picture, (label_w + j * (side_w + gap), top))
    return sheet
