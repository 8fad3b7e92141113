"""The failure message records (``corpora/messages/``, ``bugprm corpus messages``) as a Markdown table: per package
the bugs executed, how many agree with the verdict file, the messages kept, the execution's CPU and wall seconds (and
the fetch's, where the backfill fetched the package) and the file's bytes.

    python benchmarks/message_records.py [--messages DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bugprm.corpus_build.message_record import MESSAGE_DIR, read_record

COLUMNS = ("package", "bugs executed", "agree", "messages", "CPU s", "wall s", "fetch CPU s", "bytes")


def row(path: Path) -> tuple:
    record = read_record(path)
    executed, cost = record["executed"], record["cost"]
    return (path.name.removesuffix(".json.gz"), len(executed), len(executed) - len(record["disagreements"]),
            sum(map(len, record["bugs"].values())), cost["cpu_seconds"], cost["wall_seconds"],
            cost.get("fetch_cpu_seconds", "-"), path.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=Path, default=MESSAGE_DIR)
    rows = [row(p) for p in sorted(parser.parse_args().messages.glob("*.json.gz"))]
    print("| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS))
    for found in rows:
        print("| " + " | ".join(map(str, found)) + " |")
    totals = [sum(r[i] for r in rows) for i in (1, 2, 3, 4, 5)]
    print(f"| {len(rows)} packages | " + " | ".join(f"{t:.0f}" for t in totals) + f" | | {sum(r[7] for r in rows)} |")


if __name__ == "__main__":
    main()
