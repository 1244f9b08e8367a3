"""uvicorn with several workers, as `uvicorn --workers N` runs them, but listening on a socket
made with IPPROTO_TCP, so that asyncio sets TCP_NODELAY on each connection.

uvicorn's own --workers socket leaves its protocol at 0, which accepted connections inherit, and
asyncio then leaves Nagle's algorithm on (uvicorn issue 3149): with its default asyncio loop and
h11 protocol, which write a response's headers and body apart, every request after the first on
a keep-alive connection waits about 40 ms for the client's delayed ACK. uvloop sets TCP_NODELAY
whatever the protocol says. bench/bench_api.py measures both, to tell the server's cost from
NSAI's.

    python bench/serve_nodelay.py ceiling_app:app --port 8001 --workers 2
    python bench/serve_nodelay.py api.app:create_app_from_environ --factory --port 8001
"""

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", help="module:attribute, as uvicorn takes it")
    parser.add_argument("--factory", action="store_true", help="the attribute makes the app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    config = uvicorn.Config(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        factory=args.factory,
        log_level=args.log_level,
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


if __name__ == "__main__":
    main()
