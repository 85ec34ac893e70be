"""The result: the streamed render, its status, and what a click on it (or on the deep zoom) does."""

from __future__ import annotations

import math
from typing import Any, Literal

import gradio as gr

from demo.events import Events
from demo.events.upscale import DEFAULT_PAD, Frame
from demo.page.inputs import Inputs
from demo.page.shared import Shared
from demo.page.text import CLICK_MODES, RESULT_CAPTION
from liif.layout import FITS

CROP, LINE, POINT = (value for _, value in CLICK_MODES)


FINISHED_BUTTONS: tuple[Literal["download", "fullscreen"], ...] = ("download", "fullscreen")
PREVIEW_BUTTONS: tuple[Literal["download", "fullscreen"], ...] = ("fullscreen",)  # a preview is no result


def render(shared: Shared) -> None:
    gr.Markdown(RESULT_CAPTION, elem_classes="caption")
    shared.result = gr.Image(
        show_label=False,
        elem_id="result",
        format="png",
        type="filepath",
        interactive=False,
        buttons=list(FINISHED_BUTTONS),
    )
    shared.status = gr.Markdown(elem_classes="status", elem_id="status")
    shared.click_mode = gr.Radio(
        CLICK_MODES, value=CROP, label="A click on the result or the deep zoom will", elem_id="click-mode"
    )


def wire_upscale(inputs: Inputs, shared: Shared, events: Events, renders: dict[str, Any], on_gpu: Any) -> None:
    """Upscale streams into the result; a new click or Stop supersedes the render in progress. The API's
    /upscale returns only the finished PNG."""
    ticket = gr.State(0)
    upscale = events.upscale

    def live(
        image: Any, width: Any, height: Any, model: Any, precision: Any, quality: Any, ticket: int, request: gr.Request
    ) -> Any:  # Gradio hands the request to a parameter typed gr.Request
        for frame in upscale.live(image, width, height, model, precision, quality, ticket, request):
            yield _frame_outputs(frame, shared, inputs)

    started = inputs.run.click(
        upscale.start, None, [ticket], queue=False, trigger_mode="multiple", api_visibility="private"
    )
    shared.rendered = started.then(
        on_gpu(live),
        [*shared.common, ticket],
        [shared.result, shared.status, inputs.speed],
        show_progress="minimal",
        trigger_mode="always_last",
        api_visibility="private",
        **renders,
    )
    inputs.stop.click(upscale.stop, None, None, queue=False, api_visibility="private")
    fit = gr.Radio(list(FITS), value="stretch", label="Fit", visible=False)  # the API's fit and pad, for now
    pad = gr.Textbox(DEFAULT_PAD, label="Pad", visible=False)
    outputs = [shared.result, shared.status]
    gr.Button(visible=False).click(
        on_gpu(upscale.render), [*shared.common, fit, pad], outputs, api_name="upscale", **renders
    )  # an API-only endpoint


def _frame_outputs(frame: Frame, shared: Shared, inputs: Inputs) -> dict[Any, Any]:
    """A frame as the page's outputs: what a frame does not hold stays as it was."""
    shown: dict[Any, Any] = {shared.status: frame.status}
    if frame.picture is not None:  # a preview (a picture, not a file) has nothing worth downloading
        buttons = FINISHED_BUTTONS if isinstance(frame.picture, str) else PREVIEW_BUTTONS
        shown[shared.result] = gr.Image(frame.picture, buttons=list(buttons))
    if frame.speed is not None:
        shown[inputs.speed] = frame.speed
    return shown


def _fraction(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return None
    return float(value)


def viewer_point(where: object, width: float | None, height: float | None) -> tuple[float, float] | None:
    """The output pixel a click in the viewer fell on (fractions (fx, fy) of the photo), as its centre, like
    a click on the result: (704.5, 300.5), not (704.7655820846558, ...). None for anything else."""
    pair = where if isinstance(where, list) and len(where) == 2 else [None, None]
    fx, fy = (_fraction(v) for v in pair)
    if fx is None or fy is None or not width or not height:
        return None
    return min(math.floor(fx * width), width - 1) + 0.5, min(math.floor(fy * height), height - 1) + 0.5


def route_click(shared: Shared, mode: str, stage: str, x: float, y: float, width: float, height: float) -> dict:
    """A click at output point (x, y): move the crop, set the line's start then its end, or pick a point."""
    s = shared
    if mode == CROP:
        return {s.centre_x: x, s.centre_y: y, s.crop_fx: x / width, s.crop_fy: y / height}
    if mode == POINT:
        return {s.explain_x: int(x), s.explain_y: int(y)}
    if stage == "start":
        return {s.x0: x, s.y0: y, s.stage: "end", s.line_chosen: True}
    return {s.x1: x, s.y1: y, s.stage: "start", s.line_chosen: True}


def wire_clicks(shared: Shared, viewer: Any) -> list[Any]:
    """A click on the result (at a pixel) or on the deep zoom (at fractions of the photo) routes to the crop,
    the line or the explained point; returns the click events, for the views that follow them."""
    s = shared
    outputs = [
        s.centre_x,
        s.centre_y,
        s.crop_fx,
        s.crop_fy,
        *s.line_ends,
        s.stage,
        s.explain_x,
        s.explain_y,
        s.line_chosen,
    ]

    def on_result(mode: str, at: str, width: float, height: float, evt: gr.SelectData) -> dict:
        col, row = evt.index[0], evt.index[1]
        return route_click(s, mode, at, col + 0.5, row + 0.5, width, height)  # its centre is the point

    def on_viewer(mode: str, at: str, width: float | None, height: float | None, evt: gr.SelectData) -> dict:
        point = viewer_point(evt.index, width, height)
        return {} if point is None or not width or not height else route_click(s, mode, at, *point, width, height)

    inputs = [s.click_mode, s.stage, s.width, s.height]
    return [
        s.result.select(on_result, inputs, outputs, api_visibility="private"),
        viewer.select(on_viewer, inputs, outputs, api_visibility="private"),  # fractions (fx, fy) of the photo
    ]
