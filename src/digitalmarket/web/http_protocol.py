"""The HTTP/1.1 protocol the platform is served with: uvicorn's httptools protocol, with a bound on a
request's head (its request line and header fields).

uvicorn's pure-Python protocol (h11) refuses a head that grows past 16 KiB; its httptools protocol keeps
a head of any size in memory until it ends (a 192 MB header field grew a worker by 280 MB). This one
counts what arrives while a head is being read and, once it passes `MAX_HEAD`, answers 431 (Request
Header Fields Too Large) in Korean and English and closes the connection, before the parser keeps more.
Bodies are bounded by the app (`web.middleware.BodyLimitMiddleware`).
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

#: The most a request's line and header fields may take, in bytes. Browsers send a few KiB (cookies
#: included); h11 allows 16 KiB, common proxies 8 to 64 KiB.
MAX_HEAD = 64 * 1024

TOO_LARGE = (
    f"요청 머리글이 너무 큽니다: 주소와 머리글을 합쳐 {MAX_HEAD // 1024} KiB까지 받습니다.\n"
    f"Request header fields too large: the request line and headers may take at most {MAX_HEAD // 1024} KiB.\n"
).encode()


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools, refusing a request head over `MAX_HEAD` bytes with 431 and closing the connection.

    A head is counted chunk by chunk as the connection delivers it: a chunk that began while a head was
    being read and ended with that head still unfinished adds its size. A chunk in which a head ends
    starts the count again (what follows is a body, or the next request of a pipelined connection, counted
    from its next chunk), so the bound holds within one chunk."""

    _reading_head = True  # until the current request's header fields are complete
    _heads = 0  # heads completed on this connection
    _head_bytes = 0

    def data_received(self, data: bytes) -> None:
        began_in_head, heads = self._reading_head, self._heads
        super().data_received(data)
        if self.transport.is_closing():
            return
        if began_in_head and self._reading_head and heads == self._heads:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD:
                self._refuse_head()
        else:
            self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._heads += 1
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_head = True

    def _refuse_head(self) -> None:
        self.logger.warning("Request head over %d bytes refused (431).", MAX_HEAD)
        content = [STATUS_LINE[431]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: " + str(len(TOO_LARGE)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                TOO_LARGE,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
