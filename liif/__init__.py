"""LIIF: any-size image super-resolution with a Local Implicit Image Function (Chen et al., CVPR 2021).

>>> import liif
>>> model = liif.load_model()                       # bundled EDSR-baseline-LIIF
>>> picture = liif.load_picture("photo.jpg")
>>> grid = liif.encode(model, picture.rgb)          # the image as a grid of latent codes
>>> rgb = liif.render(model, grid, 1920, 1080)      # (1080, 1920, 3) floats in [0, 1]
>>> liif.upscale("photo.jpg", 1920, 1080, fit="fill").save("big.png")  # the whole pipeline, model chosen

The layers, bottom to top, each importing only those below it: ``errors``; ``core`` (the network and its
maths) and ``io`` (photos in and out); ``weights``; ``pipeline`` (one upscale); ``views``; the CLI and engines.
"""

from liif.core.grid import LatentGrid, encode, encode_views
from liif.core.model import LIIF
from liif.core.query import local_ensemble, query_points
from liif.core.reference import reference_query, reference_render
from liif.core.render import iter_rows, render
from liif.errors import ImageError, LiifError, WeightsError
from liif.io.images import Picture, load_picture
from liif.io.output import write_rows
from liif.pipeline import upscale
from liif.weights.sources import DEFAULT_MODEL, MODEL_NAMES, load_model, resolve

__all__ = [
    "DEFAULT_MODEL",
    "LIIF",
    "MODEL_NAMES",
    "ImageError",
    "LatentGrid",
    "LiifError",
    "Picture",
    "WeightsError",
    "encode",
    "encode_views",
    "iter_rows",
    "load_model",
    "load_picture",
    "local_ensemble",
    "query_points",
    "reference_query",
    "reference_render",
    "render",
    "resolve",
    "upscale",
    "write_rows",
]
