"""The double's Flux handle: the part of flux-core 0.88's Python API that jobgate's bridge
uses, over the double's broker socket (JSON lines, see test/fake-flux/server.ts).

Same call shapes and semantics as the real bindings: futures with then(callback, *args),
get() raising OSError(errno, strerror) with Flux's words, reset() to wait for the next
response of a streaming RPC, fd watchers, and one reactor per handle.
"""

import errno
import json
import os
import selectors
import socket


def _broken():
    return BrokenPipeError(errno.EPIPE, "Broken pipe")


class Future:
    def __init__(self, handle, seq, streaming):
        self.handle = handle
        self.seq = seq
        self.streaming = streaming
        self.responses = []
        self.callback = None
        self.args = ()
        self.armed = False
        self.stopped = False

    # -- flux.future.Future API -------------------------------------------------
    def then(self, callback, *args):
        self.callback = callback
        self.args = args
        self.armed = True
        self.handle._wake(self)
        return self

    def get(self):
        if not self.responses:
            self.handle._wait(self)
        response = self.responses[0]
        if "errno" in response:
            raise OSError(response["errno"], response.get("error", os.strerror(response["errno"])))
        return response.get("payload", {})

    def reset(self):
        if self.responses:
            self.responses.pop(0)
        self.armed = self.callback is not None
        self.handle._wake(self)

    def error_string(self):
        if self.responses and "errno" in self.responses[0]:
            return self.responses[0].get("error")
        return None

    def get_flux(self):
        return self.handle

    def stop(self):
        self.stopped = True
        self.handle.futures.pop(self.seq, None)

    # -- called by the handle ---------------------------------------------------
    def _deliver(self, response):
        self.responses.append(response)
        self.handle._wake(self)

    def _ready(self):
        return self.armed and self.responses and not self.stopped


class Watcher:
    def __init__(self, handle, fd, callback, args):
        self.handle = handle
        self.fd = fd
        self.callback = callback
        self.args = args

    def start(self):
        self.handle.selector.register(self.fd, selectors.EVENT_READ, self)

    def stop(self):
        try:
            self.handle.selector.unregister(self.fd)
        except (KeyError, ValueError):
            pass


class Handle:
    def __init__(self, url=None):
        uri = url or os.environ.get("FLUX_URI", "local:///run/flux/local")
        path = uri[len("local://"):] if uri.startswith("local://") else uri
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError:
            raise OSError(errno.ENOENT, f"broker socket {path} was not found") from None
        self.sock.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.sock, selectors.EVENT_READ, None)
        self.futures = {}
        self.ready = []
        self.seq = 0
        self.buffer = b""
        self.running = False
        self.closed = False

    # -- RPC --------------------------------------------------------------------
    def rpc(self, topic, payload=None, nodeid=0, flags=0):
        self.seq += 1
        future = Future(self, self.seq, bool(flags & 2))
        self.futures[self.seq] = future
        self._send({"seq": self.seq, "topic": topic, "payload": payload or {}, "userid": os.getuid()})
        return future

    def _send(self, message):
        if self.closed:
            raise _broken()
        data = (json.dumps(message) + "\n").encode()
        self.sock.setblocking(True)
        try:
            self.sock.sendall(data)
        except OSError:
            self._lost()
            raise _broken() from None
        finally:
            self.sock.setblocking(False)

    def attr_get(self, name):
        future = self.rpc("attr.get", {"name": name})
        return future.get()["value"]

    # -- reactor ----------------------------------------------------------------
    def fd_watcher_create(self, fd, callback, events=None, args=None):
        return Watcher(self, fd, callback, args)

    def _wake(self, future):
        if future._ready() and future not in self.ready:
            self.ready.append(future)

    def _read(self):
        try:
            chunk = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._lost()
            return
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            response = json.loads(line)
            future = self.futures.get(response["seq"])
            if future is None:
                continue
            if "errno" in response or not future.streaming:
                self.futures.pop(response["seq"], None)
            future._deliver(response)

    def _lost(self):
        # As recorded when a 0.88 broker died (22): the reactor stopped and reactor_run()
        # returned, no future's callback ran (none got an error), and the next call on the
        # handle raised BrokenPipeError [Errno 32].
        if self.closed:
            return
        self.closed = True
        try:
            self.selector.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        self.ready.clear()
        self.running = False

    def _poll(self, timeout):
        for key, _mask in self.selector.select(timeout):
            if key.data is None:
                self._read()
            else:
                watcher = key.data
                watcher.callback(self, watcher, watcher.fd, 1, watcher.args)

    def _wait(self, future):
        """Blocks (outside callbacks' order) until `future` has a response, as Future.get does."""
        while not future.responses:
            if self.closed:
                raise _broken()
            for key, _mask in self.selector.select(1.0):
                if key.data is None:
                    self._read()

    def reactor_run(self):
        self.running = True
        while self.running:
            while self.ready and self.running:
                future = self.ready.pop(0)
                if not future._ready():
                    continue
                future.armed = False
                future.callback(future, *future.args)
            if self.running:
                self._poll(0 if self.ready else 1.0)
        return 0

    def reactor_stop(self):
        self.running = False
