"""What a download is called (RFC 6266), and whether a page view is the citizen's own act."""

import unicodedata
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from services.box.messages.records import Attachment

NO_DECOMPOSITION = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Đ": "D", "đ": "d"}
)
"""Letters that Unicode does not decompose into a base letter and a mark."""


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII name for old clients and the real one as `filename*`
    (UTF-8, percent-encoded): a name like `beschikking Łódź.pdf` cannot go in a header as is."""
    plain = unicodedata.normalize("NFKD", filename.translate(NO_DECOMPOSITION))
    ascii_name = "".join(c for c in plain if " " <= c <= "~" and c not in '"\\') or "bijlage"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(attachment: Attachment) -> Response:
    headers = {"Content-Disposition": content_disposition(attachment.filename)}
    return Response(attachment.content, media_type=attachment.content_type, headers=headers)


def own_navigation(request: Request) -> bool:
    """A page view that opens a message: from this site or typed/bookmarked (`Sec-Fetch-Site`
    same-origin or none; a browser that sends no such header is taken at its word), and never
    a prefetch. Message ids are predictable, so another site must not "open" one."""
    site = request.headers.get("sec-fetch-site", "none")
    prefetch = "prefetch" in request.headers.get("sec-purpose", "") + request.headers.get("purpose", "")
    return site in ("same-origin", "none") and not prefetch
