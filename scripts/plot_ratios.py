#!/usr/bin/env python3
"""Draws the ratios of a benchmark table as an SVG bar chart (Python 3 standard library only).

    scripts/plot_ratios.py [CSV] [SVG] [--date TEXT] [--machine TEXT]

CSV defaults to bench/results/latest.csv, as written by scripts/bench.sh, and SVG to the same
path with .svg. One horizontal bar per row that has a ratio (e.g. "static: lesson02-http /
nginx"), on a logarithmic axis so that 0.6x and 41x are both readable; a black mark at the row's
target (the `target` column, like `>=1.0`) where it has one; green when the target is met,
orange when not, grey when the row has no target. --date and --machine go into the title; by
default the CSV's modification time and this machine.
"""

import argparse
import csv
import math
import os
import platform
import sys
import time
from html import escape
from pathlib import Path

GREEN, ORANGE, GREY = "#2e9d4f", "#e8871e", "#a0a0a0"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
WIDTH = 900
LEFT = 300  # the labels' column
RIGHT = 190  # room for the value and target after the longest bar
TOP = 78
ROW = 42
BAR = 18


def parse_target(text):
    """Returns (op, value, as written) for '>=1.0' or '<=2', None for an empty target."""
    text = (text or "").strip().replace(" ", "").rstrip("x")
    for op in (">=", "<="):
        if text.startswith(op):
            try:
                return op, float(text[len(op):]), text[len(op):]
            except ValueError:
                return None
    return None


def nice_steps(lo, hi):
    """The 1-2-5 values from lo to hi (both included when they are such values)."""
    steps = []
    exponent = math.floor(math.log10(lo)) - 1
    while True:
        for mantissa in (1, 2, 5):
            value = round(mantissa * 10.0**exponent, 10)
            if value > hi * 1.0001:
                return steps
            if value >= lo * 0.9999:
                steps.append(value)
        exponent += 1


def floor_nice(x):
    steps = nice_steps(x / 10, x)
    return steps[-1]


def ceil_nice(x):
    steps = nice_steps(x, x * 10)
    return steps[0]


def fmt_x(value):
    return f"{value:g}x"


def read_rows(path):
    rows = []
    with open(path, newline="") as f:
        for record in csv.DictReader(f):
            if not (record.get("compared_with") or "").strip():
                continue
            try:
                ratio = float(record.get("ratio", ""))
            except ValueError:
                ratio = None
            rows.append(
                {
                    "label": f"{record['group']}: {record['server']}",
                    "peer": f"/ {record['compared_with']}",
                    "ratio": ratio,
                    "target": parse_target(record.get("target")),
                    "errors": (record.get("errors") or "").strip(),
                }
            )
    return rows


def svg_text(x, y, text, size=12, anchor="start", weight="normal", fill="#222", extra=""):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}"{extra}>{escape(text)}</text>'
    )


def render(rows, date, machine):
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    height = TOP + max(len(rows), 1) * ROW + 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        svg_text(20, 28, f"Benchmark ratios: {date}, {machine}", size=17, weight="bold"),
        svg_text(20, 48, "Requests/s of each row divided by its peer's, measured in the same run "
                 "on loopback (scripts/bench.sh); log scale.", size=12, fill="#555"),
    ]
    if not rows:
        out.append(svg_text(20, TOP + 20, "This run compared no rows (no ratio in the table).",
                            size=13))
        out.append("</svg>")
        return "\n".join(out) + "\n"

    values = [r["ratio"] for r in rows if r["ratio"] and r["ratio"] > 0]
    values += [r["target"][1] for r in rows if r["target"] and r["target"][1] > 0]
    lo = floor_nice(min(min(values) / 1.3, 0.3))
    hi = ceil_nice(max(max(values) * 1.3, 2.0))

    def x_of(value):
        value = min(max(value, lo), hi)
        return plot_left + (math.log(value) - math.log(lo)) / (math.log(hi) - math.log(lo)) * (
            plot_right - plot_left
        )

    plot_top, plot_bottom = TOP, TOP + len(rows) * ROW
    # Gridlines with their labels, 1x darker.
    for step in nice_steps(lo, hi):
        x = x_of(step)
        one = abs(step - 1) < 1e-9
        out.append(
            f'<line x1="{x:.1f}" y1="{plot_top - 6}" x2="{x:.1f}" y2="{plot_bottom}" '
            f'stroke="{"#777" if one else "#ddd"}" stroke-width="1"/>'
        )
        out.append(svg_text(x, plot_bottom + 16, fmt_x(step), size=11, anchor="middle",
                            fill="#333" if one else "#666"))
    out.append(
        f'<line x1="{plot_left}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
        'stroke="#999" stroke-width="1"/>'
    )

    for i, row in enumerate(rows):
        y0 = TOP + i * ROW
        mid = y0 + ROW / 2
        if i % 2 == 0:
            out.append(f'<rect x="10" y="{y0}" width="{WIDTH - 20}" height="{ROW}" '
                       'fill="#f6f6f6"/>')
        out.append(svg_text(LEFT - 10, mid - 3, row["label"], size=12, anchor="end"))
        out.append(svg_text(LEFT - 10, mid + 12, row["peer"], size=11, anchor="end",
                            fill="#666"))
        ratio, target = row["ratio"], row["target"]
        if target is None:
            color = GREY
        elif ratio is not None and (
            ratio >= target[1] if target[0] == ">=" else ratio <= target[1]
        ):
            color = GREEN
        else:
            color = ORANGE
        end = plot_left
        if ratio is not None and ratio > 0:
            end = x_of(ratio)
            out.append(
                f'<rect x="{plot_left}" y="{mid - BAR / 2:.1f}" width="{end - plot_left:.1f}" '
                f'height="{BAR}" fill="{color}"/>'
            )
        label_x = end
        if target is not None:
            tx = x_of(target[1])
            out.append(
                f'<line x1="{tx:.1f}" y1="{mid - BAR / 2 - 5:.1f}" x2="{tx:.1f}" '
                f'y2="{mid + BAR / 2 + 5:.1f}" stroke="#111" stroke-width="2.5"/>'
            )
            label_x = max(label_x, tx)
        value = "no figure" if ratio is None else f"{ratio:.2f}x"
        note = ""
        if target is not None:
            note += f"target {'≥' if target[0] == '>=' else '≤'} {target[2]}x"
        if row["errors"]:
            note += ("; " if note else "") + "wrk errors"
        width_guess = 7.2 * len(value) + 6.2 * (len(note) + 2)
        if label_x + 6 + width_guess <= WIDTH - 10:
            x, anchor, fill, note_fill = label_x + 6, "start", "#222", "#666"
        else:  # no room after the bar: write it inside, in white
            x, anchor, fill, note_fill = end - 6, "end", "white", "white"
        out.append(
            f'<text x="{x:.1f}" y="{mid + 4:.1f}" font-size="12" text-anchor="{anchor}" '
            f'fill="{fill}"><tspan font-weight="bold">{escape(value)}</tspan>'
            + (f'<tspan fill="{note_fill}">  {escape(note)}</tspan>' if note else "")
            + "</text>"
        )

    # Legend.
    ly = plot_bottom + 44
    x = LEFT
    for color, text in ((GREEN, "target met"), (ORANGE, "target missed"), (GREY, "no target")):
        out.append(f'<rect x="{x}" y="{ly - 10}" width="14" height="12" fill="{color}"/>')
        out.append(svg_text(x + 20, ly, text, size=12))
        x += 30 + 7 * len(text)
    out.append(f'<line x1="{x + 6}" y1="{ly - 13}" x2="{x + 6}" y2="{ly + 3}" '
               'stroke="#111" stroke-width="2.5"/>')
    out.append(svg_text(x + 16, ly, "the row's target", size=12))
    if any(r["errors"] for r in rows):
        out.append(svg_text(LEFT, ly + 22, "wrk errors: wrk counted socket errors or non-2xx "
                            "answers on that row (the table's errors column)", size=11,
                            fill="#666"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("csv", nargs="?", default=str(root / "bench/results/latest.csv"))
    parser.add_argument("svg", nargs="?")
    parser.add_argument("--date")
    parser.add_argument("--machine")
    args = parser.parse_args(argv)
    svg = args.svg or str(Path(args.csv).with_suffix(".svg"))
    date = args.date or time.strftime("%Y-%m-%d %H:%M UTC",
                                      time.gmtime(os.path.getmtime(args.csv)))
    machine = args.machine or f"{os.cpu_count()} cores ({platform.system()} {platform.release()})"
    Path(svg).write_text(render(read_rows(args.csv), date, machine), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
