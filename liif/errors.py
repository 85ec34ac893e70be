"""Errors a user can act on. Each message is one line; the CLI prints it and exits 2, the app shows it."""


class LiifError(Exception):
    """Base class for every error caused by input rather than by a bug."""


class ImageError(LiifError):
    """An input image cannot be read, or an output cannot be written."""


class WeightsError(LiifError):
    """Model weights cannot be found, fetched, verified or loaded."""
