"""`digitalmarket serve` with several workers: connections are TCP with Nagle's algorithm off."""

import socket

import uvicorn

from digitalmarket.web.server import OPTIONS, listening_socket


def test_connections_accepted_on_the_workers_socket_send_without_delay():
    config = uvicorn.Config("digitalmarket.web.app:create_app", host="127.0.0.1", port=0, workers=2, **OPTIONS)
    listener = listening_socket(config)
    try:
        listener.listen()  # as each worker does
        assert listener.proto == socket.IPPROTO_TCP  # asyncio turns TCP_NODELAY on for such sockets only
        with socket.create_connection(listener.getsockname()[:2], timeout=5):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.proto == socket.IPPROTO_TCP
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listener.close()
