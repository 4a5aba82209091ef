"""Screenshots of the reports approvers read, for the README: rerun after changing reports/.

    python docs/make_screenshots.py            # needs Node 20+ (npx) and Chromium

Runs `pgcutover demo` three times into one report folder, as three nights of a nightly
check would (clean; with --break missing-row; clean again), renders the HTML report after
each with `pgcutover report`, and photographs in headless Chromium at 1400x1000 the first
screen an approver sees: docs/report-no-go.png and the failure page of
test_row_parity[public.clients] (docs/report-failure.png) after the second night,
docs/report-go.png and the trend over the three (Report > Charts, docs/report-trend.png)
after the third.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
WINDOW = "1400,1000"
FAILURE = "test_row_parity[public.clients]"
# Without the networking flags Chromium waits on services a closed network never answers.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=10000",
)


def chromium() -> str:
    """The Chromium (or Chrome) binary: $CHROMIUM, else the first found on PATH."""
    names = [os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"]
    found = next((shutil.which(n) for n in names if n and shutil.which(n)), None)
    if found is None:
        sys.exit("Chromium not found: install it (apt-get install chromium) or set CHROMIUM")
    return found


def pgcutover(*args: str) -> int:
    """Run the pgcutover CLI of this checkout; its exit code (0 GO, 1 NO-GO)."""
    result = subprocess.run([sys.executable, "-m", "pgcutover.cli", *args], check=False)
    if result.returncode not in (0, 1):
        sys.exit(f"pgcutover {args[0]} could not run (exit {result.returncode})")
    return result.returncode


def report(report_dir: Path, *demo_args: str) -> Path:
    """A demo run's HTML report (index.html); earlier runs in report_dir are its history."""
    pgcutover("demo", "--report-dir", str(report_dir), *demo_args)
    pgcutover("report", "--report-dir", str(report_dir))
    return report_dir / "allure-report" / "index.html"


def result_id(alluredir: Path, name: str) -> str:
    """The id Allure 3 gives a test result in the report's URLs (md5 of its uuid)."""
    for path in alluredir.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("name") == name:
            return hashlib.md5(data["uuid"].encode()).hexdigest()
    sys.exit(f"no result named {name} in {alluredir}")


def screenshot(browser: str, url: str, png: Path) -> None:
    """Photograph `url` as a 1400x1000 window shows it on opening."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW}",
                f"--screenshot={png}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"wrote {png}")


def main() -> None:
    """Make the four screenshots into docs/ (or --out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNGs")
    args = parser.parse_args()
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="pgcutover-shots-") as work:
        nightly = Path(work) / "nightly"
        report(nightly)
        index = report(nightly, "--break", "missing-row")
        failure = result_id(nightly / "allure-results", FAILURE)
        screenshot(browser, index.as_uri(), args.out / "report-no-go.png")
        screenshot(browser, f"{index.as_uri()}#/{failure}", args.out / "report-failure.png")
        index = report(nightly)
        screenshot(browser, index.as_uri(), args.out / "report-go.png")
        screenshot(browser, f"{index.as_uri()}#/charts", args.out / "report-trend.png")


if __name__ == "__main__":
    main()
