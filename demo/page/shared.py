"""The components more than one part of the page reads or writes, and how events are queued.

The shell makes one :class:`Shared` before the tabs; each tab renders the ones it shows (made unrendered
here, ``.render()`` in place) and wires its own events to the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr
from gradio.events import Dependency

from demo.components import ChoiceRadio, NumberInput, PhotoInput
from demo.config import AppConfig
from liif.views.compare import ZOOM_STEP, ZOOMS


def queues(config: AppConfig) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Two slots: whole renders in one, everything short (crops, lines, explanations) in the other, so a long
    render never makes a crop wait for it. Returns (renders, quick, private): ``private`` is the quick slot for
    the page's own events, which are not in the API."""
    renders = {"concurrency_limit": config.concurrency, "concurrency_id": "render"}
    quick = {"concurrency_limit": config.concurrency, "concurrency_id": "quick"}
    return renders, quick, {"api_visibility": "private", **quick}


def in_browser(call: str) -> dict[str, Any]:
    """An event that runs only in the browser (controls.js): instant, in order, never dropped while busy."""
    return {"fn": None, "js": f"(...a) => window.liifControls.{call}(...a)", "queue": False, "trigger_mode": "multiple"}


def captioned_image(caption: str, **options: Any) -> gr.Image:
    """An output image with its caption above it, not a label drawn over the picture."""
    gr.Markdown(caption, elem_classes="caption")
    return gr.Image(show_label=False, format="png", type="pil", interactive=False, **options)


def _number(label: str, **options: Any) -> NumberInput:
    return NumberInput(label=label, value=0, render=False, **options)


def _hidden(value: Any = None) -> gr.JSON:
    return gr.JSON(value, visible="hidden", render=False)


@dataclass
class Shared:
    """Inputs every view reads (photo, size, model, precision, quality, fit) and the marks they share: the crop
    centre, the line's ends, the explained point, made unrendered for the tab that shows them.

    The marks are kept twice: in output pixels in the number boxes (what requests send), and as fractions of
    the photo's render in ``anchors`` (``{"crop": [fx, fy], "line": [fx0, fy0, fx1, fy1], "point": [fx, fy]}``),
    so that a new size or fit keeps each on the same spot of the photo and never outside the output.
    """

    photo: PhotoInput
    width: NumberInput
    height: NumberInput
    model: ChoiceRadio
    precision: ChoiceRadio
    quality: ChoiceRadio
    fit: ChoiceRadio
    # set by the result view as it renders them: the deep-zoom viewer (page/deepzoom.py), the status line, what
    # a click in the result does, and the Upscale event (views follow it)
    viewer: gr.HTML = field(init=False)
    status: gr.Markdown = field(init=False)
    click_mode: gr.Radio = field(init=False)
    rendered: Dependency = field(init=False)
    # where the photo's render lies in the W x H output, from the server (events.photo.placement)
    layout: gr.JSON = field(default_factory=_hidden)
    anchors: gr.JSON = field(default_factory=_hidden)
    centre_x: NumberInput = field(default_factory=lambda: _number("Crop centre x", min_width=120))
    centre_y: NumberInput = field(default_factory=lambda: _number("Crop centre y", min_width=120))
    zoom: gr.Slider = field(
        default_factory=lambda: gr.Slider(
            *ZOOMS, value=2, step=ZOOM_STEP, label="Zoom (× the output)", elem_id="zoom", render=False
        )
    )
    crop: gr.Slider = field(
        default_factory=lambda: gr.Slider(
            16, 256, value=64, step=8, label="Crop size (output px)", elem_id="crop", render=False
        )
    )
    # the crop's window as the server renders it, [left, top, width, height] in output pixels: what is drawn
    crop_drawn: gr.JSON = field(default_factory=_hidden)
    x0: NumberInput = field(default_factory=lambda: _number("Start x", min_width=100))
    y0: NumberInput = field(default_factory=lambda: _number("Start y", min_width=100))
    x1: NumberInput = field(default_factory=lambda: _number("End x", min_width=100))
    y1: NumberInput = field(default_factory=lambda: _number("End y", min_width=100))
    line_chosen: gr.Checkbox = field(default_factory=lambda: gr.Checkbox(False, visible=False, render=False))
    explain_x: NumberInput = field(
        default_factory=lambda: _number("Explain output pixel x", precision=0, min_width=120)
    )
    explain_y: NumberInput = field(
        default_factory=lambda: _number("Explain output pixel y", precision=0, min_width=120)
    )
    # the line's start (fractions of the photo) once a click set it, and the next click sets its end; else None
    stage: gr.State = field(default_factory=lambda: gr.State(None))
    open_tab: gr.State = field(init=False)  # the label of the tab on screen: slow views follow a render only there
    actions: list[gr.Button] = field(default_factory=list)  # buttons that need a photo

    @property
    def common(self) -> list[Any]:
        """What every render, crop and line reads first, in the events' argument order (``fit`` comes last)."""
        return [self.photo, self.width, self.height, self.model, self.precision, self.quality]

    @property
    def line_ends(self) -> list[Any]:
        return [self.x0, self.y0, self.x1, self.y1]

    @property
    def centre(self) -> list[Any]:
        return [self.centre_x, self.centre_y]

    @property
    def point(self) -> list[Any]:
        return [self.explain_x, self.explain_y]

    @property
    def marks(self) -> list[Any]:
        """Every mark's number boxes, in output pixels: the crop centre, the line's ends, the explained point."""
        return [*self.centre, *self.line_ends, *self.point]

    @property
    def hidden(self) -> list[Any]:
        """The unrendered state the page keeps and no tab shows."""
        return [self.layout, self.anchors, self.crop_drawn, self.line_chosen]
