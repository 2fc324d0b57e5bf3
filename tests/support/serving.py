"""The real `mediawatch dashboards serve` as a subprocess: wait until it answers, stop it cleanly."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from typing import Callable


def wait_until_serving(proc: subprocess.Popen, urls: list[str], *, timeout_s: float,
                       log: Callable[[], str]) -> None:
    """Return once every URL answers; fail with the server's log when it exits or takes too long."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            for url in urls:
                urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("dashboards serve did not start: " + log()[-2000:])
            time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
