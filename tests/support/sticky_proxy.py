"""A load balancer for tests: one origin on loopback in front of several dashboards, sticky
per browser as a real balancer's affinity cookie makes it.

Streamlit writes the sign-in's origin (its redirect_uri's) into its cookie and checks it on
every connection, so replicas behind one sign-in must share one origin: this proxy is it.
Opening `/__replica/<n>` pins the browser to replica n (0 first) and goes to `?next=`; pages,
files and the WebSocket then go to that replica, the Host and Origin headers as the browser
sent them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from urllib.parse import urlencode

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

PIN_COOKIE = "lu_replica"
# Headers that belong to one connection, or that httpx has already undone (compression).
HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailers",
    "content-length",
    "content-encoding",
}


class StickyProxy:
    """The proxy on `port` in front of `backends` (each "127.0.0.1:PORT"); start() and stop()."""

    def __init__(self, backends: list[str], port: int) -> None:
        self.backends = backends
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None
        routes = [
            Route("/__replica/{n:int}", self.pin),
            WebSocketRoute("/_stcore/stream", self.stream),
            WebSocketRoute("/{path:path}/_stcore/stream", self.stream),
            Route("/{path:path}", self.forward, methods=["GET", "POST", "PUT", "DELETE", "HEAD"]),
        ]
        self.app = Starlette(routes=routes)

    def replica_url(self, n: int, path: str = "/") -> str:
        """The address that pins a browser to replica n, then opens path."""
        return self.url + self.replica_path(n, path)

    def replica_path(self, n: int, path: str = "/") -> str:
        """replica_url without the origin (for helpers that take a path on the proxy)."""
        # quoted whole: a path's own query ("?a=1&b=2") must not become the pin's parameters
        return f"/__replica/{n}?{urlencode({'next': path})}"

    def start(self) -> None:
        """Serve on a thread; return once it listens."""
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test proxy did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop serving."""
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=10)

    def _backend(self, cookies: dict[str, str]) -> str:
        try:
            return self.backends[int(cookies.get(PIN_COOKIE, "0"))]
        except (ValueError, IndexError):
            return self.backends[0]

    async def pin(self, request: Request) -> Response:
        """Pin the browser to one replica, then go where `next` says."""
        target = request.query_params.get("next", "/")
        response = RedirectResponse(target if target.startswith("/") else "/", status_code=303)
        response.set_cookie(PIN_COOKIE, str(request.path_params["n"]), path="/")
        return response

    async def forward(self, request: Request) -> Response:
        """One HTTP request to the pinned replica, its answer back as it came."""
        backend = self._backend(request.cookies)
        url = f"http://{backend}{request.url.path}"
        if request.url.query:
            url += f"?{request.url.query}"
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_HEADERS]
        async with httpx.AsyncClient(follow_redirects=False, timeout=120) as client:
            answer = await client.request(
                request.method, url, headers=headers, content=await request.body()
            )
        response = Response(content=answer.content, status_code=answer.status_code)
        for name, value in answer.headers.multi_items():
            if name.lower() not in HOP_HEADERS:
                response.headers.append(name, value)
        return response

    async def stream(self, socket: WebSocket) -> None:
        """The page's WebSocket, relayed both ways to the pinned replica."""
        backend = self._backend(socket.cookies)
        offered = [
            p.strip() for p in socket.headers.get("sec-websocket-protocol", "").split(",") if p
        ]
        forwarded = {"Cookie": socket.headers.get("cookie", "")}
        async with websockets.connect(
            f"ws://{backend}{socket.url.path}",
            subprotocols=offered or None,  # type: ignore[arg-type]
            additional_headers=forwarded,
            origin=socket.headers.get("origin"),  # type: ignore[arg-type]
            max_size=None,
        ) as upstream:
            await socket.accept(subprotocol=upstream.subprotocol)

            async def to_replica() -> None:
                with contextlib.suppress(WebSocketDisconnect):
                    while True:
                        message = await socket.receive()
                        if message["type"] == "websocket.disconnect":
                            return
                        data = message.get("bytes") or message.get("text") or b""
                        await upstream.send(data)

            async def to_browser() -> None:
                with contextlib.suppress(websockets.ConnectionClosed):
                    async for data in upstream:
                        if isinstance(data, bytes):
                            await socket.send_bytes(data)
                        else:
                            await socket.send_text(data)

            tasks = [asyncio.create_task(to_replica()), asyncio.create_task(to_browser())]
            _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        with contextlib.suppress(Exception):
            await socket.close()
