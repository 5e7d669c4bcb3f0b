#!/usr/bin/env python3
"""Collects the fio results that tests/hil/guest.sh printed into a Markdown
table, an SVG bar chart (no plotting library) and JSON.

usage: report.py [--title T] [--md OUT.md] [--svg OUT.svg] [--json OUT.json] LOG...

Each LOG holds blocks "@@FIO-BEGIN MODE JOB NUMJOBS", fio's JSON output,
"@@FIO-END". Exit status 1 when no result was found.
"""
import argparse
import json
import sys
from xml.sax.saxutils import escape


def parse(path):
    out = []
    cur, buf = None, []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("@@FIO-BEGIN "):
                cur, buf = line.split()[1:4], []
            elif line.startswith("@@FIO-END") and cur:
                text = "\n".join(buf)
                try:
                    d = json.loads(text[text.index("{"):])
                except ValueError:
                    cur = None
                    continue
                for j in d.get("jobs", []):
                    side = "read" if j["read"]["io_bytes"] else "write"
                    r = j[side]
                    out.append({
                        "mode": cur[0], "job": cur[1], "numjobs": int(cur[2]),
                        "iops": r["iops"], "mib_s": r["bw"] / 1024.0,
                        "lat_us": r["clat_ns"]["mean"] / 1000.0, "bytes": r["io_bytes"],
                    })
                cur = None
            elif cur is not None:
                buf.append(line)
    return out


def table(rows, title):
    modes = sorted({r["mode"] for r in rows}, key=lambda m: (m != "nodax", m))
    keys = sorted({(r["job"], r["numjobs"]) for r in rows})
    by = {(r["mode"], r["job"], r["numjobs"]): r for r in rows}
    head = "| " + escape(title) + " | jobs |"
    sep = "|---|---:|"
    for m in modes:
        head += f" {m} IOPS | {m} MiB/s | {m} mean latency µs |"
        sep += "---:|---:|---:|"
    lines = [head, sep]
    for job, nj in keys:
        line = f"| {job} | {nj} |"
        for m in modes:
            r = by.get((m, job, nj))
            line += (f" {r['iops']:.0f} | {r['mib_s']:.1f} | {r['lat_us']:.1f} |" if r else " - | - | - |")
        lines.append(line)
    return "\n".join(lines) + "\n"


def svg(rows, title):
    modes = sorted({r["mode"] for r in rows}, key=lambda m: (m != "nodax", m))
    keys = sorted({(r["job"], r["numjobs"]) for r in rows})
    by = {(r["mode"], r["job"], r["numjobs"]): r["iops"] for r in rows}
    colors = ["#4477aa", "#ee6677", "#228833", "#ccbb44"]
    top = max([v for v in by.values()] + [1.0])
    bw, gap, left, h, base = 14, 10, 70, 260, 300
    width = left + len(keys) * (len(modes) * bw + gap) + 160
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{base + 130}" font-family="sans-serif" font-size="11">',
         f'<text x="{left}" y="20" font-size="14">{escape(title)}: IOPS (4 KiB)</text>',
         f'<line x1="{left}" y1="{base}" x2="{width - 150}" y2="{base}" stroke="black"/>',
         f'<line x1="{left}" y1="{base}" x2="{left}" y2="{base - h}" stroke="black"/>']
    for i in range(5):
        v = top * i / 4
        y = base - h * i / 4
        o.append(f'<text x="{left - 5}" y="{y + 4:.0f}" text-anchor="end">{v:.0f}</text>')
        o.append(f'<line x1="{left}" y1="{y:.0f}" x2="{width - 150}" y2="{y:.0f}" stroke="#ddd"/>')
    x = left + gap
    for job, nj in keys:
        for k, m in enumerate(modes):
            v = by.get((m, job, nj), 0.0)
            bh = h * v / top
            o.append(f'<rect x="{x + k * bw}" y="{base - bh:.1f}" width="{bw - 2}" height="{bh:.1f}" fill="{colors[k % 4]}">'
                     f'<title>{escape(job)} x{nj} {m}: {v:.0f} IOPS</title></rect>')
        cx = x + len(modes) * bw / 2
        o.append(f'<text transform="translate({cx:.0f},{base + 8}) rotate(60)" font-size="10">{escape(job)} x{nj}</text>')
        x += len(modes) * bw + gap
    for k, m in enumerate(modes):
        o.append(f'<rect x="{width - 140}" y="{40 + 18 * k}" width="12" height="12" fill="{colors[k % 4]}"/>')
        o.append(f'<text x="{width - 122}" y="{50 + 18 * k}">{escape(m)}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--title", default="fio")
    ap.add_argument("--md")
    ap.add_argument("--svg")
    ap.add_argument("--json")
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    rows = []
    for p in a.logs:
        try:
            rows += parse(p)
        except OSError as e:
            sys.stderr.write(f"report: {p}: {e.strerror}\n")
    if not rows:
        sys.stderr.write("report: no fio results found\n")
        return 1
    md = table(rows, a.title)
    if a.md:
        open(a.md, "w").write(md)
    else:
        sys.stdout.write(md)
    if a.svg:
        open(a.svg, "w").write(svg(rows, a.title))
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
