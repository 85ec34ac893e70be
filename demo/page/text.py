"""All the words the page shows, in one place: headings, hints under each view, the How it works text."""

from liif.weights.sources import DEFAULT_MODEL, REAL_PHOTOS_MODEL

CLICK_MODES = [("move the crop", "crop"), ("set the line's ends", "line"), ("explain a point", "point")]
NO_PHOTO = "No photo yet: upload, paste or pick one."
QUALITY_INFO = (
    "LIIF+: the photo's 8 flips and turns averaged and the render back-projected onto the photo (whole "
    "renders only; crops and the line show the averaged views, the result view's tiles standard LIIF)"
)
RESULT_CAPTION = (
    "### Result · scroll or pinch to zoom, drag to pan; a click picks the crop centre, a line's end or a point"
)
FITS = [
    ("Stretch", "stretch"),
    ("Fill: crop", "fill"),
    ("Fit: pad", "fit"),
]  # (label, value): liif.pipeline.layout.FITS
FIT_INFO = (
    "Another shape than the photo's: stretch changes its shape, fill crops its edges, fit pads it; the result "
    "shows which before the click."
)
DOWNLOAD_FORMATS = [("PNG", "PNG"), ("JPEG", "JPEG"), ("WebP", "WEBP")]  # (label, PIL format)
DOWNLOAD_QUALITY = "JPEG / WebP quality (PNG: lossless)"

INTRO = """
# Look at a photo at any size
Upscale a photo to an **exact** width × height with **LIIF** (Local Implicit Image Function, CVPR 2021):
the photo becomes a grid of latent codes, and a small network returns the colour at *any* continuous
point, so any size works, even a different scale across and down. Compare it with bicubic up close,
and follow the colour signal along a line.
"""

PRECISION_INFO = "Auto: the fastest arithmetic this machine has. Exact: 32-bit floats at every pixel, as the paper."
PHOTO_INFO = "Auto reads the photo: a JPEG below quality 90, or a noisy photo, gets LIIF for real photos."
MODEL_LABELS = {  # the models' names on the page; any other model shows its own name
    DEFAULT_MODEL: "Clean: the paper's LIIF",
    REAL_PHOTOS_MODEL: "Compressed or noisy: LIIF for real photos",
    "rdn-liif": "Clean, RDN-LIIF (slower)",
}
AUTO_LABEL = "Auto: from the photo"


VIEWER = """
<div class="dz">
  <div class="dz-bar">
    <button class="dz-fit" type="button">Fit</button>
    <label>Compare <select class="dz-swipe">
      <option value="off">off: LIIF only</option>
      <option value="bicubic">bicubic ◀ ▶ LIIF</option>
      <option value="nearest">the photo's pixels ◀ ▶ LIIF</option>
    </select></label>
    <span class="dz-info"></span>
  </div>
  <div class="dz-stage dz-empty">
    <div class="dz-view"></div>
    <canvas class="dz-overlay"></canvas>
    <div class="dz-divider" hidden><span>◀ ▶</span></div>
    <div class="dz-progress" hidden><div class="dz-bar-track"><div class="dz-bar-done"></div></div><span></span></div>
  </div>
  <div class="dz-where"></div>
</div>
"""

RESULT_HINT = (
    "The photo shows at once; after **Upscale** the result is drawn over it (the bicubic preview first, LIIF "
    "painted over it band by band), and zooming in past the result's own pixels renders LIIF tiles from the "
    "photo's latent grid, down to ×32 of the photo. *Compare* puts bicubic or the photo's own pixels left of a "
    "divider you can drag. Under fill the part cut off is dimmed; under fit the margins are drawn."
)

COMPARE_HINT = (
    "The same crop three ways: drag the divider between bicubic and LIIF, nearest shows the photo's own "
    "pixels. Look at leaf edges and twigs: bicubic turns them into soft halos, LIIF keeps them as lines."
)

LINE_HINT = (
    "Solid: LIIF; dashed: bicubic; circles: the photo's own pixels where the line crosses them. The steeper "
    "the rise across the edge, the sharper it is; the edge width under the plot says by how much."
)

SWEEP_HINT = (
    "The crop's spot at ever higher zoom, as a window of a render that large. LIIF was trained on ×1–×4; "
    "beyond that it extrapolates, yet it stays continuous: edges stay edges, where nearest turns them into "
    "blocks and bicubic into blur. Past ×8 it adds no detail: under auto those windows are its ×8 image "
    "enlarged, and the status line says how close that is to LIIF rendered there exactly."
)

CELL_HINT = (
    "LIIF is told how large an output pixel is (its *cell*). Here a region of the photo is shrunk, brought "
    "back with the true cell and with a smaller one, and both are scored against the original; the map shows "
    "where the cell changes the colour, brightest where it changes most (the status says how much that is): at "
    "edges and fine texture, most at ×2–×6, hardly at ×12."
)

HOW_IT_WORKS = """
## How LIIF represents your photo

**The task.** *Arbitrary-scale single-image super-resolution*: from one photo, make a larger (or smaller)
one at any size, including different scales across and down, with detail that looks real rather than
blurred.

**The workflow.** input photo → **encoder** (a CNN, EDSR-baseline) → **latent grid**: one code of 64
numbers per input pixel → for each output pixel, a small **MLP** is asked for the colour at that pixel's
centre, a *continuous* coordinate, together with the pixel's size (the **cell**) → the output pixels.
The network never sees the output grid: any size is just a different set of questions.

1. **This grid is the image now.** The picture on the right shows the 64 numbers of every code, squeezed
   to 3 colours by PCA. Edges and textures survive in it: each code describes its neighbourhood, not just
   one colour.
2. **A point's query.** Click a point on the result (mode *explain a point*). The 4 latent cells around it
   each predict a colour from their code (with their 8 neighbours) and the point's offset from the cell
   centre; the 4 predictions are blended, each weighted by the area of the rectangle between the point and
   the *opposite* cell (the *local ensemble*), so colours change smoothly across cell borders. The weights
   sum to 1 and their blend is exactly the rendered pixel.
3. **Cell decoding.** The MLP is also told how large the output pixel is. Above, a region of the photo is
   shrunk and brought back twice: with the true cell, and with a cell that pretends the output is several
   times larger. Asked for a smaller area, the MLP answers with a sharper, sometimes over-sharpened,
   colour; scored against the real photo, the true cell wins, by most at ×2–×6 and hardly at ×12 (the
   paper's ablation, LIIF against LIIF without the cell, finds it helps at the scales it was trained on).
4. **Where the detail stops.** Detail comes from the latent codes up to about the training range; well
   past it the function LIIF draws is smooth, so sampling it more densely adds pixels, not detail. Measured
   on the example photos (`benchmarks/bench_detail.py`): LIIF at ×8 enlarged by a cubic filter is 59 dB
   from LIIF rendered exactly at ×12, 55 dB at ×16 and 50 dB at ×32 (no one can see that apart), and no worse
   against the real photo; at ×4 from ×2 it is 45 dB and visibly softer. So *auto* renders LIIF up to ×8 of
   the photo and enlarges past it (the status line says so; the *Sweep* tab shows it at your spot), and
   *exact* renders every pixel.
5. **A continuous signal.** In the *Line* tab (RGB along a line), LIIF is sampled about four times per output pixel: its
   curve is smooth because the MLP is a smooth function of the offset and the ensemble blends across
   borders, yet edges stay steep because the codes know where an edge lies. Bicubic is one fixed kernel
   for the whole image: it spreads an edge over about four input pixels and overshoots beside strong
   edges (ringing).

**What it can and cannot do.** The model learned, on the DIV2K photos, to undo *bicubic downsampling* at
×1–×4. It restores sharp edges and plausible fine texture such as leaves at modest scales, and works at any
scale, but far beyond ×4 it adds smoothness, not new detail. It was never shown JPEG artefacts, noise,
blur, film grain or scratches: on an old or compressed photo these are enlarged faithfully, sometimes
sharpened, not removed. It does not know what objects are.

**Sources.** Yinbo Chen, Sifei Liu, Xiaolong Wang, *Learning Continuous Image Representation with Local
Implicit Image Function*, CVPR 2021, [arXiv 2012.09161](https://arxiv.org/abs/2012.09161); code and weights
[github.com/yinboc/liif](https://github.com/yinboc/liif).

**Related work.**
- *FeatSharp* ([arXiv 2502.16025](https://arxiv.org/abs/2502.16025)) upsamples the low-resolution feature
  maps of vision models: the same wish for detail at a higher resolution, for features instead of pixels.
- *Mask2Alpha* ([arXiv 2502.17093](https://arxiv.org/abs/2502.17093)) recovers fine detail in image matting
  by progressive refinement: detail added stage by stage, where LIIF queries one continuous function.
- *Visual memory* ([arXiv 2408.08172](https://arxiv.org/abs/2408.08172),
  [github.com/google-deepmind/visual-memory](https://github.com/google-deepmind/visual-memory)) keeps
  visual knowledge in a searchable database instead of in the weights; LIIF keeps it in its weights and, per
  image, in the latent grid.
"""
