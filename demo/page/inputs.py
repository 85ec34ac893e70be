"""The top of the page: the photo, its size (width, height, preset, scale, keep aspect, fit), model, precision,
quality, and the Upscale and Stop buttons.

The size controls run in the browser (static/controls.js): only the photo's own size, where the views start on
it, and where its render lies in the output (the layout) come from the server.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from demo.components import ChoiceRadio, NumberInput, PhotoInput, upload_limit
from demo.config import AppConfig
from demo.events import Events
from demo.events.common import AUTO, PRECISIONS, QUALITIES, STANDARD, STRETCH
from demo.page.presets import CUSTOM, presets
from demo.page.shared import Shared, in_browser
from demo.page.text import (
    AUTO_LABEL,
    FIT_INFO,
    FITS,
    MODEL_LABELS,
    NO_PHOTO,
    PHOTO_INFO,
    PRECISION_INFO,
    QUALITY_INFO,
)
from liif.pipeline.run import AUTO_MODEL

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCALE_RANGE = (0.25, 8)  # the scale slider's range (controls.js reads it from the page's settings)


@dataclass
class Inputs:
    """The components of the top of the page that only it and the upscale wiring use."""

    scale: Any
    keep_aspect: Any
    preset: Any
    pad_colour: Any
    transparent: Any
    size_info: Any
    photo_w: Any
    photo_h: Any
    speed: Any
    run: Any
    stop: Any


def render(config: AppConfig, events: Events) -> tuple[Shared, Inputs]:
    bench = events.workbench
    models = bench.available_models()
    with gr.Row(elem_id="top"):
        with gr.Column(scale=1, min_width=300):
            photo = PhotoInput(
                label="Photo",
                elem_id="photo",
                type="filepath",
                image_mode=None,
                sources=["upload", "clipboard"],
                format="png",
                height=260,
            )
            photo.max_bytes = upload_limit(config.max_upload)  # every way a photo arrives, inline ones too
            examples = sorted(str(p) for p in EXAMPLES.glob("*.jpg"))
            gr.Examples(examples=[[p] for p in examples], inputs=[photo], label="Landscapes with leaves")
            choices = [(AUTO_LABEL, AUTO_MODEL), *((MODEL_LABELS.get(m, m), m) for m in models)]
            model = ChoiceRadio(choices, value=AUTO_MODEL, label="Model", elem_id="model", info=PHOTO_INFO)
            condition = gr.Markdown("", elem_id="condition", elem_classes="status")
            with gr.Accordion("Advanced", open=False, elem_id="advanced"):
                quality = ChoiceRadio(
                    QUALITIES, value=STANDARD, label="Sharpness", elem_id="quality", info=QUALITY_INFO
                )
                precision = ChoiceRadio(PRECISIONS, value=AUTO, label="Precision", info=PRECISION_INFO)
        with gr.Column(scale=1, min_width=300):
            # The preset first: Tab from Height goes on to the scale, not into a list that opens over Upscale.
            preset = gr.Dropdown(presets(), value=CUSTOM, label="Preset size", elem_id="preset")
            with gr.Row():
                width = NumberInput(label="Width (px)", precision=0, minimum=1, elem_id="width", min_width=120)
                height = NumberInput(label="Height (px)", precision=0, minimum=1, elem_id="height", min_width=120)
            scale = gr.Slider(*SCALE_RANGE, value=2, step=0.05, label="Scale", elem_id="scale")
            keep_aspect = gr.Checkbox(value=True, label="Keep aspect (editing one side updates the other)")
            fit = ChoiceRadio(FITS, value=STRETCH, label="Fit", info=FIT_INFO, elem_id="fit")
            with gr.Row(visible=False, elem_id="pad") as pad_row:
                pad_colour = gr.ColorPicker("#000000", label="Margins", elem_id="pad-colour", min_width=120)
                transparent = gr.Checkbox(False, label="Transparent (PNG, WebP)", elem_id="transparent", min_width=160)
            size_info = gr.Markdown(NO_PHOTO, elem_classes="status", elem_id="size-info")
            photo_w = gr.Number(visible="hidden", elem_id="photo-w")
            photo_h = gr.Number(visible="hidden", elem_id="photo-h")
            speed = gr.JSON(lambda: _speed(events), visible="hidden")  # how fast a render goes here: the estimate
            with gr.Row():
                run = gr.Button("Upscale", variant="primary", elem_id="run", interactive=False, scale=3)
                stop = gr.Button("Stop", variant="stop", elem_id="stop", scale=1, min_width=80)
    fit.change(inputs=[fit], outputs=[pad_row], **in_browser("fromFit"))
    gr.on([photo.change, model.change], events.photo.condition, [photo, model], [condition], api_visibility="private")
    shared = Shared(photo, width, height, model, precision, quality, fit)
    shared.actions.append(run)
    inputs = Inputs(scale, keep_aspect, preset, pad_colour, transparent, size_info, photo_w, photo_h, speed, run, stop)
    return shared, inputs


def _speed(events: Events) -> dict[str, float] | None:
    measured = events.workbench.speed()
    return None if measured is None else asdict(measured)


def wire(inputs: Inputs, shared: Shared, events: Events) -> Any:
    """The photo's size from the server, every size update in the browser, the layout from the server; returns
    the photo's change event (the result view follows it)."""
    photo_set = _wire_photo(inputs, shared, events)
    _wire_sizes(inputs, shared)
    _wire_layout(inputs, shared, events)
    return photo_set


def _wire_photo(inputs: Inputs, shared: Shared, events: Events) -> Any:
    s = shared
    starts = [inputs.photo_w, inputs.photo_h, s.width, s.height, inputs.size_info, *s.centre, s.zoom, *s.line_ends]
    starts += [*s.point, s.anchors]

    shown = gr.State(None)  # the photo the sizes and marks were last set for

    def opened(image: str | None, chosen_scale: float, before: str | None) -> dict[Any, Any]:
        if image is not None and image == before:  # Gradio reports one upload twice: the second must not undo
            return dict.fromkeys(outputs, gr.skip())  # what the person typed in between
        ready = {action: gr.update(interactive=bool(image)) for action in s.actions}
        start = events.photo.opened(image, chosen_scale)
        if start is None:
            return {**dict.fromkeys(starts[:4]), inputs.size_info: NO_PHOTO, shown: None, **ready}
        values = [start.photo_width, start.photo_height, start.width, start.height, start.info, *start.centre]
        values += [start.zoom, *start.line, *start.point, start.anchors]
        oriented = gr.update(choices=presets(start.photo_width, start.photo_height), value=CUSTOM)
        # a placed line, not one the person chose; the presets turned to the photo
        placed = {s.line_chosen: False, inputs.preset: oriented, shown: image}
        return {**dict(zip(starts, values, strict=True)), **placed, **ready}

    outputs = [*starts, s.line_chosen, inputs.preset, shown, *s.actions]
    photo_set = s.photo.change(opened, [s.photo, inputs.scale, shown], outputs, api_visibility="private")
    photo_set.then(
        inputs=[inputs.photo_w, inputs.photo_h, s.width, s.height, *_estimate(inputs, s), inputs.size_info],
        outputs=[inputs.size_info, inputs.run],
        **in_browser("photoSet"),
    )
    return photo_set


def _estimate(inputs: Inputs, shared: Shared) -> list[Any]:
    """What the time estimate beside the size needs: the measured speed, the quality, the precision and the
    layout (the pixels LIIF renders for a fill or a fit)."""
    return [inputs.speed, shared.quality, shared.precision, shared.layout]


def _wire_sizes(inputs: Inputs, shared: Shared) -> None:
    """Width, height, preset, scale and keep aspect update each other in the browser, on every keystroke."""
    s = shared
    estimate = _estimate(inputs, s)
    reads = [s.width, s.height, inputs.photo_w, inputs.photo_h, *estimate]
    follow = [inputs.scale, inputs.size_info, inputs.run, inputs.preset]
    s.width.input(inputs=[inputs.keep_aspect, *reads], outputs=[s.height, *follow], **in_browser("fromWidth"))
    s.height.input(inputs=[inputs.keep_aspect, *reads], outputs=[s.width, *follow], **in_browser("fromHeight"))
    gr.on(
        [inputs.scale.input, inputs.scale.release],
        inputs=[inputs.scale, *reads],
        outputs=[s.width, s.height, *follow],
        **in_browser("fromScale"),
    )
    inputs.keep_aspect.input(inputs=[inputs.keep_aspect, *reads], outputs=[s.height, *follow], **in_browser("fromKeep"))
    inputs.preset.input(
        inputs=[inputs.preset, s.fit, *reads],
        outputs=[s.width, s.height, inputs.keep_aspect, s.fit, *follow[:3]],
        **in_browser("fromPreset"),
    )
    gr.on(
        [inputs.speed.change, s.quality.input, s.precision.input],
        inputs=reads,
        outputs=[inputs.size_info],
        **in_browser("fromSpeed"),
    )


def _wire_layout(inputs: Inputs, shared: Shared, events: Events) -> None:
    """The layout follows the size and the fit (from the server: what a render will do); the marks follow the
    layout (on the same spots of the photo), and a mark typed in a box is kept as a spot of the photo."""
    s = shared
    sizes = [inputs.photo_w, inputs.photo_h, s.width, s.height, s.fit]
    gr.on(
        [c.change for c in sizes],
        events.photo.placement,
        sizes,
        [s.layout],
        queue=False,
        trigger_mode="always_last",
        api_visibility="private",
    )
    reads = [s.width, s.height, inputs.photo_w, inputs.photo_h, *_estimate(inputs, s)]
    s.layout.change(inputs=[s.anchors, *reads], outputs=[inputs.size_info, *s.marks], **in_browser("fromLayout"))

    def zoom(value: Any, photo_width: Any, zoom: Any) -> Any:
        kept = events.photo.zoom(value, photo_width, zoom)
        return gr.skip() if kept is None else kept

    s.layout.change(zoom, [s.layout, inputs.photo_w, s.zoom], [s.zoom], queue=False, api_visibility="private")
    gr.on(
        [c.input for c in s.marks],
        inputs=[*s.marks, s.layout, s.anchors],
        outputs=[s.anchors],
        **in_browser("fromMarks"),
    )
