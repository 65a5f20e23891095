"""The customer's signature drawn on the technician's phone (REP-6): a real, non-empty PNG image.

The page's signature pad (the ``signature_pad`` npm package) posts the drawing as a ``data:image/png;base64``
URL. The server decodes it, reads it with Pillow (a forged or truncated file fails here), and refuses a
blank pad: fewer than ``MIN_INK_PIXELS`` drawn pixels is not a signature.
"""

from __future__ import annotations

import base64
import binascii
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MIN_INK_PIXELS = 60
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def decode_signature(data: str | bytes) -> bytes:
    """The PNG bytes of a signature posted as a data URL (or raw PNG bytes); ``ValidationError`` otherwise."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(data, str):
        header, _sep, payload = data.strip().partition(",")
        if not header.startswith("data:image/png;base64") or not payload:
            raise ValidationError(_("The signature is not an image; ask the customer to sign again."),
                                  code="signature_not_image")
        try:
            raw = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(_("The signature is not an image; ask the customer to sign again."),
                                  code="signature_not_image") from None
    else:
        raw = data
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The signature image is too large."), code="signature_too_large")
    if not raw.startswith(PNG_MAGIC):
        raise ValidationError(_("The signature is not an image; ask the customer to sign again."),
                              code="signature_not_image")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            ink = _ink_pixels(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The signature is not an image; ask the customer to sign again."),
                              code="signature_not_image") from None
    if ink < MIN_INK_PIXELS:
        raise ValidationError(_("The signature is empty: the customer must sign on the screen."),
                              code="signature_empty")
    return raw


def _ink_pixels(image) -> int:
    """Pixels that carry ink: opaque on a transparent pad, or dark on a white one."""
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    if alpha.getextrema()[0] < 255:  # a transparent background: count what was drawn
        return sum(alpha.point(lambda a: 255 if a > 64 else 0).histogram()[255:])
    gray = rgba.convert("L")
    return sum(gray.point(lambda v: 255 if v < 160 else 0).histogram()[255:])
