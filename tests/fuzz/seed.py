#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/, not committed) from the
reference events and items, the demo account (`demo/`) and its AWS Config twin.

    python3 tests/fuzz/seed.py            # from anywhere; replaces the seeds, keeps what fuzzing found

Sources: tests/fixtures/config-events, tests/fixtures/reference, tests/fixtures/demo-config,
demo/, the controls' headers in queries/ (which control a change event names), and
../shared/reference/aws-config/examples when that checkout is next to the repository.
"""

import hashlib
import json
import re
import sys
import urllib.parse
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent.parent
SHARED = REPO.parent / "shared" / "reference" / "aws-config" / "examples"
TARGETS = ("config_event", "config_item", "cli_dump", "policy_document")
# The input size run.sh allows (-max_len); larger seeds are split where they are lists.
MAX_LEN = 8192


def read_json(path, required=True):
    """The file's JSON; None for an optional file that is no JSON (some references are not)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        if required:
            sys.exit(f"seed.py: {path}: {e}")
        return None


def json_files(directory):
    return sorted(p for p in directory.rglob("*.json") if p.is_file()) if directory.is_dir() else []


class Corpus:
    def __init__(self, target):
        self.dir = FUZZ / "corpus" / target
        self.dir.mkdir(parents=True, exist_ok=True)
        # Seeds are named seed-*; libFuzzer names what it adds by its SHA-1 and keeps it.
        for old in self.dir.glob("seed-*"):
            old.unlink()
        self.count = 0

    def add(self, data):
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
        if isinstance(data, str):
            data = data.encode()
        name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
        path = self.dir / name
        if not path.exists():
            path.write_bytes(data)
            self.count += 1


def controls():
    """(id, resource_type, trigger) of every control, from the SQL files' headers."""
    out = []
    for sql in sorted((REPO / "queries").glob("*/*.sql")):
        head = sql.read_text().split("*/", 1)[0]
        resource_type = re.search(r'^resource_type = "([^"]+)"', head, re.M)
        trigger = re.search(r'^trigger = "([^"]+)"', head, re.M)
        if resource_type and trigger:
            out.append((sql.stem, resource_type.group(1), trigger.group(1)))
    return out


def change_event(item, control):
    invoking = {
        "configurationItem": item,
        "notificationCreationTime": "2026-11-25T14:00:00.000Z",
        "messageType": "ConfigurationItemChangeNotification",
        "recordVersion": "1.3",
    }
    return {
        "invokingEvent": json.dumps(invoking),
        "ruleParameters": json.dumps({"controlId": control}),
        "resultToken": "TESTMODE",
        "eventLeftScope": False,
        "configRuleName": "posture-" + control.replace("_", "-"),
        "accountId": item.get("awsAccountId", "111122223333"),
    }


def scheduled_event(control):
    invoking = {
        "awsAccountId": "111122223333",
        "notificationCreationTime": "2026-11-25T14:00:00.000Z",
        "messageType": "ScheduledNotification",
        "recordVersion": "1.0",
    }
    return {
        "invokingEvent": json.dumps(invoking),
        "ruleParameters": "{}",
        "resultToken": "TESTMODE",
        "eventLeftScope": False,
        "configRuleName": "posture-" + control.replace("_", "-"),
    }


def event_items():
    """The demo's AWS Config twin, item by item (event shape)."""
    snapshot = read_json(REPO / "tests/fixtures/demo-config/config-snapshot.json")
    history = read_json(REPO / "tests/fixtures/demo-config/iam-resource-config-history.json")
    return snapshot["configurationItems"] + history["configurationItems"]


def seed_config_event(items):
    c = Corpus("config_event")
    events = REPO / "tests/fixtures/config-events"
    for path in json_files(events) + json_files(SHARED):
        doc = read_json(path, required=False)
        if path.name.startswith("invokingEvent-"):
            # An invoking event alone: wrapped as the Lambda gets it.
            c.add({"invokingEvent": json.dumps(doc), "ruleParameters": "{}", "resultToken": "TESTMODE",
                   "configRuleName": "posture-vpc-sg-no-unrestricted-ingress"})
        elif isinstance(doc, dict) and "invokingEvent" in doc:
            c.add(doc)
    by_type = {}
    for item in items:
        by_type.setdefault(item["resourceType"], []).append(item)
    for control, resource_type, trigger in controls():
        if trigger == "periodic":
            c.add(scheduled_event(control))
            continue
        # Two items per control: enough shapes, few slow seeds (each runs the control's SQL).
        for item in by_type.get(resource_type, [])[:2]:
            c.add(change_event(item, control))
    return c.count


def seed_config_item(items):
    c = Corpus("config_item")
    for path in (json_files(REPO / "tests/fixtures/demo-config") + json_files(REPO / "tests/fixtures/reference")
                 + json_files(REPO / "tests/fixtures/config-events") + json_files(SHARED)):
        c.add(path.read_bytes())
    for item in items:
        c.add(item)
    return c.count


def seed_cli_dump():
    c = Corpus("cli_dump")
    demo = REPO / "demo"
    for path in json_files(demo):
        relative = path.relative_to(demo).as_posix()
        # The target's input: the file's path below the inventory root, a newline, its JSON.
        seed = lambda doc: c.add(relative.encode() + b"\n" + json.dumps(doc, indent=1).encode())
        doc = read_json(path)
        seed(doc)
        # Big outputs also one element at a time: run.sh caps inputs at MAX_LEN bytes.
        if len(path.read_bytes()) > MAX_LEN:
            for key, items in doc.items():
                if isinstance(items, list):
                    for item in items:
                        seed({key: [item]})
    return c.count


def policy_documents(v):
    """Every IAM policy document in a JSON tree, as found (objects, URL-encoded strings)."""
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("PolicyDocument", "Document", "AssumeRolePolicyDocument", "policyDocument",
                     "document", "assumeRolePolicyDocument") and isinstance(x, (dict, str)):
                yield x
            else:
                yield from policy_documents(x)
    elif isinstance(v, list):
        for x in v:
            yield from policy_documents(x)


def seed_policy_document(items):
    c = Corpus("policy_document")
    sources = [read_json(REPO / "demo/111122223333/global/get-account-authorization-details.json")]
    sources += [item for item in items if item["resourceType"].startswith("AWS::IAM::")]
    for path in json_files(REPO / "tests/fixtures/reference") + json_files(SHARED):
        if "IAM" in path.name and (doc := read_json(path, required=False)) is not None:
            sources.append(doc)
    for source in sources:
        # API-shape items keep `configuration` as a JSON string.
        if isinstance(source, dict) and isinstance(source.get("configuration"), str):
            try:
                source = dict(source, configuration=json.loads(source["configuration"]))
            except ValueError:
                pass
        for doc in policy_documents(source):
            c.add(doc)
            if isinstance(doc, dict):
                c.add(urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe=""))
                c.add([doc])
    # A whole managed policy with its versions (the target also reads the bytes as one).
    for policy in sources[0].get("Policies", []):
        c.add(policy)
    return c.count


def main():
    items = event_items()
    counts = {
        "config_event": seed_config_event(items),
        "config_item": seed_config_item(items),
        "cli_dump": seed_cli_dump(),
        "policy_document": seed_policy_document(items),
    }
    for target in TARGETS:
        print(f"{target}: {counts[target]} seeds in {FUZZ / 'corpus' / target}")


if __name__ == "__main__":
    main()
