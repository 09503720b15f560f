"""The live view of a GridSearchCV in a real browser: JupyterLab on 127.0.0.1, headless Chromium, Run All and Stop."""

import re
import time
from pathlib import Path

import nbformat
import pytest
from browser_helpers import CHROMIUM_ARGS, MIN_TEXT_PX, chromium, jupyter_lab, wait_for  # noqa: F401 - chromium: a fixture

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "test-output" / "test_search_browser"  # .gitignore'd; kept after the run for a look

pytestmark = [pytest.mark.browser, pytest.mark.slow]

N_FITS = 5 * 4  # 5 candidates x 4 folds

CELLS = [
    # fits of ~0.1-0.4 s: long enough to be seen running, short enough for a test
    "from sklearn.datasets import make_classification\n"
    "from sklearn.model_selection import GridSearchCV\n"
    "from sklearn.svm import SVC\n"
    "from cvkit.widgets import SearchView\n"
    "X, y = make_classification(n_samples=3000, n_features=20, random_state=0)\n"
    "grid = {'C': [0.01, 0.1, 1.0, 10.0, 100.0]}",
    "view = SearchView(GridSearchCV(SVC(), grid, cv=4, n_jobs=2))\nview.fit(X, y)",
    "search = view.wait(timeout=300)\nprint('best', search.best_params_, view.error)",
    "view",
]

# Count, in the page, how many done bars the live chart showed at each change, and whether the cell still ran.
_WATCH = """panel => {
  window.cvkitSeen = [];
  const seen = () => {
    const svg = panel.querySelector('svg.cvkit-live');
    if (svg) window.cvkitSeen.push(svg.querySelectorAll('rect.cvkit-bar.done').length);
  };
  new MutationObserver(seen).observe(panel, {subtree: true, childList: true, characterData: true});
}"""


def _notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_the_search_view_draws_live_and_stops_in_a_real_browser(chromium, tmp_path):  # noqa: F811 (a fixture)
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    root = tmp_path / "root"
    root.mkdir()
    _notebook(root / "search.ipynb")
    with jupyter_lab(root, tmp_path / "jupyter.log") as (base, token, _server), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(f"{base}/lab/tree/search.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=60_000)

            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            panel = page.locator(".cvkit-search").first
            wait_for(lambda: panel.count() == 1, 120, "the search panel", page, OUTPUT / "panel-timeout.png")
            panel.evaluate(_WATCH)
            live = panel.locator("svg.cvkit-live")
            wait_for(lambda: "best {'C'" in page.locator(".jp-OutputArea-output").all_inner_texts().__str__(),
                     300, "the search to end", page, OUTPUT / "run-timeout.png")  # fmt: skip
            wait_for(lambda: live.get_attribute("data-finished") == "true", 30, "the final drawing")
            seen = page.evaluate("window.cvkitSeen")
            # drawn while it ran: the page showed some fits done and others not yet
            assert any(0 < n < N_FITS for n in seen), seen
            assert live.locator("rect.cvkit-bar.done").count() == N_FITS
            assert panel.locator("svg.cvkit-predicted rect.cvkit-bar.predicted").count() == N_FITS
            status = panel.locator(".cvkit-status").inner_text()
            assert status.startswith(f"finished: {N_FITS} of {N_FITS} fits done"), status
            # one view, one panel; the static copy is in the page and hidden under the live panel
            assert page.locator(".cvkit-search").count() == 1
            # `view.fit(X, y)` and `view` on a cell's last line: one line of text each, not a second panel
            assert page.locator(".jp-OutputArea-output:has-text('its panel is shown above')").count() == 2
            assert page.locator(".cvkit-static-copy").count() == 1
            assert not page.locator(".cvkit-static-copy").is_visible()
            # the charts' smallest text is readable at 1024 px with the file browser open
            smallest = panel.evaluate(MIN_TEXT_PX)
            assert smallest >= 10, f"chart text down to {smallest:.1f} px"
            panel.scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / "1-finished-1024x768.png"))

            # A second fit from a new cell, stopped from the panel's button after the first fit ends.
            page.locator(".jp-Notebook .jp-Cell").last.click()
            page.keyboard.press("Escape")
            page.keyboard.press("b")
            page.keyboard.press("Enter")
            page.keyboard.type("view.fit(X, y)")
            page.keyboard.press("Shift+Enter")
            stop = panel.locator("button", has_text=re.compile(r"^\s*Stop\s*$"))
            wait_for(lambda: live.get_attribute("data-finished") == "false", 60, "the second fit to start",
                     page, OUTPUT / "second-timeout.png")  # fmt: skip
            wait_for(lambda: live.locator("rect.cvkit-bar.done").count() >= 1, 120, "a first finished fit")
            assert not stop.is_disabled()
            stop.click()
            wait_for(lambda: panel.locator(".cvkit-status").inner_text().startswith("stopped: "), 120,
                     "the stopped status", page, OUTPUT / "stop-timeout.png")  # fmt: skip
            wait_for(lambda: live.get_attribute("data-finished") == "true", 30, "the final drawing")
            kept = live.locator("rect.cvkit-bar.done").count()
            cancelled = live.locator("rect.cvkit-queued.cancelled").count()
            assert kept >= 1 and cancelled >= 1 and kept + cancelled <= N_FITS
            assert "cancelled by Stop" in panel.locator(".cvkit-status").inner_text()
            assert stop.is_disabled()
            time.sleep(1.0)  # nothing redraws the finished fits away
            assert live.locator("rect.cvkit-bar.done").count() == kept
            panel.scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / "2-stopped-1024x768.png"))
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            texts = [t for t in errors.all_inner_texts() if "fits failed" in t]
            assert not texts, texts  # the stop's cancelled fits do not flood the notebook with warnings
        finally:
            browser.close()
