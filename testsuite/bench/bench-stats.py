#!/usr/bin/env python3
"""Table of the scan benchmark from its raw samples.

Input: lines "FIGURE CLIENT VALUE" (CLIENT: ours, airscan, or limit).
Prints, per figure, median/min/max for ours and airscan and the ratio of the
medians ours/airscan; count figures (hangs, leftover jobs: one 0 or 1 sample
per run) print how many runs counted instead. Then the limits (djpeg, paced
transfer) and our paced and unpaced wall time against them.
Usage: bench-stats.py RAW_FILE PACE_BYTES_PER_SECOND
"""
import collections
import statistics
import sys

UNITS = {"ttfb": "ms", "wall": "ms", "cpu": "ms", "peak-rss-kb": "kB", "rss-growth-kb": "kB",
         "adf-ppm": "ppm", "adf-pages": "pages", "cancel-return": "ms", "cancel-at-device": "ms",
         "job-canceled": "ms", "hangs": "runs", "leftover-jobs": "runs", "job-not-canceled": "runs"}


def unit(figure):
    for prefix, u in UNITS.items():
        if figure.startswith(prefix):
            return u
    return ""


def main():
    samples = collections.defaultdict(list)
    order = []
    with open(sys.argv[1]) as raw:
        for line in raw:
            figure, client, value = line.split()
            if figure not in order:
                order.append(figure)
            samples[(figure, client)].append(float(value))
    pace = float(sys.argv[2])

    def cell(values, figure):
        if not values:
            return f"{'-':>28}"
        if unit(figure) == "runs":
            return f"{int(sum(values)):10d} {'of':>8} {len(values):8d}"
        # Cancel latencies are sub-millisecond: two decimals.
        digits = 2 if unit(figure) == "ms" and figure.startswith(("cancel", "job")) else 1
        return f"{statistics.median(values):10.{digits}f} {min(values):8.{digits}f} {max(values):8.{digits}f}"

    print(f"{'figure':<30}{'unit':<6}{'ours: median':>14}{'min':>9}{'max':>9}"
          f"{'airscan: median':>17}{'min':>9}{'max':>9}{'ours/airscan':>14}  n")
    for figure in order:
        ours, theirs = samples.get((figure, "ours"), []), samples.get((figure, "airscan"), [])
        if not ours and not theirs:
            continue
        ratio = (f"{statistics.median(ours) / statistics.median(theirs):14.3f}"
                 if ours and theirs and statistics.median(theirs) and unit(figure) != "runs" else f"{'-':>14}")
        print(f"{figure:<30}{unit(figure):<6}   {cell(ours, figure)}      {cell(theirs, figure)}{ratio}"
              f"  {len(ours)}/{len(theirs)}")

    jpeg = samples.get(("jpeg-bytes", "limit"))
    djpeg = samples.get(("djpeg", "limit"))
    if jpeg and djpeg:
        transfer = jpeg[0] * 1000 / pace
        decode = statistics.median(djpeg)
        print(f"\nlimits: JPEG {jpeg[0] / 1e6:.2f} MB; djpeg alone {decode:.1f} ms (median, min {min(djpeg):.1f}); "
              f"paced transfer {transfer:.1f} ms at {pace / 1e6:g} MB/s")
        for figure, limit in (("wall-paced", max(transfer, decode)), ("wall-unpaced", decode)):
            ours = samples.get((figure, "ours"))
            theirs = samples.get((figure, "airscan"))
            if ours:
                line = f"  {figure}: ours {statistics.median(ours):.1f} ms = {statistics.median(ours) / limit:.3f} x limit {limit:.1f} ms"
                if theirs:
                    line += f"; airscan {statistics.median(theirs):.1f} ms = {statistics.median(theirs) / limit:.3f} x"
                print(line)


if __name__ == "__main__":
    main()
