"""How it works: the latent grid as a picture, one point's four codes, and cell decoding on ground truth."""

from __future__ import annotations

import numpy as np
from PIL import Image

from demo.components import refuse
from demo.events.common import (
    AUTO,
    LARGEST_INDEX,
    STANDARD,
    STRETCH,
    Context,
    finite,
    need_image,
    on_photo,
    user_errors,
    waited_for,
)
from liif.io.images import to_uint8
from liif.pipeline.condition import PAPER_MODEL, REAL_MODEL
from liif.views.explain import cell_study, code_change, draw_point_query, explain_pixel

CELL_REGION = 192  # side of the photo region the cell study downscales and brings back


def _rgb(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


class Explain:
    def __init__(self, context: Context) -> None:
        self.context = context

    @user_errors
    @waited_for
    def latent_grid(
        self, image: str | None, model: str | None = None
    ) -> tuple[Image.Image, Image.Image, Image.Image | None, str]:
        """The input beside its latent grid drawn as a picture (PCA of the codes), both at input resolution, and
        where LIIF for real photos' codes differ from the paper's (None where only one of them is offered)."""
        bench = self.context.workbench
        key, picture = bench.picture(need_image(image))
        name, _ = bench.choose_model(model, key, picture)
        grid = bench.encode_picture(key, picture, name).grid
        status = f"{grid.width}×{grid.height} codes of {grid.channels} numbers: one per input pixel ({name})."
        change = None
        if {PAPER_MODEL, REAL_MODEL} <= set(bench.available_models()):
            paper, real = (bench.encode_picture(key, picture, m).grid for m in (PAPER_MODEL, REAL_MODEL))
            heat, top = code_change(paper, real)
            change = Image.fromarray(heat)
            status += (
                f" The two models' codes of this photo differ by up to {top:.2f} (yellow; black: the same): LIIF for "
                "real photos changed the codes where a JPEG's blocks or noise are."
            )
        return picture.rgb_image(), Image.fromarray(bench.latent_picture(grid)), change, status

    @user_errors
    @waited_for
    def point(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        x: float = 0.0,
        y: float = 0.0,
        fit: str = STRETCH,
    ) -> tuple[Image.Image, str]:
        """The four codes behind output pixel (x, y): a drawing over the latent grid and a table, all in (x, y)."""
        job = self.context.job(image, width, height, model, AUTO, STANDARD, fit)
        encoded, width, height, placement = job.encoded, job.width, job.height, job.placement
        px, py = (int(finite(f"Pixel {axis}", v, -LARGEST_INDEX, LARGEST_INDEX)) for axis, v in (("x", x), ("y", y)))
        if not (0 <= px < width and 0 <= py < height):
            raise refuse(f"The point must lie inside the {width}×{height} output.")
        if not placement.on_photo(px + 0.5, py + 0.5):
            raise refuse(f"Pixel ({px}, {py}) is in fit's margins, not on the photo: pick one on it.")
        rx, ry = placement.to_render(px, py)  # whole pixels: the layout moves by whole pixels
        query = explain_pixel(encoded.model, encoded.grid, int(rx), int(ry), *placement.render)
        drawing = draw_point_query(self.context.workbench.latent_picture(encoded.grid), query)
        lines = [
            f"Output pixel ({px}, {py}) sits at ({query.point[0]:.2f}, {query.point[1]:.2f}) on the latent grid.",
            "",
            "| latent cell (x, y) | offset from its centre (x, y), cells | weight | its RGB |",
            "|---|---|---|---|",
        ]
        for (row, col), (dy, dx), weight, rgb in zip(
            query.cells, query.offsets, query.weights, query.predictions, strict=True
        ):
            lines.append(f"| ({col}, {row}) | ({dx:+.2f}, {dy:+.2f}) | {weight:.3f} | {_rgb(rgb)} |")
        lines += [
            "",
            f"Weights sum to **{query.weights.sum():.4f}**; the blend is **{_rgb(query.colour)}**, "
            "the rendered pixel's colour.",
        ]
        return drawing, "\n".join(lines)

    @user_errors
    @waited_for
    def cell(
        self,
        image: str | None,
        width: float | None,
        height: float | None,
        model: str | None = None,
        centre_x: float = 0.0,
        centre_y: float = 0.0,
        scale: float = 2,
        pretend: float = 4,
        fit: str = STRETCH,
    ) -> tuple[tuple[Image.Image, Image.Image], Image.Image, str]:
        """Cell decoding on ground truth: the photo around the crop centre, downscaled by ``scale`` and
        brought back by LIIF with the true cell and with one ``pretend`` times smaller, scored against it."""
        job = self.context.job(image, width, height, model, AUTO, STANDARD, fit)
        picture = job.picture
        scale = round(finite("The scale", scale, 2, 12))
        pretend = finite("The pretended scale", pretend, 1, 8)
        cx, cy = on_photo(centre_x, centre_y, job)
        if min(picture.width, picture.height) < scale:
            raise refuse(
                f"The cell study shrinks the photo by ×{scale}: this {picture.width}×{picture.height} photo needs at "
                f"least {scale} px on each side."
            )
        side = min(CELL_REGION, picture.width, picture.height)
        left = min(max(round(cx - side / 2), 0), picture.width - side)
        top = min(max(round(cy - side / 2), 0), picture.height - side)
        region = picture.rgb_image().crop((left, top, left + side, top + side))
        try:
            study = cell_study(job.encoded.model, region, scale, pretend, precision=job.precision)
        except ValueError as exc:
            raise refuse(str(exc)) from None
        picture_of_change, brightest = study.difference()
        status = (
            f"A {side}×{side} px region of the photo at ({left}, {top}), downscaled ×{scale} and brought back: "
            f"PSNR against the region **{study.psnr_true:.2f} dB** with the true cell, "
            f"**{study.psnr_small:.2f} dB** with a cell {pretend:g}× smaller. The map: the change, black for none, "
            f"brightest for {255 * brightest:.1f} levels of 255 or more (mean {255 * study.change().mean():.2f})."
        )
        pictures = (Image.fromarray(to_uint8(study.true_cell)), Image.fromarray(to_uint8(study.small_cell)))
        return pictures, Image.fromarray(picture_of_change), status
