"""Markdown tables, shared by the accuracy reports of :mod:`classical.evaluation`
and :mod:`classical.geo`."""

__all__ = ["markdown_cell", "markdown_table"]


def markdown_cell(value):
    """``str(value)`` made safe for one cell of a Markdown table."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header, rows):
    """Lines of a GitHub-flavoured Markdown table.

    Parameters
    ----------
    header : sequence of str
        Column titles; the first column is left-aligned, the others right.
    rows : iterable of sequence of str
        The cells, already formatted.

    Returns
    -------
    lines : list of str
    """
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
