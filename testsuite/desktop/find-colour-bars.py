#!/usr/bin/env python3
"""Finds wsd-sim's test-pattern colour bars in a screenshot.

The pattern's bars are, left to right: white, yellow, cyan, green, magenta,
red, blue, black, all the same width (testsuite/sim/test_pattern.h).  A
frontend shows them scaled and maybe blurred at the edges, so each row is
reduced to runs of saturated colours and searched for that sequence: the
seven coloured bars about as wide as each other, white at least half a bar
wide before them.  A match must hold on several consecutive rows.

usage: find-colour-bars.py [--min-bar PX] [--min-rows N] IMAGE.ppm
Reads a binary PPM (P6, 8 bits); prints one line per band of rows found
("bars at x=... y=...-... bar width ...") and exits 0, or exits 1 when the
bars are not in the image.
"""
import argparse
import sys

# (r, g, b) with each channel either off (0) or full (1).
SEQUENCE = ["white", "yellow", "cyan", "green", "magenta", "red", "blue", "black"]
COLOURS = {
    (1, 1, 1): "white", (1, 1, 0): "yellow", (0, 1, 1): "cyan", (0, 1, 0): "green",
    (1, 0, 1): "magenta", (1, 0, 0): "red", (0, 0, 1): "blue", (0, 0, 0): "black",
}
LOW, HIGH = 70, 185  # a channel below LOW is off, above HIGH is on, between: no colour


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    if len(pixels) != width * height * 3:
        raise ValueError(f"{path}: truncated")
    return width, height, pixels


def classify(r, g, b):
    bits = []
    for c in (r, g, b):
        if c < LOW:
            bits.append(0)
        elif c > HIGH:
            bits.append(1)
        else:
            return None
    return COLOURS[tuple(bits)]


def runs_of_row(pixels, width, y):
    """[(colour or None, start x, length)] for one row."""
    runs = []
    row = pixels[y * width * 3:(y + 1) * width * 3]
    for x in range(width):
        colour = classify(row[3 * x], row[3 * x + 1], row[3 * x + 2])
        if runs and runs[-1][0] == colour:
            runs[-1][2] += 1
        else:
            runs.append([colour, x, 1])
    return runs


def find_in_row(runs, min_bar):
    """Start x and bar width of the bar sequence in one row, or None.

    Runs without a colour (anti-aliased edges) up to 3 pixels wide are
    skipped between bars."""
    solid = [r for r in runs if r[0] is not None or r[2] > 3]
    for i in range(len(solid) - len(SEQUENCE) + 1):
        window = solid[i:i + len(SEQUENCE)]
        if [r[0] for r in window] != SEQUENCE:
            continue
        widths = sorted(r[2] for r in window[1:])
        median = widths[len(widths) // 2]
        if median < min_bar or window[0][2] < median // 2:
            continue
        if all(abs(w - median) <= max(2, median * 0.25) for w in widths):
            return window[1][1], median
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--min-bar", type=int, default=6, help="narrowest bar, in pixels")
    parser.add_argument("--min-rows", type=int, default=5, help="rows a match must hold on")
    parser.add_argument("image")
    args = parser.parse_args()
    width, height, pixels = read_ppm(args.image)

    bands = []  # [x, bar width, first row, last row]
    for y in range(height):
        found = find_in_row(runs_of_row(pixels, width, y), args.min_bar)
        if not found:
            continue
        x, bar = found
        for band in bands:
            if band[3] == y - 1 and abs(band[0] - x) <= 2:
                band[3] = y
                break
        else:
            bands.append([x, bar, y, y])
    bands = [b for b in bands if b[3] - b[2] + 1 >= args.min_rows]
    for x, bar, top, bottom in bands:
        print(f"bars at x={x} y={top}-{bottom} bar width {bar}")
    if not bands:
        print(f"{args.image}: no colour bars found", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
