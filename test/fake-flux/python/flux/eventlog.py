"""flux.eventlog.EventLogEvent: a dict with timestamp, name and context."""

import json


class EventLogEvent(dict):
    def __init__(self, event):
        if isinstance(event, str):
            event = json.loads(event)
        super().__init__(event)
        if "context" not in self:
            self["context"] = {}

    @property
    def name(self):
        return self["name"]

    @property
    def timestamp(self):
        return self["timestamp"]

    @property
    def context(self):
        return self["context"]
