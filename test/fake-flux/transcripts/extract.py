#!/usr/bin/env python3
"""Builds the fixtures in this folder from the flux-core 0.88 recordings (the NN-*.json
capture files: each step's command line, stdin, exit code, stdout and stderr).

    python3 extract.py DIR_WITH_RECORDINGS

Keeps, unchanged, the steps the double implements; leaves out what no double can repeat
(random data, the host's real name, whole environments in dry runs, timing races) and the
commands jobgate never runs. The reasons are in SKIP below.
"""

import json
import re
import sys
from pathlib import Path

KEEP = [
    r"^flux queue (stop|start|status)$",
    r"^flux submit ",
    r"^flux submit$",
    r"^flux job submit",
    r"^flux job eventlog ",
    r"^flux job info ",
    r"^flux job wait-event ",
    r"^flux job urgency ",
    r"^flux job id ",
    r"^flux job cancel ",
    r"^flux cancel ",
    r"^flux getattr (size|hostlist|rank|instance-level|no-such-attr)$",
    r"^flux resource list$",
    r"^flux resource list -o json$",
    r"^flux resource list -n -o '\{state\} \{nnodes\} \{ncores\} \{ngpus\} \{nodelist\} \{rlist\}'$",
    r"^flux resource status$",
    r"^flux resource status -n -o '\{state\} \{nnodes\} \{ranks\} \{nodelist\}'$",
    r"^flux resource R$",
    r"^flux resource (drain|undrain) ",
    r"^flux no-such-subcommand$",
    r"^FLUX_URI=\S+ flux jobs$",
    r"^env -u FLUX_URI flux jobs$",
]

SKIP = {
    "--dry-run": "prints the submitter's whole environment (jobspec.test.ts compares the shapes)",
    "-p exec": "the exec eventlog: jobgate does not read it",
    " -F": "streaming: timing, not content (the executor tests follow live output)",
    "FLUX_F58_FORCE_ASCII": "set in the environment of the recording only",
    "/dev/urandom": "random bytes",
    "-l hostname": "prints the real host's name",
    "--to=words": "mnemonic ids: not implemented by the double",
    "hold": "a race in the recording: the released job had been allocated 11 ms earlier",
    "--cc=": "several jobs from one submit: not implemented by the double",
    "--alcohol-academy-academy": "mnemonic id input: not implemented by the double",
}


def keep(step):
    cmd = step["cmd"]
    if not any(re.search(pattern, cmd) for pattern in KEEP):
        return False
    if any(marker in cmd for marker in SKIP):
        return False
    return "FLUX_F58_FORCE_ASCII" not in step.get("note", "")


ID = re.compile(r"ƒ[1-9A-HJ-NP-Za-km-z]+")


def steps(recording, setup):
    """Kept steps, minus those about a job whose submit was left out."""
    known = {item["recorded_id"] for item in setup}
    kept = []
    for step in recording["steps"]:
        submits = step["cmd"].startswith(("flux submit", "flux job submit"))
        if submits and not keep(step):
            continue
        converts = step["cmd"].startswith("flux job id")
        if not submits and (not keep(step) or (not converts and any(ref not in known for ref in ID.findall(step["cmd"])))):
            continue
        if submits:
            known.update(ID.findall(step["stdout"]))
        item = {key: step[key] for key in ("cmd", "stdin", "rc", "stdout", "stderr", "note") if key in step}
        kept.append(item)
    return kept


# Jobs a recording refers to that an earlier recording submitted: the replay submits them first.
SETUP = {
    "16-errors.json": [{"cmd": "flux submit echo hello", "recorded_id": "ƒ3uF7Vrf", "wait": "clean"}],
}

# The `flux job id` conversions use fixed ids: kept apart so no id mapping touches them.
SPLIT = {"02-job-submit-and-id-formats.json": ("02-ids.json", lambda step: step["cmd"].startswith("flux job id"))}


def main():
    source = Path(sys.argv[1])
    here = Path(__file__).parent
    for name in [
        "02-job-submit-and-id-formats.json",
        "03-lifecycle-success.json",
        "04-lifecycle-failure-exit3.json",
        "05-lifecycle-exec-failure.json",
        "06-lifecycle-canceled.json",
        "07-lifecycle-timeout.json",
        "08-lifecycle-held-then-released.json",
        "12-output-unicode-and-binary.json",
        "14-resources-size1.json",
        "15-resources-size2.json",
        "16-errors.json",
    ]:
        recording = json.loads((source / name).read_text())
        size = int(re.search(r"--test-size=(\d+)", recording.get("instance", "")).group(1))
        kept = steps(recording, SETUP.get(name, []))
        outputs = {name: kept}
        if name in SPLIT:
            other, belongs = SPLIT[name]
            outputs = {name: [s for s in kept if not belongs(s)], other: [s for s in kept if belongs(s)]}
        for out_name, out_steps in outputs.items():
            fixture = {
                "source": name,
                "title": recording.get("title"),
                "flux_version": recording.get("flux_version"),
                "size": size,
                "setup": SETUP.get(name, []),
                "steps": out_steps,
            }
            (here / out_name).write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")
            print(f"{out_name}: {len(out_steps)} steps")
    extra(source, here)


def extra(source, here):
    """Fixtures for unit tests (not replayed): dry-run jobspecs and the Python API report."""
    dry = [
        {key: step[key] for key in ("cmd", "rc", "stdout", "stderr") if key in step}
        for name in ("01-submit-dry-run-jobspecs.json", "15-resources-size2.json", "16-errors.json")
        for step in json.loads((source / name).read_text())["steps"]
        if "--dry-run" in step["cmd"]
    ]
    (here / "01-dry-run-jobspecs.json").write_text(
        json.dumps({"source": "01, 15, 16", "replay": False, "steps": dry}, ensure_ascii=False, indent=1) + "\n"
    )
    attach = [
        {key: step[key] for key in ("cmd", "rc", "stdout", "stderr") if key in step}
        for name in sorted(path.name for path in source.glob("[0-9][0-9]-*.json"))
        for step in json.loads((source / name).read_text())["steps"]
        if step.get("cmd", "").startswith("flux job attach ") and "stdout_base64" not in step
    ]
    (here / "attach.json").write_text(
        json.dumps({"source": "03-16: flux job attach", "replay": False, "steps": attach}, ensure_ascii=False, indent=1) + "\n"
    )
    recording = json.loads((source / "21-python-bindings.json").read_text())
    sections = ("raw-journal-response", "journal", "output_event_watch", "cancel_async-result", "cancel_async-unknown")
    report = [item for item in recording["report"] if item["section"] in sections]
    (here / "21-python-bindings.json").write_text(
        json.dumps({"source": "21-python-bindings.json", "replay": False, "report": report}, ensure_ascii=False, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
