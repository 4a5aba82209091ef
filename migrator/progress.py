"""What a copy shows: a line per table as it goes, and the final table."""

from __future__ import annotations

from migrator.job import CopyReport


def final_table(report: CopyReport) -> list[str]:
    """Rows, MB and seconds per table, then the totals and the snapshot."""
    width = max([len(t.table) for t in report.tables] + [5])
    lines = [f"{'table':<{width}}  {'rows':>10}  {'MB':>8}  {'s':>6}"]
    for t in report.tables:
        lines.append(f"{t.table:<{width}}  {t.rows:>10}  {t.bytes / 1e6:>8.2f}  {t.seconds:>6.2f}")
    lines.append(
        f"{'total':<{width}}  {report.rows:>10}  "
        f"{sum(t.bytes for t in report.tables) / 1e6:>8.2f}  {report.seconds:>6.2f}"
    )
    lines.append(f"source snapshot: {report.snapshot}")
    return lines
