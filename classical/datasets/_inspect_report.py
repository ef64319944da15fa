"""The report of :func:`~classical.datasets.inspect`: Markdown with a PNG contact
sheet per finding, and JSON.

A contact sheet shows the images of one finding as thumbnails in a grid, each
captioned with its file name, class and stored size; the groups (duplicates,
label conflicts, leakage) are drawn one per row, so the copies are seen side by
side. Sheets are capped (:data:`MAX_FILES` images, :data:`MAX_GROUPS` groups of
at most :data:`MAX_MEMBERS` images) and say how many more the Markdown lists.
"""

import json
from pathlib import Path

import numpy as np

from ._inspect import kept_paths
from ._read import ImageLoadError, read_image

__all__ = ["inspect_markdown", "save_inspect_json", "save_inspect_report"]

_FILES, _GROUPS = "files", "groups"
#: The findings in report order: key of the mapping, heading, what it lists.
_FINDINGS = (
    ("unreadable", "Unreadable or truncated files", _FILES),
    ("too_small", "Images far smaller than the rest", _FILES),
    ("blurry", "Blurry images (for their class)", _FILES),
    ("exposure", "Nearly constant, over- or under-exposed images", _FILES),
    ("duplicates", "Duplicates within a class", _GROUPS),
    ("label_conflicts", "Label conflicts: one image under several classes", _GROUPS),
    ("leakage", "Leakage: images found in both folders", _GROUPS),
)
#: Most images drawn on the sheet of a list of files.
MAX_FILES = 48
#: Most groups drawn on the sheet of a list of groups, one per row.
MAX_GROUPS = 12
#: Most images of a group drawn in its row (and columns of a sheet).
MAX_MEMBERS = 8

_TILE = 128       # side of a thumbnail's square, pixels
_LINE = 15        # height of a line of text
_FONT_SIZE = 12
_GAP = 8          # space around tiles and rows
_BACKGROUND = (255, 255, 255)
_TILE_BACKGROUND = (225, 225, 225)
_TEXT = (20, 20, 20)
_PLACEHOLDER = (150, 150, 150)


def _class_of(path):
    """The class of an image file: the name of its folder (``root/<class>/<file>``)."""
    return Path(path).parent.name


def _count(report, key, kind):
    items = report[key]
    if kind == _FILES or not items:
        return f"{len(items):,}"
    files = sum(len(group["paths"]) for group in items)
    return f"{len(items):,} group{'s' * (len(items) != 1)}, {files:,} files"


def _summary(report):
    n_kept = len(kept_paths(report))
    lines = ["| finding | count |", "|---|---:|"]
    lines += [f"| {heading} | {_count(report, key, kind)} |"
              for key, heading, kind in _FINDINGS]
    lines.append(f"| files kept by a clean copy (`kept_paths`) | "
                 f"{n_kept:,} of {report['n_images']:,} |")
    return lines


def _class_balance(counts):
    total = sum(counts.values())
    lines = ["## Class balance", "", "| class | images | share |", "|---|---:|---:|"]
    lines += [f"| {name} | {n:,} | {n / total:.1%} |" for name, n in counts.items()]
    smallest, largest = min(counts.values()), max(counts.values())
    if smallest:
        lines += ["", f"The largest class has {largest / smallest:.2f} times the "
                      f"images of the smallest."]
    return lines


def _group_kind(group):
    """What sets a group apart: its kind (exact, near) and its classes, if any."""
    labels = ", ".join(dict.fromkeys(group.get("labels", [])))
    return ", ".join(part for part in (group.get("kind"), labels) if part)


def _group_line(group):
    paths = ", ".join(f"`{path}`" for path in group["paths"])
    kind = _group_kind(group)
    return f"{kind}: {paths}" if kind else paths


def _finding(report, key, heading, kind, sheet, max_listed):
    items = report[key]
    lines = [f"## {heading} ({_count(report, key, kind)})", ""]
    if sheet is not None:
        lines += [f"![{heading}]({sheet})", ""]
    shown = items if max_listed is None else items[:max_listed]
    if kind == _FILES:
        lines += [f"- `{path}`" for path in shown]
    else:
        lines += [f"{i}. {_group_line(group)}" for i, group in enumerate(shown, 1)]
    if len(shown) < len(items):
        lines.append(f"\n... and {len(items) - len(shown):,} more.")
    return lines + [""]


def inspect_markdown(report, *, title="Data-set inspection", sheets=None,
                     max_listed=None):
    """The Markdown report of a data-set inspection.

    Parameters
    ----------
    report : dict
        The mapping returned by :func:`~classical.datasets.inspect`.
    title : str, default='Data-set inspection'
        The report's first heading.
    sheets : dict of str to str or None, default=None
        The contact sheet to link under each finding: a finding's key
        (``'duplicates'``, ...) to the image's path relative to the Markdown
        file. ``None`` links none.
    max_listed : int or None, default=None
        List at most this many files or groups per finding, then say how many
        more there are; ``None`` lists them all.

    Returns
    -------
    text : str
        A summary table of the counts of each finding (and of the files a
        clean copy keeps, :func:`~classical.datasets.kept_paths`), the class
        balance, each non-empty finding with its paths (groups numbered, each
        with its kind and classes), and the thresholds used.
    """
    sheets = {} if sheets is None else sheets
    lines = [f"# {title}", "",
             f"{report['n_images']:,} images in {len(report['class_counts'])} "
             f"classes, inspected in {report['seconds']:.1f} s.", ""]
    lines += _summary(report) + [""] + _class_balance(report["class_counts"]) + [""]
    for key, heading, kind in _FINDINGS:
        if report[key]:
            lines += _finding(report, key, heading, kind, sheets.get(key), max_listed)
    thresholds = report.get("thresholds", {})
    if thresholds:
        lines += ["## Thresholds", "", "| threshold | value |", "|---|---:|"]
        lines += [f"| {name} | {value} |" for name, value in thresholds.items()]
        lines.append("")
    return "\n".join(lines)


def _font():
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=_FONT_SIZE)
    except TypeError:  # Pillow < 10.1 has only its small bitmap font
        return ImageFont.load_default()


def _fit(text, font, width):
    """``text``, its middle replaced by an ellipsis until it is ``width`` wide."""
    fitted, keep = text, len(text)
    while keep > 2 and font.getlength(fitted) > width:
        keep -= 1
        fitted = f"{text[:keep // 2]}…{text[len(text) - (keep - keep // 2):]}"
    return fitted


def _thumbnail(path):
    """``(thumbnail, (height, width))`` of the image file, or ``(None, None)``.

    The thumbnail fills the tile's square keeping the aspect ratio, shrunk
    smoothly or enlarged by repeating pixels (so a tiny image looks tiny).
    """
    from PIL import Image

    try:
        image = read_image(path)
    except ImageLoadError:
        return None, None
    if image.dtype != np.uint8:
        image = (image // 257).astype(np.uint8)  # 16 bits a channel to 8
    height, width = image.shape[:2]
    scale = _TILE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resample = Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.NEAREST
    return Image.fromarray(image).resize(size, resample), (height, width)


def _draw_tile(sheet, draw, font, x, y, path):
    """One captioned thumbnail with its top left corner at ``(x, y)``."""
    draw.rectangle([x, y, x + _TILE - 1, y + _TILE - 1], fill=_TILE_BACKGROUND)
    thumbnail, shape = _thumbnail(path)
    if thumbnail is None:
        draw.line([x, y, x + _TILE - 1, y + _TILE - 1], fill=_PLACEHOLDER, width=2)
        draw.line([x, y + _TILE - 1, x + _TILE - 1, y], fill=_PLACEHOLDER, width=2)
        size = "unreadable"
    else:
        sheet.paste(thumbnail, (x + (_TILE - thumbnail.width) // 2,
                                y + (_TILE - thumbnail.height) // 2))
        size = f"{shape[1]}x{shape[0]}"
    size = f", {size}"
    label = _fit(_class_of(path), font, _TILE - font.getlength(size)) + size
    for line, text in enumerate((_fit(Path(path).name, font, _TILE), label)):
        draw.text((x, y + _TILE + 2 + line * _LINE), text, fill=_TEXT, font=font)


def _row_height(heading):
    return (_LINE if heading else 0) + _TILE + 2 * _LINE + _GAP


def _contact_sheet(path, title, rows, footer):
    """Draw ``rows`` of ``(heading or None, [image path])`` as a PNG at ``path``."""
    from PIL import Image, ImageDraw

    font = _font()
    columns = max(len(members) for _, members in rows)
    width = max(_GAP + columns * (_TILE + _GAP),
                2 * _GAP + round(font.getlength(title)))
    height = (2 * _GAP + _LINE + sum(_row_height(heading) for heading, _ in rows)
              + (_LINE if footer else 0))
    sheet = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((_GAP, _GAP), title, fill=_TEXT, font=font)
    y = 2 * _GAP + _LINE
    for heading, members in rows:
        if heading:
            draw.text((_GAP, y), _fit(heading, font, width - 2 * _GAP), fill=_TEXT,
                      font=font)
            y += _LINE
        for column, member in enumerate(members):
            _draw_tile(sheet, draw, font, _GAP + column * (_TILE + _GAP), y, member)
        y += _TILE + 2 * _LINE + _GAP
    if footer:
        draw.text((_GAP, y), footer, fill=_TEXT, font=font)
    sheet.save(path, format="PNG")


def _sheet_rows(items, kind):
    """``(rows, footer)`` of the sheet of a finding: capped, with what was left out."""
    if kind == _FILES:
        shown = items[:MAX_FILES]
        rows = [(None, shown[start:start + MAX_MEMBERS])
                for start in range(0, len(shown), MAX_MEMBERS)]
        left = len(items) - len(shown)
        return rows, (f"... and {left:,} more files, listed in the report."
                      if left else "")
    rows = []
    for number, group in enumerate(items[:MAX_GROUPS], 1):
        paths = group["paths"]
        more = (f" (first {MAX_MEMBERS} of {len(paths)} shown)"
                if len(paths) > MAX_MEMBERS else "")
        kind = _group_kind(group) or f"{len(paths)} files"
        rows.append((f"{number}. {kind}{more}", paths[:MAX_MEMBERS]))
    left = len(items) - len(rows)
    footer = f"... and {left:,} more groups, listed in the report." if left else ""
    return rows, footer


def save_inspect_report(report, path, *, title="Data-set inspection"):
    """Write the Markdown report of an inspection, with its contact sheets.

    Parameters
    ----------
    report : dict
        The mapping returned by :func:`~classical.datasets.inspect`.
    path : str or path-like
        The Markdown file. The contact sheet of each non-empty finding is
        written beside it as ``<stem>_<finding>.png`` (``report.md`` gives
        ``report_duplicates.png``, ...) and linked from it; unreadable files
        get none (their images cannot be drawn). Missing folders are made.
    title : str, default='Data-set inspection'
        The report's first heading.

    Returns
    -------
    written : list of pathlib.Path
        The Markdown file, then the contact sheets.

    Notes
    -----
    Only the report's own files are written: no image is moved, changed or
    deleted. A file that cannot be read when its sheet is drawn gets a crossed
    placeholder tile captioned ``unreadable``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheets, written = {}, []
    for key, heading, kind in _FINDINGS:
        items = report[key]
        if not items or key == "unreadable":
            continue
        rows, footer = _sheet_rows(items, kind)
        sheet = path.with_name(f"{path.stem}_{key}.png")
        _contact_sheet(sheet, f"{heading}: {_count(report, key, kind)}", rows, footer)
        sheets[key] = sheet.name
        written.append(sheet)
    path.write_text(inspect_markdown(report, title=title, sheets=sheets),
                    encoding="utf-8")
    return [path, *written]


def save_inspect_json(report, path):
    """Write the mapping of an inspection as JSON, as it is.

    Parameters
    ----------
    report : dict
        The mapping returned by :func:`~classical.datasets.inspect`.
    path : str or path-like
        The JSON file (UTF-8, indented); missing folders are made.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path
