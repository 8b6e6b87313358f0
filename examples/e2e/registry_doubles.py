"""Test doubles around the real registry of the end-to-end tests, each a small HTTP server on
127.0.0.1 in a thread of the test process:

- `TokenServer`: the token service of distribution's `auth: token:` flow. It checks Basic
  credentials and issues a JWT (RS256, signed with `openssl`) granting the scopes asked for; the
  registry (real) verifies it against the certificate bundle `TokenServer.registry_auth()` names.
- `Proxy`: forwards to a real registry and lets a test change answers on the way (429 first,
  a malformed manifest, a tag deleted between the list and the fetch).
- `Hanging`: accepts connections and never answers.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import secrets
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1:<free port> with a handler class; a context manager."""

    def __init__(self, handler: type) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass

    def reply(self, status: int, body: bytes, headers: Optional[Dict[str, str]] = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class TokenServer(_Server):
    """Issues registry tokens to `user`:`password` (Basic auth on the token request)."""

    SERVICE = "relman-test-registry"
    ISSUER = "relman-test-token-server"

    def __init__(self, root: Path, user: str, password: str) -> None:
        super().__init__(_TokenHandler)
        self.user, self.password = user, password
        self.requests: List[str] = []
        root.mkdir(parents=True, exist_ok=True)
        self.key, self.cert = root / "token.key", root / "token.crt"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self.key), "-out", str(self.cert), "-days", "2", "-subj", "/CN=relman-test-token-server"],
            check=True,
            capture_output=True,
        )
        der = subprocess.run(["openssl", "x509", "-in", str(self.cert), "-outform", "DER"], check=True, capture_output=True).stdout
        self.x5c = base64.b64encode(der).decode()

    def registry_auth(self) -> Dict[str, object]:
        """The `auth:` section of a registry that trusts this server."""
        return {"token": {"realm": f"{self.url}/token", "service": self.SERVICE, "issuer": self.ISSUER, "rootcertbundle": str(self.cert)}}

    def token(self, subject: str, scopes: List[str]) -> str:
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": [a for a in actions.split(",") if a]})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {"iss": self.ISSUER, "sub": subject, "aud": self.SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now, "jti": secrets.token_hex(8), "access": access}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(self.key)], input=signing_input.encode(), check=True, capture_output=True).stdout
        return f"{signing_input}.{_b64url(signature)}"


class _TokenHandler(_Quiet):
    def do_GET(self) -> None:  # noqa: N802 (the base's name)
        server: TokenServer = self.server.owner  # type: ignore[attr-defined]
        server.requests.append(self.path)
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        expected = "Basic " + base64.b64encode(f"{server.user}:{server.password}".encode()).decode()
        if url.path != "/token" or self.headers.get("Authorization") != expected:
            self.reply(401, b'{"details":"wrong user or password"}', {"Content-Type": "application/json"})
            return
        if query.get("service") != [TokenServer.SERVICE]:
            self.reply(400, b'{"details":"unknown service"}', {"Content-Type": "application/json"})
            return
        token = server.token(server.user, query.get("scope", []))
        self.reply(200, json.dumps({"token": token, "expires_in": 300}).encode(), {"Content-Type": "application/json"})


#: A hook of the proxy: (method, path) -> an answer (status, headers, body) to send instead of
#: forwarding, or None to forward.
Before = Callable[[str, str], Optional[Tuple[int, Dict[str, str], bytes]]]
#: After forwarding: (method, path, status, headers, body) -> the answer to send.
After = Callable[[str, str, int, Dict[str, str], bytes], Tuple[int, Dict[str, str], bytes]]


class Proxy(_Server):
    """Forwards every request to `upstream` (host:port), through the hooks."""

    def __init__(self, upstream: str, before: Optional[Before] = None, after: Optional[After] = None) -> None:
        super().__init__(_ProxyHandler)
        self.upstream = upstream
        self.before = before
        self.after = after
        self.requests: List[str] = []


class _ProxyHandler(_Quiet):
    def _forward(self) -> None:
        proxy: Proxy = self.server.owner  # type: ignore[attr-defined]
        proxy.requests.append(f"{self.command} {self.path}")
        if proxy.before is not None:
            answer = proxy.before(self.command, self.path)
            if answer is not None:
                status, headers, body = answer
                self.reply(status, body, headers)
                return
        connection = http.client.HTTPConnection(proxy.upstream, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        connection.request(self.command, self.path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        out = {k: v for k, v in response.getheaders() if k.lower() not in ("content-length", "connection", "transfer-encoding")}
        status = response.status
        connection.close()
        if proxy.after is not None:
            status, out, body = proxy.after(self.command, self.path, status, out, body)
        self.reply(status, body, out)

    do_GET = _forward
    do_HEAD = _forward


class Hanging:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.held: List[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.socket.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)

    def __enter__(self) -> "Hanging":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.socket.close()
        for connection in self.held:
            connection.close()
