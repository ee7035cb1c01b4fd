"""DNS rebinding in a test: a name whose DNS answer is a public address the first time it is asked and a private one
(a local listener) every time after, and a listener that counts the connections it accepts."""

import socket
import threading

PUBLIC_ADDRESS = "93.184.216.34"  # a global address; nothing here ever connects to it


class Listener:
    """A TCP port on 127.0.0.1 that accepts connections, counts them and closes them."""

    def __init__(self):
        self.accepted = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join(timeout=2)
        self.server.close()


def rebinding_resolver(monkeypatch, name: str) -> list[str]:
    """Make `name` resolve to PUBLIC_ADDRESS on the first lookup and to 127.0.0.1 on every later one, at the level of
    socket.getaddrinfo (what both the check and the HTTP client call). Other names resolve as usual. Returns the
    list of the addresses answered, in order."""
    real_getaddrinfo = socket.getaddrinfo
    answered: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host != name:
            return real_getaddrinfo(host, port, family, type, proto, flags)
        address = PUBLIC_ADDRESS if not answered else "127.0.0.1"
        answered.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answered
