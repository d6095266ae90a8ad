"""jobgate's bridge to a Flux instance, run by jobgate as `flux python bridge.py`.

One long-lived process on one Flux handle and one reactor, so jobgate never starts an
interpreter per request and concurrent requests are pipelined: every request is issued
at once as an asynchronous Flux future and answered from that future's callback, in
whatever order Flux answers.

Protocol: JSON lines. jobgate writes requests on stdin; the bridge writes messages on
stdout. Job ids travel as decimal strings (they pass 2^53).

  in:  {"op": "submit", "rid": N, "jobspec": "<json>", "urgency": 16}
       {"op": "cancel", "rid": N, "id": "123", "reason": "..."}
       {"op": "urgency", "rid": N, "id": "123", "urgency": 0}
       {"op": "lookup", "rid": N, "id": "123"}          eventlog (and R once allocated)
       {"op": "ping", "rid": N}
       {"op": "journal"}                                 start the job-manager journal
       {"op": "watch", "id": "123"}                      follow a job's output eventlog
       {"op": "unwatch", "id": "123"}
  out: {"type": "hello", "version", "userid", "rlimit", "instance"}
       {"type": "reply", "rid": N, "ok": true, ...} or {"type": "reply", "rid": N,
        "ok": false, "errno": E, "error": "<Flux's words>"}
       {"type": "journal", "id": "123" or null (the end of the backlog), "events": [...],
        "jobspec"?: {...}, "R"?: {...}}
       {"type": "output", "id": "123", "event": {"timestamp", "name", "context"}}
       {"type": "output-end", "id": "123", "error": null or "<why>"}
       {"type": "fatal", "error": "..."}                 then the bridge exits 3

End of stdin: the bridge stops its watches and exits 0. A lost broker connection is fatal:
jobgate reconnects with a new bridge. It shows up as EPIPE/ECONNRESET on a call, or only as
the reactor stopping with no callback at all (what 0.88 did when its broker died), so a
reactor that returns before the end of stdin is a lost instance too.

Output watches: one per job, opened on guest.output with WAITCREATE (the eventlog appears
only when the job shell starts), canceled by jobgate once the job is clean. Several watches
on one job canceled at its start once aborted a 0.88 broker, so there is never more than one.
"""

import errno
import fnmatch
import json
import os
import resource
import sys

import flux
import flux.constants
import flux.job
from flux.job.event import RAW, JobEventWatchFuture

# Limits `flux submit` does not propagate by default (flux.job._utils.get_filtered_rlimits).
RLIMIT_SKIP = {"memlock", "ofile", "msgqueue", "nice", "rtprio", "rttime", "sigpending"}
LOST = {errno.EPIPE, errno.ECONNRESET, errno.ENOSYS, errno.ENOTCONN}


def emit(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def fatal(text):
    try:
        emit({"type": "fatal", "error": text})
    finally:
        os._exit(3)


def rlimits():
    """The soft limits `flux submit` copies into a jobspec, in the same order."""
    limits = {}
    for name in fnmatch.filter(resource.__dict__.keys(), "RLIMIT_*"):
        key = name[7:].lower()
        if key in RLIMIT_SKIP:
            continue
        limits[key] = resource.getrlimit(getattr(resource, name))[0]
    return limits


def error_text(future, exc):
    try:
        text = future.error_string()
        if text:
            return text
    except Exception:  # noqa: BLE001 - any failure here falls back to the exception
        pass
    return exc.strerror or str(exc)


class Bridge:
    def __init__(self, handle):
        self.h = handle
        self.pending = {}
        self.watches = {}
        self.journal = None
        self.inbuf = b""
        self.closing = False

    def reply(self, rid, ok=True, **fields):
        self.pending.pop(rid, None)
        emit(dict({"type": "reply", "rid": rid, "ok": ok}, **fields))

    def fail(self, rid, future, exc):
        self.reply(rid, ok=False, errno=exc.errno or 0, error=error_text(future, exc))

    # ---------------------------------------------------------------- requests
    def submit(self, rid, request):
        future = flux.job.submit_async(self.h, request["jobspec"], urgency=int(request.get("urgency", 16)))
        self.pending[rid] = future
        future.then(self.submitted, rid)

    def submitted(self, future, rid):
        try:
            jobid = future.get_id()
        except OSError as exc:
            self.fail(rid, future, exc)
            return
        self.reply(rid, id=str(int(jobid)))

    def cancel(self, rid, request):
        future = flux.job.cancel_async(self.h, int(request["id"]), request.get("reason") or None)
        self.pending[rid] = future
        future.then(self.done, rid)

    def urgency(self, rid, request):
        payload = {"id": int(request["id"]), "urgency": int(request["urgency"])}
        future = self.h.rpc("job-manager.urgency", payload)
        self.pending[rid] = future
        future.then(self.done, rid)

    def done(self, future, rid):
        try:
            future.get()
        except OSError as exc:
            self.fail(rid, future, exc)
            return
        self.reply(rid)

    def lookup(self, rid, request):
        jobid = int(request["id"])
        future = self.h.rpc("job-info.lookup", {"id": jobid, "keys": ["eventlog"], "flags": 0})
        self.pending[rid] = future
        future.then(self.looked_up, rid, jobid)

    def looked_up(self, future, rid, jobid):
        try:
            eventlog = future.get()["eventlog"]
        except OSError as exc:
            self.fail(rid, future, exc)
            return
        if '"name":"alloc"' not in eventlog:
            self.reply(rid, eventlog=eventlog, R=None)
            return
        # R exists once the job was allocated; ask for it separately so a missing key cannot
        # fail the eventlog lookup.
        again = self.h.rpc("job-info.lookup", {"id": jobid, "keys": ["R"], "flags": 0})
        self.pending[rid] = again
        again.then(self.looked_up_r, rid, eventlog)

    def looked_up_r(self, future, rid, eventlog):
        try:
            r_text = future.get()["R"]
        except OSError:
            r_text = None
        self.reply(rid, eventlog=eventlog, R=r_text)

    # ---------------------------------------------------------------- journal
    def start_journal(self):
        if self.journal is not None:
            return
        self.journal = self.h.rpc(
            "job-manager.events-journal", {"full": False}, flags=flux.constants.FLUX_RPC_STREAMING
        )
        self.journal.then(self.journaled)

    def journaled(self, future):
        try:
            payload = future.get()
        except OSError as exc:
            fatal(f"job-manager journal failed: {error_text(future, exc)}")
            return
        future.reset()
        jobid = payload.get("id", -1)
        message = {"type": "journal", "id": None if jobid == -1 else str(jobid), "events": payload.get("events", [])}
        if "jobspec" in payload:
            message["jobspec"] = payload["jobspec"]
        if "R" in payload:
            message["R"] = payload["R"]
        emit(message)

    # ---------------------------------------------------------------- output
    def watch(self, request):
        jobid = int(request["id"])
        if jobid in self.watches:
            return
        future = JobEventWatchFuture(
            RAW.event_watch(self.h, jobid, "guest.output", flux.constants.FLUX_JOB_EVENT_WATCH_WAITCREATE)
        )
        self.watches[jobid] = future
        future.then(self.output, jobid)

    def output(self, future, jobid):
        try:
            event = future.get_event()
        except OSError as exc:
            if self.watches.pop(jobid, None) is not None:
                emit({"type": "output-end", "id": str(jobid), "error": error_text(future, exc)})
            return
        if event is None:
            if self.watches.pop(jobid, None) is not None:
                emit({"type": "output-end", "id": str(jobid), "error": None})
            return
        if jobid in self.watches:
            emit({"type": "output", "id": str(jobid), "event": dict(event)})

    def unwatch(self, request):
        future = self.watches.pop(int(request["id"]), None)
        if future is not None:
            try:
                future.cancel(stop=True)
            except OSError:
                pass

    # ---------------------------------------------------------------- stdin
    def readable(self, _handle, _watcher, fd, _revents, _args=None):
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            self.close()
            return
        self.inbuf += chunk
        *lines, self.inbuf = self.inbuf.split(b"\n")
        for line in lines:
            if line.strip():
                self.dispatch(json.loads(line))

    def dispatch(self, request):
        op = request.get("op")
        rid = request.get("rid")
        try:
            if op == "submit":
                self.submit(rid, request)
            elif op == "cancel":
                self.cancel(rid, request)
            elif op == "urgency":
                self.urgency(rid, request)
            elif op == "lookup":
                self.lookup(rid, request)
            elif op == "ping":
                self.reply(rid)
            elif op == "journal":
                self.start_journal()
            elif op == "watch":
                self.watch(request)
            elif op == "unwatch":
                self.unwatch(request)
            elif rid is not None:
                self.reply(rid, ok=False, errno=errno.EINVAL, error=f"unknown op {op!r}")
        except OSError as exc:
            if exc.errno in LOST:
                fatal(f"lost the Flux instance: {exc.strerror or exc}")
            if rid is not None:
                self.reply(rid, ok=False, errno=exc.errno or 0, error=exc.strerror or str(exc))
        except (KeyError, TypeError, ValueError) as exc:
            if rid is not None:
                self.reply(rid, ok=False, errno=errno.EINVAL, error=f"bad request: {exc}")

    def close(self):
        self.closing = True
        for future in list(self.watches.values()):
            try:
                future.cancel(stop=True)
            except OSError:
                pass
        self.watches.clear()
        self.h.reactor_stop()


def attr(handle, name):
    try:
        return handle.attr_get(name)
    except OSError:
        return None


def main():
    try:
        handle = flux.Flux()
    except OSError as exc:
        fatal(f"Unable to connect to Flux: {exc.strerror or exc}")
        return
    bridge = Bridge(handle)
    os.set_blocking(0, False)
    stdin = handle.fd_watcher_create(0, bridge.readable, events=flux.constants.FLUX_POLLIN)
    stdin.start()
    rundir, broker_pid = attr(handle, "rundir"), attr(handle, "broker.pid")
    emit(
        {
            "type": "hello",
            "version": attr(handle, "version") or "unknown",
            "userid": os.getuid(),
            "rlimit": rlimits(),
            "instance": f"{rundir}|{broker_pid}" if rundir and broker_pid else None,
        }
    )
    try:
        handle.reactor_run()
        if not bridge.closing:
            fatal("lost the Flux instance: its reactor stopped (the broker connection closed)")
    except BrokenPipeError:
        os._exit(0)
    except OSError as exc:
        fatal(f"lost the Flux instance: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - report anything, then exit for jobgate to restart us
        fatal(f"bridge failed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
