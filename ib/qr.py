"""The referral link of an IB and its QR code image.

The link is the portal's sign-up page with `?invite=<code>`, absolute, from `settings.PORTAL_URL`
(the portal keeps the code through e-mail and Google sign-up). The QR code is an SVG drawn by the
`qrcode` library (pure Python, no imaging library), served at a public URL per code, cached: the
image of a code only changes when the portal's address does, and the cache key says which address.
"""

from __future__ import annotations

import hashlib
import io
from urllib.parse import urlencode

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from ib.models import IbProfile

QR_CACHE_SECONDS = 24 * 60 * 60
QR_BORDER = 4  # the quiet zone the standard asks for, in modules


def portal_url(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def referral_link(code: str) -> str:
    """Where a prospect signs up as a client of the IB with this code."""
    return portal_url(reverse("account_signup")) + "?" + urlencode({"invite": code})


def referral_qr_url(code: str) -> str:
    return portal_url(reverse("ib_referral_qr", args=[code]))


def qr_svg(text: str) -> bytes:
    """A QR code of `text` as an SVG document (white background, black modules, medium error correction)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=QR_BORDER)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgFillImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def referral_qr_svg(code: str) -> bytes:
    link = referral_link(code)
    key = "ib:referral-qr:" + hashlib.sha256(link.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = qr_svg(link)
        cache.set(key, svg, QR_CACHE_SECONDS)
    return svg


@require_GET
def referral_qr_view(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code image of an IB's referral link. Public, as the link itself is: it goes on flyers."""
    code = code.upper()
    if len(code) > 16 or not IbProfile.objects.filter(referral_code=code).exists():
        raise Http404
    response = HttpResponse(referral_qr_svg(code), content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={QR_CACHE_SECONDS}"
    response["Content-Disposition"] = f'inline; filename="referral-{code}.svg"'
    return response
