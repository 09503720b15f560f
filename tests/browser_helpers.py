"""Browser tests' support: a throwaway JupyterLab on 127.0.0.1 (random token), the Chromium to drive, waiting."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

#: Chromium flags that work headless in a container without network access.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium():
    """Path of Debian's chromium, or None."""
    for path in ("/usr/bin/chromium", shutil.which("chromium")):
        if path and os.access(path, os.X_OK):
            return path
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc, timeout=15):
    """Stop the server's whole process group (server and kernels): SIGTERM, wait, then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@contextmanager
def jupyter_lab(root_dir, log_path, startup_timeout=60):
    """Run ``jupyter lab`` on 127.0.0.1 (free port, random token) serving ``root_dir``; yield (base URL, token, proc).

    The server (and its kernels, in the same process group) is always stopped on exit, even when the body fails.
    """
    port, token = free_port(), secrets.token_hex(16)
    settings_dir = Path(root_dir).parent / "lab-user-settings"
    # No news toast, no update check: nothing to dismiss, no request leaves the machine.
    news = settings_dir / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false, "doNotDisturbMode": true}'
    )
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(Path(root_dir).parent / "lab-workspaces"),
        JUPYTER_RUNTIME_DIR=str(Path(root_dir).parent / "jupyter-runtime"),
    )
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root_dir}", "--ServerApp.open_browser=False",
        "--LabApp.news_url=", "--ServerApp.port_retries=0",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"jupyter lab did not answer within {startup_timeout} s; see {log_path}")
            time.sleep(0.3)
        yield base, token, proc
    finally:
        _stop(proc)


def missing(reason):
    """Skip with ``reason``, except under CI (CI=true), where a missing browser is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so the browser test must run (.ci/run installs Debian's chromium).")
    pytest.skip(reason)


@pytest.fixture
def chromium():
    """Path of Chromium for a browser test (a skip, or a failure under CI, when it or Playwright is missing).

    Import it into the test module: ``from browser_helpers import chromium``.
    """
    path = find_chromium()
    if path is None:
        missing("Chromium not found (/usr/bin/chromium or `chromium` on PATH): apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("Playwright for Python is not installed (pip install playwright)")
    return path


def wait_for(condition, timeout, what, page=None, shot=None):
    """Poll ``condition()`` every 50 ms until it is truthy (return it); after ``timeout`` s fail, with a screenshot."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            if page is not None and shot is not None:
                page.screenshot(path=str(shot), full_page=True)
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# JavaScript run in the page: the smallest on-screen size of the charts' text, in CSS pixels.
MIN_TEXT_PX = """panel => {
  let smallest = Infinity;
  for (const svg of panel.querySelectorAll('svg.cvkit-gantt')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (t.getBoundingClientRect().width > 0) smallest = Math.min(smallest, size);
    }
  }
  return smallest;
}"""
