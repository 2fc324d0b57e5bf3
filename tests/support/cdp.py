"""A small Chrome DevTools Protocol driver for Debian's headless chromium (no Playwright download):
isolated browser contexts (one cookie jar per person), navigation, clicks that submit forms,
evaluation, the main document's HTTP status, device emulation and screenshots."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

from websockets.sync.client import connect

CHROMIUM = "/usr/bin/chromium"


class CdpError(RuntimeError):
    pass


class Browser:
    def __init__(self, profile: Path, *, chromium: str = CHROMIUM, timeout: float = 30.0):
        self.timeout = timeout
        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
             "--disable-extensions", "--mute-audio", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise CdpError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=timeout)
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        msg_id = next(self._ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, predicate: Callable[[dict[str, Any]], bool], timeout: float | None = None) -> dict[str, Any]:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self.events):
                if predicate(event):
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("timed out waiting for a browser event")
            try:
                reply = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                continue
            if "method" in reply:
                self.events.append(reply)

    def page(self, *, width: int = 1280, height: int = 900, mobile: bool = False) -> "Page":
        """A tab in a fresh browser context: its own cookies, as a different person's browser."""
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page.enable", "Runtime.enable", "Network.enable"):
            self.send(domain, session=session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": mobile}, session=session)
        return page

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Page:
    def __init__(self, browser: Browser, session: str):
        self.browser = browser
        self.session = session
        self.status: int | None = None  # HTTP status of the last main document

    def _send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def _mine(self, name: str) -> Callable[[dict[str, Any]], bool]:
        return lambda e: e.get("sessionId") == self.session and e.get("method") == name

    def _settle(self) -> None:
        """Wait for the page to load; remember the main document's status."""
        self.browser.wait_event(self._mine("Page.loadEventFired"))
        statuses = [e for e in self.browser.events if self._mine("Network.responseReceived")(e)
                    and e["params"].get("type") == "Document"]
        if statuses:
            self.status = statuses[-1]["params"]["response"]["status"]
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]

    def goto(self, url: str) -> "Page":
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        self._send("Page.navigate", {"url": url})
        self._settle()
        return self

    def js(self, expression: str) -> Any:
        result = self._send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                 "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CdpError(f"{expression[:80]}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def fill(self, selector: str, value: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")

    def click(self, selector: str) -> "Page":
        """Click an element that navigates (a submit button, a link) and wait for the new page."""
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        self.js(f"document.querySelector({json.dumps(selector)}).click()")
        self._settle()
        return self

    def text(self) -> str:
        return self.js("document.body.innerText")

    def html(self) -> str:
        return self.js("document.documentElement.outerHTML")

    def url(self) -> str:
        return self.js("location.href")

    def screenshot(self, path: Path) -> None:
        data = self._send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path.write_bytes(base64.b64decode(data))
