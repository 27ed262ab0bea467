#!/usr/bin/env python3
"""A straightforward Python peer for `rn50-exp ingest` on NGC dllogger console logs.

What a user would write in an afternoon: a regex per line for the `DLL <datetime> - ...` format
(also behind an mpirun --tag-output prefix) and sqlite3 executemany of the same metric rows
(run, key, level, epoch, step, time, value) into a table indexed like ours, one transaction per
file, synchronous=NORMAL in WAL mode. It stores only metric rows (no runs/epochs/params/views):
the comparison is generous to the peer.
"""
import datetime
import os
import re
import sqlite3
import sys

LINE = re.compile(r"DLL (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) - (.*)")
HEAD = re.compile(r"(Summary|PARAMETER)|Epoch: (\d+)(?:\s+Iteration: (\d+))?")
METRIC = re.compile(r"([A-Za-z_][\w.]*) : ([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf))")


def ingest(db, path, run_id):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if not m:
                continue
            h = HEAD.match(m.group(2))
            if not h or h.group(1) == "PARAMETER":
                continue
            t = datetime.datetime.fromisoformat(m.group(1)).replace(
                tzinfo=datetime.timezone.utc).timestamp()
            if h.group(1) == "Summary":
                level, epoch, step = "summary", None, None
            elif h.group(3) is not None:
                level, epoch, step = "iter", float(h.group(2)), int(h.group(3))
            else:
                level, epoch, step = "epoch", float(h.group(2)), None
            for key, value in METRIC.findall(m.group(2), h.end()):
                rows.append((run_id, key, level, epoch, step, t, float(value)))
    db.executemany("INSERT INTO metrics VALUES (?,?,?,?,?,?,?)", rows)
    return len(rows)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: peer.py DB FILE|DIR...")
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS metrics(run_id INTEGER, key TEXT, level TEXT, "
               "epoch REAL, step INTEGER, time REAL, value REAL)")
    db.execute("CREATE INDEX IF NOT EXISTS metrics_by_series ON metrics(run_id, key, level)")
    files = []
    for arg in sys.argv[2:]:
        if os.path.isdir(arg):
            for root, _, names in os.walk(arg):
                files += [os.path.join(root, n) for n in names]
        else:
            files.append(arg)
    total = 0
    for run_id, path in enumerate(sorted(files), start=1):
        db.execute("BEGIN")
        total += ingest(db, path, run_id)
        db.execute("COMMIT")
    print(f"peer: {len(files)} files, {total} metric rows")


if __name__ == "__main__":
    main()
