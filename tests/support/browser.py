"""A real headless Chromium (Debian's `chromium`), driven over the DevTools protocol: start it with
a fresh profile, open a page, run JavaScript in it, read its cookies and the URLs it asked for,
take a screenshot. Bounded waits only; it stops what it started."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--window-size=1400,1300", "--remote-debugging-port=0", "--remote-allow-origins=*")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.process: subprocess.Popen[bytes] | None = None
        self.ws: Any = None
        self.requested: list[str] = []
        self._next = 0

    async def start(self, timeout: float = 30.0) -> None:
        path = chromium_path()
        assert path, "chromium is not installed (apt-get install chromium)"
        self.profile.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([path, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.exists() or not port_file.read_text().strip():
            assert self.process.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = await websockets.connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024)
        await self.send("Page.enable")
        await self.send("Network.enable")

    async def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        await self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no answer to {method}"
            message = json.loads(await asyncio.wait_for(self.ws.recv(), left))
            if message.get("method") == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
            if message.get("id") == ident:
                assert "error" not in message, message["error"]
                result: dict[str, Any] = message.get("result", {})
                return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                      "awaitPromise": True})
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    async def open(self, url: str) -> None:
        await self.send("Page.navigate", {"url": url})

    async def until(self, expression: str, timeout: float = 30.0, what: str = "") -> Any:
        """Evaluate `expression` until it is truthy (bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(AssertionError):  # the page may be between documents
                value = await self.evaluate(expression)
                if value:
                    return value
            assert time.monotonic() < deadline, f"timed out waiting for {what or expression}"
            await asyncio.sleep(0.1)

    async def cookies(self) -> list[dict[str, Any]]:
        cookies: list[dict[str, Any]] = (await self.send("Network.getAllCookies"))["cookies"]
        return cookies

    async def screenshot(self, path: Path) -> Path:
        data = (await self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}))["data"]
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, base64.b64decode(data))
        return path

    async def stop(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
