"""flux.job.event: RAW.event_watch and JobEventWatchFuture, as in flux-core 0.88."""

import errno

from flux.eventlog import EventLogEvent


class _Raw:
    @staticmethod
    def event_watch(flux_handle, jobid, path, flags):
        future = flux_handle.rpc("job-info.eventlog-watch", {"id": int(jobid), "path": path, "flags": flags}, flags=2)
        future.watch_id = (int(jobid), path)
        return future


RAW = _Raw()


class JobEventWatchFuture:
    def __init__(self, future):
        self._future = future

    def then(self, callback, *args):
        self._future.then(lambda _f, *rest: callback(self, *rest), *args)
        return self

    def get_event(self, autoreset=True):
        try:
            payload = self._future.get()
        except OSError as exc:
            if exc.errno == errno.ENODATA:
                return None
            raise
        event = EventLogEvent(payload["event"])
        if autoreset:
            self._future.reset()
        return event

    def error_string(self):
        return self._future.error_string()

    def cancel(self, stop=False):
        handle = self._future.get_flux()
        # On a lost handle this raises BrokenPipeError, as watch_cancel did in 22.
        handle._send({"seq": 0, "topic": "cancel", "payload": {"seq": self._future.seq}})
        if stop:
            self._future.stop()
