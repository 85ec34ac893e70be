"""The result: one view, the deep-zoom viewer, with the render streamed onto it, its status, its download, and
what a click in it does."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import gradio as gr

from demo.components import ChoiceRadio, ViewerClick
from demo.events import Events
from demo.events.common import DEFAULT_PAD, STRETCH, fractions
from demo.events.live import Frame
from demo.events.photo import from_page
from demo.page import deepzoom
from demo.page.inputs import Inputs
from demo.page.presets import print_dpi
from demo.page.shared import Shared, in_browser
from demo.page.text import CLICK_MODES, DOWNLOAD_FORMATS, DOWNLOAD_QUALITY, RESULT_CAPTION, RESULT_HINT
from liif.pipeline.layout import FITS, TRANSPARENT

CROP, LINE, POINT = (value for _, value in CLICK_MODES)
NOT_YET = "Download (once a render is done)"


def _no_download() -> Any:
    """The download button with nothing to offer: before a render, during one, after another photo."""
    return gr.update(value=None, label=NOT_YET, interactive=False)


@dataclass
class ResultView:
    """The result's components besides the viewer (in :class:`Shared`): what the viewer shows of the render,
    the finished PNG (server-side) and its download."""

    shown: Any
    finished: Any
    formats: Any
    quality: Any
    download: Any


def render(shared: Shared, events: Events) -> ResultView:
    gr.Markdown(RESULT_CAPTION, elem_classes="caption")
    shared.viewer = deepzoom.viewer(events)
    shown = gr.JSON(None, visible="hidden")  # what the viewer draws of the render (events.live.shown)
    shared.status = gr.Markdown(elem_classes="status", elem_id="status")
    with gr.Row(elem_id="download-row"):  # right under the status: the result's own actions
        download = gr.DownloadButton(NOT_YET, interactive=False, elem_id="download", variant="secondary", scale=0,
                                     min_width=250)  # fmt: skip
        formats = ChoiceRadio(DOWNLOAD_FORMATS, value="PNG", label="Download as", elem_id="format", min_width=200)
        quality = gr.Slider(1, 100, value=90, step=1, label=DOWNLOAD_QUALITY, elem_id="download-quality",
                            min_width=180)  # fmt: skip
    shared.click_mode = gr.Radio(CLICK_MODES, value=CROP, label="A click in the result will", elem_id="click-mode")
    gr.Markdown(RESULT_HINT, elem_classes="hint")
    return ResultView(shown, gr.State(None), formats, quality, download)


def wire_upscale(
    inputs: Inputs, shared: Shared, view: ResultView, events: Events, renders: dict[str, Any], on_gpu: Any
) -> None:
    """Upscale streams onto the result view; a new click or Stop supersedes the render in progress. The API's
    /upscale returns only the finished PNG."""
    ticket = gr.State(0)
    upscale = events.upscale

    def live(
        image: Any,
        width: Any,
        height: Any,
        model: Any,
        precision: Any,
        quality: Any,
        fit: Any,
        colour: Any,
        transparent: bool,
        preset: Any,
        ticket: int,
        request: gr.Request,
    ) -> Any:  # Gradio hands the request to a parameter typed gr.Request
        pad = TRANSPARENT if transparent else colour
        dpi = print_dpi(preset, width, height)  # a print preset's size: the render records its resolution
        frames = upscale.live(image, width, height, model, precision, quality, ticket, request, fit, pad, dpi)
        for number, frame in enumerate(frames):
            yield _frame_outputs(frame, number == 0, shared, inputs, view)

    started = inputs.run.click(
        upscale.start,
        None,
        [ticket],
        queue=False,
        trigger_mode="multiple",
        api_visibility="private",
        js="(...a) => { window.liifDeepZoom?.reveal(); return a; }",  # the result view comes on the screen
    )
    shared.rendered = started.then(
        on_gpu(live),
        [*shared.common, shared.fit, inputs.pad_colour, inputs.transparent, inputs.preset, ticket],
        [shared.status, view.shown, view.finished, view.download, inputs.speed],
        show_progress="hidden",  # the progress is drawn on the result itself
        trigger_mode="always_last",
        api_visibility="private",
        **renders,
    )
    inputs.stop.click(upscale.stop, None, None, queue=False, api_visibility="private")
    view.shown.change(inputs=[view.shown], outputs=None, **in_browser("shown"))
    _wire_download(shared, view, events, renders)
    _wire_api(shared, events, renders, on_gpu)


def _wire_download(shared: Shared, view: ResultView, events: Events, renders: dict[str, Any]) -> None:
    """The download follows the finished render, its format and quality; another photo takes it away."""
    downloads = [view.finished, view.formats, view.quality]

    def offered(finished: str | None, fmt: str, quality: float) -> Any:
        path, label = events.upscale.download(finished, fmt, quality)
        return gr.update(value=path, label=label, interactive=path is not None)

    shared.rendered.success(offered, downloads, [view.download], api_visibility="private", **renders)
    shared.photo.change(  # another photo: the view no longer shows the last render, nor offers it
        lambda: (None, _no_download()),
        None,
        [view.finished, view.download],
        queue=False,
        api_visibility="private",
    )
    gr.on([view.formats.change, view.quality.release], offered, downloads, [view.download], api_visibility="private")


def _wire_api(shared: Shared, events: Events, renders: dict[str, Any], on_gpu: Any) -> None:
    """The API's /upscale: the finished PNG only, with fit, pad and dpi as its own hidden inputs."""
    fit = ChoiceRadio(list(FITS), value=STRETCH, label="Fit", visible=False)
    pad = gr.Textbox(DEFAULT_PAD, label="Pad", visible=False)
    dpi = gr.Number(None, label="Dpi", visible=False)
    gr.Button(visible=False).click(
        on_gpu(events.upscale.stream),
        [*shared.common, fit, pad, dpi],
        [gr.Image(visible=False, format="png", type="filepath"), gr.Markdown(visible=False)],
        api_name="upscale",
        **renders,
    )  # an API-only endpoint


def _frame_outputs(frame: Frame, first: bool, shared: Shared, inputs: Inputs, view: ResultView) -> dict[Any, Any]:
    """A frame as the page's outputs: what a frame does not hold stays as it was. A new render takes the last
    one's download away at its first frame: a preview is not a result."""
    shown: dict[Any, Any] = {shared.status: frame.status}
    if frame.shown is not None:
        shown[view.shown] = frame.shown
    if first:
        shown[view.download] = _no_download()
    if frame.result is not None:
        shown[view.finished] = frame.result
    if frame.speed is not None:
        shown[inputs.speed] = asdict(frame.speed)
    return shown


def _fraction(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return None
    return float(value)


def viewer_point(where: object, layout: object) -> tuple[float, float] | None:
    """The output pixel a click in the viewer fell on (fractions (fx, fy) of the photo), as its centre:
    (704.5, 300.5), not (704.7655820846558, ...); None off the output (fill's cut edges) or for anything else."""
    placement = from_page(layout)
    pair = where if isinstance(where, list) and len(where) == 2 else [None, None]
    fx, fy = (_fraction(v) for v in pair)
    if fx is None or fy is None or placement is None:
        return None
    x, y = placement.to_output(fx * placement.render[0], fy * placement.render[1])
    if not (0 <= x <= placement.width and 0 <= y <= placement.height):
        return None
    return min(math.floor(x), placement.width - 1) + 0.5, min(math.floor(y), placement.height - 1) + 0.5


def route_click(shared: Shared, mode: str, start: Any, point: tuple[float, float], anchors: Any, layout: Any) -> dict:
    """A click at output point (x, y): move the crop, set the line's start then its end, or pick a point; the
    marks' anchors (fractions of the photo) follow. ``start`` is the line's start as fractions once a click set
    it (server-side state: a second click processed right after the first sees it), else None."""
    s, (x, y) = shared, point
    placement = from_page(layout)
    assert placement is not None  # viewer_point placed the click with it
    fx, fy = fractions(placement, point)
    kept = dict(anchors) if isinstance(anchors, dict) else {}
    if mode == CROP:
        return {s.centre_x: x, s.centre_y: y, s.anchors: {**kept, "crop": [fx, fy]}}
    if mode == POINT:
        return {s.explain_x: int(x), s.explain_y: int(y), s.anchors: {**kept, "point": [fx, fy]}}
    if start is None:
        return {s.x0: x, s.y0: y, s.stage: [fx, fy], s.line_chosen: True}
    line = [*start, fx, fy]
    return {s.x1: x, s.y1: y, s.stage: None, s.line_chosen: True, s.anchors: {**kept, "line": line}}


def wire_clicks(shared: Shared) -> list[Any]:
    """A click in the viewer (at fractions of the photo) routes to the crop, the line or the explained point;
    returns the click events, for the views that follow them."""
    s = shared
    outputs = [*s.marks, s.stage, s.line_chosen, s.anchors]

    def on_viewer(mode: str, start: Any, layout: Any, anchors: Any, evt: ViewerClick) -> dict:
        point = viewer_point(evt.index, layout)
        if point is None:  # off the output (fill's cut edges): nothing moves
            return dict.fromkeys(outputs, gr.skip())
        return route_click(s, mode, start, point, anchors, layout)

    inputs = [s.click_mode, s.stage, s.layout, s.anchors]
    # Every click counts, in order (Gradio's default drops a click made while the one before is answered).
    return [s.viewer.select(on_viewer, inputs, outputs, api_visibility="private", trigger_mode="multiple")]
