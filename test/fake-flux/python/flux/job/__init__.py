"""flux.job: submit_async and cancel_async, as in flux-core 0.88."""

import json


class JobID(int):
    pass


class SubmitFuture:
    def __init__(self, future):
        self._future = future

    def then(self, callback, *args):
        self._future.then(lambda _f, *rest: callback(self, *rest), *args)
        return self

    def get_id(self):
        return JobID(self._future.get()["id"])

    def get(self):
        return self._future.get()

    def error_string(self):
        return self._future.error_string()


def submit_async(flux_handle, jobspec, urgency=16, waitable=False, debug=False, pre_signed=False, novalidate=False):
    if not isinstance(jobspec, str):
        jobspec = json.dumps(jobspec)
    return SubmitFuture(flux_handle.rpc("job-ingest.submit", {"jobspec": jobspec, "urgency": urgency, "flags": 0}))


def cancel_async(flux_handle, jobid, reason=None):
    payload = {"id": int(jobid), "severity": 0, "type": "cancel", "note": reason or ""}
    return flux_handle.rpc("job-manager.raise", payload)


class JobspecV1:
    """JobspecV1.from_command, as far as the benchmark's own-rate script uses it."""

    def __init__(self, jobspec):
        self.jobspec = jobspec

    @classmethod
    def from_command(cls, command, num_tasks=1, cores_per_task=1):
        return cls(
            {
                "resources": [{"type": "slot", "count": num_tasks, "with": [{"type": "core", "count": cores_per_task}], "label": "task"}],
                "tasks": [{"command": list(command), "slot": "task", "count": {"per_slot": 1}}],
                "attributes": {"system": {"duration": 0}},
                "version": 1,
            }
        )

    @property
    def cwd(self):
        return self.jobspec["attributes"]["system"].get("cwd")

    @cwd.setter
    def cwd(self, value):
        self.jobspec["attributes"]["system"]["cwd"] = value

    @property
    def environment(self):
        return self.jobspec["attributes"]["system"].get("environment")

    @environment.setter
    def environment(self, value):
        self.jobspec["attributes"]["system"]["environment"] = value

    def dumps(self):
        return json.dumps(self.jobspec)
