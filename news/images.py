"""Uploaded photos for news: checked with Pillow, re-encoded as JPEG in three sizes.

Only JPEG, PNG and WebP that Pillow can open within a pixel limit are accepted. Every rendition is
re-encoded under a generated name, which drops EXIF (GPS), comments and anything appended to the
file (polyglots); the uploader's file and name are never stored.
"""

from __future__ import annotations

import io
import struct
import uuid
import warnings

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# Rendition name -> maximum width in pixels.
RENDITIONS: dict[str, int] = {"detail": 1600, "listing": 600, "printed": 1000}
JPEG_QUALITY = 85

# Pillow warns above this many pixels and refuses above twice as many; we turn the warning into an
# error too (see _open), so anything above MAX_PIXELS is refused.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_BROKEN = (
    OSError,  # includes UnidentifiedImageError
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


class NewsError(Exception):
    """A problem with a news action, told to the person; `field` names the form field, if any.

    Defined here so news.images does not depend on news.services; import it from news.services.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class ImageError(NewsError):
    """An upload that is not a photo we can use."""


def _not_a_photo() -> ImageError:
    return ImageError(_("This file is not a photo we can use (JPEG, PNG or WebP)."), field="images")


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ImageError(_("This photo is too large: at most 10 MB."), field="images")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(_("This photo is too large: at most 10 MB."), field="images")
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def _open(data: bytes) -> Image.Image:
    """Open, verify, reopen and load; any failure or a too-large image is an ImageError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise _not_a_photo()
                probe.verify()
            img = Image.open(io.BytesIO(data))
            if img.format not in ACCEPTED_FORMATS:
                raise _not_a_photo()
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(
                _("This photo has too many pixels (at most 40 megapixels). Make it smaller first."),
                field="images",
            ) from None
        except _BROKEN:
            raise _not_a_photo() from None
    return img


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent parts become white."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        img = img.point(lambda v: v / 256).convert("L") if img.mode != "F" else img.convert("L")
    return img.convert("RGB")


def _encode(img: Image.Image, max_width: int, name: str) -> ContentFile:
    if img.width > max_width:
        height = max(1, round(img.height * max_width / img.width))
        img = img.resize((max_width, height), Image.Resampling.LANCZOS)
    # Pillow carries some metadata (the JPEG comment, the ICC profile) from `info` into a new file;
    # clear it, and pass no exif=: the new file carries only the pixels.
    img = img.copy() if img.info else img
    img.info = {}
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=name)


def process_image(upload) -> dict[str, ContentFile]:
    """Check an upload and return re-encoded JPEG renditions: {"detail", "listing", "printed"}.

    Raises ImageError (a NewsError, with a message for the person) for anything that is not a
    JPEG, PNG or WebP within 10 MB and 40 megapixels.
    """
    data = _read(upload)
    img = _open(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = ImageOps.exif_transpose(img) or img
            rgb = _to_rgb(img)
            stem = uuid.uuid4().hex
            return {size: _encode(rgb, width, f"{stem}-{size}.jpg") for size, width in RENDITIONS.items()}
    except _BROKEN:
        raise _not_a_photo() from None
    finally:
        img.close()
