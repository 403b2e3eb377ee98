"""Serve a Truss with the `truss` package's own server code, on 127.0.0.1 only.

Run by the Truss virtualenv's Python (`.venv-truss`, built by `packaging/bootstrap --test`), never
imported by the tests: `python truss_serve.py APP_DIR`, where APP_DIR is what
`truss image build-context` writes (the server's code in `server/`, the model in `model/`, its
`config.yaml`). The package's own `main.py` binds 0.0.0.0 (`TrussServer.start`); this builds the
same application (`TrussServer.create_application`) and serves it under uvicorn on a loopback
socket of its own, then prints `PORT <n>` once it listens.
"""

import os
import socket
import sys
from pathlib import Path

import uvicorn


def main() -> None:
    app_dir = Path(sys.argv[1]).resolve()
    server_dir = app_dir / "server"
    # As the image lays it out: the server's code and the model side by side in one folder.
    os.chdir(server_dir)
    if not (server_dir / "model").exists():
        (server_dir / "model").symlink_to(app_dir / "model")
    if not (server_dir / "config.yaml").exists():
        (server_dir / "config.yaml").symlink_to(app_dir / "config.yaml")
    sys.path.insert(0, str(server_dir))
    from truss_server import TrussServer  # the package's server, as its main.py starts it

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    truss = TrussServer(port, "config.yaml")
    config = uvicorn.Config(
        truss.create_application(), http="h11", log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    truss._server = server  # it stops the server itself when the model's load fails
    print(f"PORT {port}", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
