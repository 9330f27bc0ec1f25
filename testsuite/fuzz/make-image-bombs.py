#!/usr/bin/env python3
"""Writes image bombs: small files whose headers claim huge images.

    make-image-bombs.py DIR [--full]    the bare files
    make-image-bombs.py --corpus DIR    as fuzz seeds (four chunking bytes,
                                        then the file) into DIR/image_<decoder>/
                                        and DIR/image_sniffing/

Each file is valid as far as its data goes. The baseline JPEG's data stops
after a few hundred bytes unless --full is given: then it carries every
block (6 MB), so that a decoder that accepts its header really produces 1.6
gigapixels (the scanimage test serves it). The G4 TIFF always carries every
line (8 KB). Written from the format specifications (ITU-T T.81 for JPEG,
the PNG specification, TIFF 6.0 with ITU-T T.6 for G4, Microsoft's
BITMAPINFOHEADER): no image library is needed.
"""
import os
import struct
import sys
import zlib


def marker(code, payload=b""):
    return struct.pack(">BBH", 0xFF, code, len(payload) + 2) + payload if payload or code not in (0xD8, 0xD9) \
        else bytes([0xFF, code])


def jpeg_tables(progressive_dc_only):
    dqt = marker(0xDB, b"\x00" + b"\x01" * 64)
    # One code, "0", for symbol 0: a DC difference of 0, and (AC) end of block.
    one_code = bytes([1] + [0] * 15) + b"\x00"
    dht = marker(0xC4, b"\x00" + one_code + (b"" if progressive_dc_only else b"\x10" + one_code))
    return dqt, dht


def progressive_jpeg(width, height):
    """SOF2, 4:2:0: a decoder buffers every coefficient before the first line."""
    dqt, dht = jpeg_tables(True)
    sof = marker(0xC2, struct.pack(">BHHB", 8, height, width, 3) + bytes([1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0]))
    # The first DC scan of all three components; each block's DC code is one bit.
    sos = marker(0xDA, bytes([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0]))
    return marker(0xD8) + dqt + sof + dht + sos + bytes(480) + marker(0xD9)


def baseline_jpeg(width, height, full):
    """SOF0, gray: every 8x8 block is two bits (DC 0, end of block)."""
    dqt, dht = jpeg_tables(False)
    sof = marker(0xC0, struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0]))
    sos = marker(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    data = bytes((blocks * 2 + 7) // 8) if full else bytes(480)
    return marker(0xD8) + dqt + sof + dht + sos + data + (marker(0xD9) if full else b"")


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def interlaced_png(width, height):
    """Adam7, RGB: rows come out only after the last pass, so a decoder
    buffers the whole image. The data stops after 1 MiB of zero rows."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1)
    deflate = zlib.compressobj(9)
    idat = deflate.compress(bytes(1 << 20)) + deflate.flush(zlib.Z_SYNC_FLUSH)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)


def g4_tiff(width, height):
    """Bilevel, CCITT T.6: an all-white line is one bit (vertical mode V0),
    so a few bytes decode to many wide lines."""
    strip = b"\xff" * ((height + 7) // 8)
    entries = [
        (256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 4), (262, 3, 0),
        (273, 4, None), (277, 3, 1), (278, 4, height), (279, 4, len(strip)),
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    strip_offset = 8 + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        value = strip_offset if value is None else value
        packed = struct.pack("<HI", value, 0)[:4] if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, 1) + packed
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + strip


def bottom_up_dib(width, height):
    """BMP, 24 bit, bottom up: a decoder keeps the whole pixel array to turn it."""
    stride = (width * 3 + 3) // 4 * 4
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, stride * height & 0xFFFFFFFF, 2835, 2835, 0, 0)
    header = b"BM" + struct.pack("<IHHI", (14 + 40 + stride * height) & 0xFFFFFFFF, 0, 0, 14 + 40)
    return header + info + bytes(480)


def main():
    args = sys.argv[1:]
    if not args or (args[0].startswith("-") and args[0] != "--corpus") or (args[0] == "--corpus" and len(args) != 2):
        sys.exit(__doc__)
    corpus = args[0] == "--corpus"
    out = args[1] if corpus else args[0]
    full = "--full" in args[1:]
    bombs = {  # name: (file, fuzz target)
        "bomb-progressive-40000.jpg": (progressive_jpeg(40000, 40000), "image_jpeg"),
        "bomb-baseline-40000.jpg": (baseline_jpeg(40000, 40000, full), "image_jpeg"),
        "bomb-interlaced-18000.png": (interlaced_png(18000, 18000), "image_png"),
        "bomb-g4-65298x63739.tif": (g4_tiff(65298, 63739), "image_tiff"),
        "bomb-bottom-up-18000.bmp": (bottom_up_dib(18000, 18000), "image_dib"),
    }
    for name, (data, target) in bombs.items():
        if corpus:
            for directory in (target, "image_sniffing"):
                os.makedirs(os.path.join(out, directory), exist_ok=True)
                with open(os.path.join(out, directory, name + ".seed"), "wb") as f:
                    f.write(b"\x05\x00\x00\x00" + data)
        else:
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
