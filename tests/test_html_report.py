"""The HTML control report: one self-contained file, checked as text, then rendered by headless
Chromium (the rendered DOM is checked, and a screenshot and a PDF print are saved under
test-artifacts/ for a person to look at)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import FIXTURES

from iac_guard.cli import main

PROJECTS = FIXTURES / "projects"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
ISSUE_ORDER = ("owasp-nhi-2025", "owasp-agentic-2026", "nist-csf-2.0", "nist-ai-rmf-1.0", "cis-v8")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report on both fixture projects, frameworks in the order the issue lists them."""
    target = tmp_path_factory.mktemp("html") / "control-report.html"
    frameworks = [arg for framework in ISSUE_ORDER for arg in ("--framework", framework)]
    result = CliRunner().invoke(
        main, ["report", str(PROJECTS / "ml-platform"), str(PROJECTS / "support-bot"), *frameworks, "-f", "html", "-o", str(target)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return target


def test_self_contained_no_script_no_external_asset(report_file: Path) -> None:
    html = report_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for forbidden in ("<script", "<link", "<img", "<iframe", "src=", "@import", "url(", "@font-face"):
        assert forbidden not in html, forbidden
    assert html.count("<svg") == 2 * len(ISSUE_ORDER) + 1  # a summary bar and a control chart per framework, the credential graph
    assert "@media print" in html


def test_html_is_well_formed(report_file: Path) -> None:
    class Checker(HTMLParser):
        VOID = {"meta", "br", "wbr", "rect", "hr", "input"}

        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_startendtag(self, tag: str, attrs: list) -> None:
            pass

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
            self.stack.pop()

    checker = Checker()
    checker.feed(report_file.read_text(encoding="utf-8"))
    assert checker.stack == []


def _chromium(report: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={profile}", *args, report.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium): the HTML report is only checked as text")
def test_rendered_in_headless_chromium(report_file: Path, tmp_path: Path) -> None:
    dom = _chromium(report_file, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom.stdout))
    assert "iac-guard control report" in text
    for title in ("OWASP Top 10 Non-Human Identities Risks – 2025", "OWASP Top 10 for Agentic Applications for 2026",
                  "The NIST Cybersecurity Framework (CSF) 2.0", "Artificial Intelligence Risk Management Framework (AI RMF 1.0)",
                  "CIS Critical Security Controls Version 8"):
        assert title in text
    assert "NHI7 Long-Lived Secrets" in text
    assert "10 failing findings of IAG002, IAG003; 1 suppressed finding" in text
    assert "vendor key without expiry; replaced by workload identity next year (until 2030-06-30, comment, owner platform-security)" in text
    assert "rotated by hand during the pilot (expired 2026-01-31, comment)" in text
    assert "What static analysis cannot show:" in text
    assert dom.stdout.count("<svg") == 2 * len(ISSUE_ORDER) + 1

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "control-report.png"
    shot = _chromium(report_file, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,2000")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 50_000

    pdf = ARTIFACTS / "control-report.pdf"
    printed = _chromium(report_file, tmp_path / "profile", f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert printed.returncode == 0, printed.stderr[-2000:]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= len(ISSUE_ORDER)  # each framework starts on a new page when printed
    shutil.copy(report_file, ARTIFACTS / "control-report.html")


#: Runs only in the test's copy of the report (the report itself has no script): every card, and
#: the page, must be no wider than its box; the offenders are written into the DOM for --dump-dom.
MEASURE = """<script>
const wide = [];
for (const el of document.querySelectorAll('.card, section.framework, table, svg')) {
  const box = el.closest('.card') || document.body;
  const over = el.matches('.card') ? el.scrollWidth - el.clientWidth : el.getBoundingClientRect().right - box.getBoundingClientRect().right;
  if (over > 1) wide.push((el.id || el.className.baseVal || el.className || el.tagName) + ' by ' + Math.round(over));
}
if (document.documentElement.scrollWidth > window.innerWidth) wide.push('page by ' + (document.documentElement.scrollWidth - window.innerWidth));
document.body.setAttribute('data-cards', String(document.querySelectorAll('.card').length));
document.body.setAttribute('data-overflow', JSON.stringify(wide));
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium): the HTML report is only checked as text")
@pytest.mark.parametrize("width", [1400, 400])
def test_no_card_overflows_at_desktop_and_phone_width(report_file: Path, tmp_path: Path, width: int) -> None:
    measured = tmp_path / "measured.html"
    measured.write_text(report_file.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = _chromium(measured, tmp_path / "profile", "--dump-dom", f"--window-size={width},1000")
    assert dom.returncode == 0, dom.stderr[-2000:]
    cards = re.search(r'data-cards="(\d+)"', dom.stdout)
    overflow = re.search(r'data-overflow="([^"]*)"', dom.stdout)
    assert cards and overflow, "the measuring script did not run"
    assert int(cards.group(1)) > 40  # the cards exist: what was assessed, summary, every control, appendices
    assert overflow.group(1).replace("&quot;", '"') == "[]"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = _chromium(report_file, tmp_path / "profile", f"--screenshot={ARTIFACTS / f'control-report-{width}.png'}", f"--window-size={width},3000")
    assert shot.returncode == 0, shot.stderr[-2000:]
