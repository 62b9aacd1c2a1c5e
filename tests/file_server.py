"""A real HTTP server on 127.0.0.1 that serves a folder, for tests that download.

It records every request and can be told to damage what it sends for a path
(``faults[path] = "corrupt"`` flips a byte, ``"truncate"`` sends a third of
the file and closes), as a broken mirror or a cut connection would.
"""

import http.server
import threading
from pathlib import Path


class FileServer:
    """``with FileServer(folder) as server: server.url``; ``server.requests``: paths served."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.requests = []
        self.faults = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?")[0]
                outer.requests.append(path)
                file = (outer.folder / path.lstrip("/")).resolve()
                if outer.folder.resolve() not in file.parents or not file.is_file():
                    self.send_error(404)
                    return
                data = file.read_bytes()
                fault = outer.faults.get(path)
                if fault == "corrupt":
                    data = data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF]) \
                        + data[len(data) // 2 + 1:]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:len(data) // 3] if fault == "truncate" else data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def count(self, fragment=""):
        """How many requests asked for a path containing ``fragment``."""
        return sum(fragment in path for path in self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
