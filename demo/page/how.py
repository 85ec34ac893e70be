"""The How it works tab: the latent grid as a picture, a point's four codes, cell decoding, and the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from demo.components import ChoiceRadio
from demo.page.result import POINT
from demo.page.shared import Shared, captioned_image
from demo.page.text import CELL_HINT, HOW_IT_WORKS
from demo.page.wiring import Wiring


@dataclass
class HowTab:
    tab: Any
    show_grid: Any
    grid_outputs: list[Any]
    explain: Any
    point_outputs: list[Any]
    cell_scale: Any
    pretend: Any
    cell_button: Any
    cell_outputs: list[Any]


def render(shared: Shared) -> HowTab:
    with gr.Tab("How it works", elem_id="how-tab") as tab:
        with gr.Row():
            show_grid = gr.Button("Show the latent grid", elem_id="show-grid", interactive=False)
            shared.explain_x.render()
            shared.explain_y.render()
            explain = gr.Button("Explain this pixel", interactive=False)
        with gr.Row():
            with gr.Column(min_width=280):
                grid_input = captioned_image("Input photo")
            with gr.Column(min_width=280):
                grid_picture = captioned_image(
                    "Its latent grid (64 numbers per pixel, PCA to RGB)", elem_id="latent-grid"
                )
            with gr.Column(min_width=280):
                grid_change = captioned_image(
                    "Where LIIF for real photos holds it otherwise than the paper's LIIF", elem_id="grid-change"
                )
        grid_status = gr.Markdown(elem_classes="status", elem_id="grid-status")
        with gr.Row():
            with gr.Column(min_width=280):
                point_picture = captioned_image(
                    "The 4 latent cells behind the point (red), with weights", elem_id="point-picture"
                )
            point_table = gr.Markdown(elem_id="point-table")
        gr.Markdown("### Cell decoding: does the pixel size matter?")
        with gr.Row():
            cell_scale = ChoiceRadio(
                [2, 3, 4, 6, 12], value=2, label="Cell scale", info="Shrink the region by", elem_id="cell-scale"
            )
            pretend = gr.Slider(1, 8, value=4, step=0.5, label="Smaller cell: as if the output were ×k larger")
            cell_button = gr.Button("Compare the cells", elem_id="cell-button", interactive=False)
        with gr.Row():
            with gr.Column(min_width=280):
                gr.Markdown("True cell ◀ drag ▶ smaller cell", elem_classes="caption")
                cell_slider = gr.ImageSlider(
                    show_label=False, elem_id="cell-slider", format="png", type="pil", max_height=360
                )
            with gr.Column(min_width=280):
                cell_difference = captioned_image(
                    "Where the cell changes the colour: black not at all, yellow most",
                    elem_id="cell-difference",
                    height=360,
                )
        cell_status = gr.Markdown(elem_classes="status", elem_id="cell-status")
        gr.Markdown(CELL_HINT, elem_classes="hint")
        gr.Markdown(HOW_IT_WORKS, elem_id="how-text")
    shared.actions += [show_grid, explain, cell_button]
    return HowTab(
        tab,
        show_grid,
        [grid_input, grid_picture, grid_change, grid_status],
        explain,
        [point_picture, point_table],
        cell_scale,
        pretend,
        cell_button,
        [cell_slider, cell_difference, cell_status],
    )


def wire(view: HowTab, shared: Shared, wiring: Wiring) -> None:
    """The grid on a click; a point when explained or clicked in *explain a point*; the cell study when the
    tab is opened and after a render while it is open."""
    explain = wiring.events.explain
    s = shared
    view.show_grid.click(
        explain.latent_grid, [s.photo, s.model], view.grid_outputs, api_name="latent_grid", **wiring.quick
    )
    point_inputs = [s.photo, s.width, s.height, s.model, *s.point, s.fit]
    view.explain.click(explain.point, point_inputs, view.point_outputs, api_name="explain", **wiring.quick)
    cell_inputs = [s.photo, s.width, s.height, s.model, *s.centre, view.cell_scale, view.pretend, s.fit]
    view.cell_button.click(explain.cell, cell_inputs, view.cell_outputs, api_name="cell", **wiring.quick)
    view.tab.select(explain.cell, cell_inputs, view.cell_outputs, **wiring.private)

    def cell_while_open(shown: str, *args: Any) -> Any:
        return explain.cell(*args) if shown == view.tab.label else gr.skip()

    def point_after_click(mode: str, *args: Any) -> Any:
        return explain.point(*args) if mode == POINT else gr.skip()

    follow = wiring.after_render(cell_while_open)
    s.rendered.success(follow, [s.open_tab, *cell_inputs], view.cell_outputs, **wiring.private)
    wiring.after_click(point_after_click, [s.click_mode, *point_inputs], view.point_outputs)
