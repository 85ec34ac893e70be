"""Upscaling a photo, the one way: the checked job (size, fit and pad, quality, precision, the model chosen for
the photo), LIIF's rows or LIIF+, placed and finished. :mod:`liif.pipeline.run` assembles it; layout (fit/fill),
refine (LIIF+'s back-projection) and condition (what the photo has been through) are its parts."""

from liif.pipeline.run import AUTO_MODEL, Band, Job, Models, Quality, Upscale, check, encode, upscale

__all__ = ["AUTO_MODEL", "Band", "Job", "Models", "Quality", "Upscale", "check", "encode", "upscale"]
