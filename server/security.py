"""Security headers on every response: pages load nothing from another host, cannot be framed, and are not
sniffed into another type.

The Content-Security-Policy allows scripts, styles, images, fonts and fetches from this server only. Inline
styles are allowed (YASGUI and CodeMirror set them); inline scripts are not: the templates carry data in
`<script type="application/json">` blocks, which are never executed. Data shown on pages is escaped by Jinja's
autoescaping, so a `<script>` in a label is text.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
