"""How it works: the latent grid as a picture, one point's four codes, and cell decoding on ground truth."""

from __future__ import annotations

import numpy as np
from PIL import Image

from demo.components import refuse
from demo.events.common import Context, finite, need_image, on_photo, user_errors, waited_for
from liif.explain import DIFFERENCE_GAIN, cell_study, draw_point_query, explain_pixel
from liif.imageio import to_uint8

CELL_REGION = 192  # side of the photo region the cell study downscales and brings back


def _rgb(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


class Explain:
    def __init__(self, context: Context) -> None:
        self.context = context

    @user_errors
    @waited_for
    def latent_grid(self, image: str | None, model: str | None = None) -> tuple[Image.Image, Image.Image, str]:
        """The input beside its latent grid drawn as a picture (PCA of the codes), both at input resolution."""
        bench = self.context.workbench
        encoded = bench.encode(need_image(image), bench.check_model(model or bench.config.default_model))
        grid = encoded.grid
        status = f"{grid.width}×{grid.height} codes of {grid.channels} numbers: one per input pixel"
        return encoded.picture.rgb_image(), Image.fromarray(bench.latent_picture(grid)), status

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
    ) -> tuple[Image.Image, str]:
        """The four codes behind output pixel (x, y): a drawing over the latent grid and a table."""
        job = self.context.job(image, width, height, model)
        encoded, width, height = job.encoded, job.width, job.height
        px, py = int(x or 0), int(y or 0)
        if not (0 <= px < width and 0 <= py < height):
            raise refuse(f"The point must lie inside the {width}×{height} output.")
        query = explain_pixel(encoded.model, encoded.grid, px, py, width, height)
        drawing = draw_point_query(self.context.workbench.latent_picture(encoded.grid), query)
        lines = [
            f"Output pixel ({px}, {py}) sits at ({query.point[0]:.2f}, {query.point[1]:.2f}) on the latent grid.",
            "",
            "| latent cell (row, col) | offset from its centre (dy, dx), cells | weight | its RGB |",
            "|---|---|---|---|",
        ]
        for (row, col), (dy, dx), weight, rgb in zip(
            query.cells, query.offsets, query.weights, query.predictions, strict=True
        ):
            lines.append(f"| ({row}, {col}) | ({dy:+.2f}, {dx:+.2f}) | {weight:.3f} | {_rgb(rgb)} |")
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
    ) -> tuple[tuple[Image.Image, Image.Image], Image.Image, str]:
        """Cell decoding on ground truth: the photo around the crop centre, downscaled by ``scale`` and
        brought back by LIIF with the true cell and with one ``pretend`` times smaller, scored against it."""
        job = self.context.job(image, width, height, model)
        picture, w, h = job.picture, job.width, job.height
        scale = round(finite("The scale", scale, 2, 12))
        pretend = finite("The pretended scale", pretend, 1, 8)
        cx, cy = on_photo(centre_x, centre_y, w, h, picture)
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
        change = float((study.true_cell - study.small_cell).abs().mean())
        status = (
            f"A {side}×{side} px region of the photo at ({left}, {top}), downscaled ×{scale} and brought back: "
            f"PSNR against the region **{study.psnr_true:.2f} dB** with the true cell, "
            f"**{study.psnr_small:.2f} dB** with a cell {pretend:g}× smaller "
            f"(mean change {change:.4f}; the map shows it ×{DIFFERENCE_GAIN})."
        )
        pictures = (Image.fromarray(to_uint8(study.true_cell)), Image.fromarray(to_uint8(study.small_cell)))
        return pictures, Image.fromarray(study.difference()), status
