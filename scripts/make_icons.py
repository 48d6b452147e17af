#!/usr/bin/env python3
"""Draws Longbox's icons into public/: the PNG icons of the web app manifest (192 and 512 px,
plus a maskable 512 px one), favicon.ico (16/32/48 px PNGs) and favicon.svg.

Python's standard library only (zlib, struct), so anyone can re-run it: `python3
scripts/make_icons.py`. The outputs are committed; this script is how they were made.

The picture: a comic long box (the cardboard box collectors file comics in) with three comics
standing in it, white and amber on the UI's accent blue.
"""

import pathlib
import struct
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "public"

BLUE = (0x2F, 0x6F, 0xDE)   # --accent in style/main.css
WHITE = (0xFF, 0xFF, 0xFF)
AMBER = (0xFF, 0xB0, 0x00)  # --focus
PALE = (0xC9, 0xDA, 0xF8)

# The drawing, in units of a 1×1 square: (x0, y0, x1, y1, corner radius, colour), painted in
# order. Kept inside the central 0.8 of the square, the safe zone of a maskable icon.
SHAPES = [
    (0.30, 0.22, 0.40, 0.52, 0.02, AMBER),  # comics standing in the box
    (0.43, 0.27, 0.53, 0.52, 0.02, WHITE),
    (0.56, 0.24, 0.66, 0.52, 0.02, PALE),
    (0.22, 0.46, 0.78, 0.78, 0.04, WHITE),  # the box
    (0.40, 0.56, 0.60, 0.62, 0.03, BLUE),   # its hand hole
]


def rounded_span(y, x0, y0, x1, y1, r):
    """The x range a rounded rectangle covers on the horizontal line y, or None."""
    if y < y0 or y >= y1:
        return None
    dy = 0.0
    if y < y0 + r:
        dy = y0 + r - y
    elif y > y1 - r:
        dy = y - (y1 - r)
    inset = r - (max(r * r - dy * dy, 0.0)) ** 0.5 if dy else 0.0
    return x0 + inset, x1 - inset


def render(size, maskable):
    """RGBA rows of the icon at `size` px, drawn 4× larger and averaged (anti-aliasing)."""
    ss = 4
    n = size * ss
    transparent = bytes((*BLUE, 0))  # the background's colour, so edges average cleanly
    rows = [bytearray(transparent * n) for _ in range(n)]
    # A maskable icon fills the square (the launcher cuts its own shape); the other has
    # rounded corners of its own.
    background = (0.0, 0.0, 1.0, 1.0, 0.0 if maskable else 0.22, BLUE)
    for x0, y0, x1, y1, r, colour in [background, *SHAPES]:
        pixel = bytes((*colour, 255))
        for j in range(n):
            span = rounded_span((j + 0.5) / n, x0, y0, x1, y1, r)
            if span is None:
                continue
            a, b = round(span[0] * n), round(span[1] * n)
            if b > a:
                rows[j][4 * a : 4 * b] = pixel * (b - a)
    out = []
    for j in range(size):
        block = rows[j * ss : (j + 1) * ss]
        line = bytearray(4 * size)
        for c in range(4):
            # Channel c of the ss×ss samples under each output pixel, summed.
            parts = [row[4 * k + c :: 4 * ss] for row in block for k in range(ss)]
            line[c::4] = bytes((sum(t) + 8) // 16 for t in zip(*parts))
        out.append(bytes(line))
    return out


def png(rows):
    """A PNG file of RGBA rows."""
    height, width = len(rows), len(rows[0]) // 4

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + r for r in rows)  # filter type 0 on every line
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(pngs):
    """An ICO file holding PNG images (sizes below 256), as every current browser reads."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, data = b"", b""
    for size, blob in pngs:
        entries += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(blob), offset + len(data))
        data += blob
    return header + entries + data


def svg():
    """The same drawing as an SVG favicon."""
    hexc = lambda c: "#%02x%02x%02x" % c
    parts = [f'<rect width="100" height="100" rx="22" fill="{hexc(BLUE)}"/>']
    for x0, y0, x1, y1, r, colour in SHAPES:
        parts.append(
            f'<rect x="{x0 * 100:g}" y="{y0 * 100:g}" width="{(x1 - x0) * 100:g}" '
            f'height="{(y1 - y0) * 100:g}" rx="{r * 100:g}" fill="{hexc(colour)}"/>'
        )
    body = "".join(parts)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">{body}</svg>\n'


def main():
    (ROOT / "icons").mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (ROOT / "icons" / f"icon-{size}.png").write_bytes(png(render(size, False)))
    (ROOT / "icons" / "maskable-512.png").write_bytes(png(render(512, True)))
    (ROOT / "favicon.ico").write_bytes(ico([(s, png(render(s, False))) for s in (16, 32, 48)]))
    (ROOT / "favicon.svg").write_text(svg())


if __name__ == "__main__":
    main()
