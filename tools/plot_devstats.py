#!/usr/bin/env python3
"""Draws the device-side figures (JSON from `vfpga-sim --socket --stats`) as
an SVG: mean cycles per request by FUSE opcode, and the histogram of cycles
per request (notify to used-ring write) over all requests.

    plot_devstats.py STATS.json OUT.svg [TITLE]
"""
import json
import sys
from xml.sax.saxutils import escape


def bars(x0, y0, w, rows, label_w, unit, title):
    """Horizontal bars: rows = [(label, value, note)]."""
    out = [f'<text x="{x0}" y="{y0 - 10}" font-weight="bold">{escape(title)}</text>']
    vmax = max([v for _, v, _ in rows] + [1])
    for i, (label, v, note) in enumerate(rows):
        y = y0 + i * 22
        bw = (w - label_w - 120) * v / vmax
        out.append(f'<text x="{x0 + label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{x0 + label_w}" y="{y + 2}" width="{bw:.1f}" height="16" fill="#4878a8"/>')
        out.append(f'<text x="{x0 + label_w + bw + 6:.1f}" y="{y + 14}">{escape(note)}</text>')
    return out, y0 + len(rows) * 22


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    s = json.load(open(sys.argv[1]))
    title = sys.argv[3] if len(sys.argv) > 3 else "vfpga device-side figures"
    mhz = s.get("clock_mhz", 250)
    ops = s.get("by_opcode", {})
    svg = []
    if s.get("timed"):
        rows = sorted(((k, v["cycles_mean"], f'{v["cycles_mean"]} cycles = {v["cycles_mean"] / mhz:.2f} us, n={v["count"]}')
                       for k, v in ops.items()), key=lambda r: -r[1])
        part, y = bars(20, 70, 900, rows, 140, "cycles", "Mean service time per request (notify to used-ring write)")
    else:
        rows = sorted(((k, v["count"], str(v["count"])) for k, v in ops.items()), key=lambda r: -r[1])
        part, y = bars(20, 70, 900, rows, 140, "", "Requests by opcode")
    svg += part
    hist = s.get("cycles_hist", {})
    if hist:
        rows = [(f'{int(k)}-{2 * int(k) - 1}', n, str(n)) for k, n in sorted(hist.items(), key=lambda kv: int(kv[0]))]
        part, y = bars(20, y + 60, 900, rows, 140, "", "Requests by cycles per request (log2 buckets)")
        svg += part
    info = (f'{s.get("requests", 0)} requests, {s.get("bytes_to_card", 0)} bytes to the card, '
            f'{s.get("bytes_to_host", 0)} bytes to the host')
    if "cycles" in s:
        info += f', {s["cycles"]} cycles simulated ({s["cycles"] / mhz / 1000:.2f} ms at {mhz} MHz)'
    height = y + 40
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="940" height="{height}" font-family="sans-serif" font-size="12">',
            '<rect width="100%" height="100%" fill="white"/>',
            f'<text x="20" y="24" font-size="16" font-weight="bold">{escape(title)}</text>',
            f'<text x="20" y="42">{escape(info)}</text>']
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(head + svg + ["</svg>\n"]))


if __name__ == "__main__":
    main()
