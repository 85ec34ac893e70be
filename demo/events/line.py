"""Line: the colour signal along a line of the output, LIIF sampled densely beside bicubic and the photo's pixels."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import torch

from demo.components import refuse
from demo.events.common import (
    AUTO,
    STANDARD,
    STRETCH,
    Context,
    Request,
    fractions,
    on_photo,
    save,
    tenths,
    user_errors,
    waited_for,
)
from demo.plots import plotted_channels, profile_figure
from liif.views.detail import edge_line, edge_width, luminance
from liif.views.profile import CSV_HEADER, line_profile

LINE_LENGTH = 48  # output pixels: a new photo's line crosses one edge, so the curves can be read


@dataclass(frozen=True)
class LinePlot:
    """The plot, its samples as a CSV file, the status (with the edge widths), and the line's ends."""

    figure: Any
    csv: str
    status: str
    ends: tuple[float, ...]  # (x0, y0, x1, y1)
    anchors: list[float]  # the ends as fractions of the photo's render (the page's anchors)


def placed_line(request: Request, centre: tuple[float, float]) -> tuple[float, ...]:
    """A line across the strongest edge near ``centre`` (photo pixels), in output pixels (x0, y0, x1, y1), on
    the part of the photo the output shows."""
    placement = request.placement
    ends = edge_line(request.picture.rgb, centre, *placement.render, LINE_LENGTH, within=placement.box)
    return tenths(*(placement.to_output(*end) for end in ends))


def _csv(rows: list[list[float]]) -> str:
    lines = [",".join(CSV_HEADER)] + [",".join(f"{v:.6g}" for v in row) for row in rows]
    return "\n".join(lines) + "\n"


class Line:
    def __init__(self, context: Context) -> None:
        self.context = context

    def _plot(self, request: Request, ends: tuple[Any, ...], channels: list[str] | None) -> LinePlot:
        """The plot of the line ``ends`` (x0, y0, x1, y1) of the request's output."""
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in ends):
            raise refuse("Line coordinates must be numbers.")
        placement, (x0, y0, x1, y1) = request.placement, ends
        if not (placement.on_photo(x0, y0) and placement.on_photo(x1, y1)):
            margins = " (not in fit's margins)" if placement.padded else ""
            raise refuse(f"The line must lie on the photo inside the {request.width}×{request.height} output{margins}.")
        job = self.context.encode(request)
        start = time.perf_counter()
        prof = line_profile(
            job.encoded.model,
            job.encoded.views,
            job.picture.rgb,
            *placement.render,
            placement.to_render(x0, y0),
            placement.to_render(x1, y1),
            precision=job.precision,
        )
        prof = replace(prof, points=prof.points + torch.tensor(placement.offset))  # in output pixels again
        seconds = time.perf_counter() - start
        csv_path = save("line-profile.csv", lambda path: path.write_text(_csv(prof.rows())))
        widths = {
            name: edge_width(prof.distance, luminance(rgb.T))
            for name, rgb in (("bicubic", prof.bicubic), ("LIIF", prof.liif))
        }
        sharpness = ", ".join(f"{name} {w:.1f} px" if math.isfinite(w) else f"{name} n/a" for name, w in widths.items())
        if not any(math.isfinite(w) for w in widths.values()):
            sharpness = "n/a (the line crosses no edge)"
        status = (
            f"{len(prof.distance)} LIIF samples over {float(prof.distance[-1]):.1f} output px "
            f"({len(prof.input_distance)} input pixels crossed) · {seconds:.2f} s"
            f"\n\n**Edge width** (10–90 % rise of the luminance across the steepest edge): {sharpness}"
        )
        anchors = fractions(placement, (x0, y0), (x1, y1))
        figure = profile_figure(prof, plotted_channels(channels))
        return LinePlot(figure, csv_path, status, (x0, y0, x1, y1), anchors)

    @user_errors
    @waited_for
    def plot(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        precision: str = AUTO,
        quality: str = STANDARD,
        x0: float = 0.0,
        y0: float = 0.0,
        x1: float = 0.0,
        y1: float = 0.0,
        channels: list[str] | None = None,
        fit: str = STRETCH,
    ) -> tuple[Any, str, str]:
        """The colour along the line (x0, y0) -> (x1, y1) of the W x H output: a plot (luminance, or the
        chosen ``channels`` of Luminance, R, G, B), a CSV file, and a status with the edge's 10-90 % width."""
        request = self.context.request(image, width, height, model, precision, quality, fit)
        drawn = self._plot(request, (x0, y0, x1, y1), channels)
        return drawn.figure, drawn.csv, drawn.status

    @user_errors
    @waited_for
    def after_render(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None,
        precision: str,
        quality: str,
        centre_x: float,
        centre_y: float,
        chosen: bool,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        channels: list[str] | None,
        fit: str = STRETCH,
    ) -> LinePlot:
        """After a render, in one request: unless the person chose the line's ends, the line across the
        strongest edge near the crop centre (so the plot shows an edge without a click), then its plot."""
        request = self.context.request(image, width, height, model, precision, quality, fit)
        ends: tuple[float, ...] = (x0, y0, x1, y1)
        if not chosen:
            ends = placed_line(request, on_photo(centre_x, centre_y, request))
        return self._plot(request, ends, channels)
