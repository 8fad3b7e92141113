"""Fill a repair trajectory cache (``bugprm.corpus_build.repair_cache``) ahead of a base model's training, and time
each package's build: what ``train-base --repair-bugs N --repair-cache DIR`` and ``bench_base_model.py`` then read.

    python benchmarks/build_repair_cache.py --cache DIR --packages NAME,NAME,... [--repair-bugs 15]
        [--verdicts DIR] [--work DIR] [--stores DIR | --messages DIR]

The states' failure messages: from the build's stores with --stores, else from the committed records
(``corpora/messages/``, or --messages).

Packages in the order given; one already cached is read back (and timed) instead. Per package: seconds to build
its bug trajectories (the pool, from the work folder's regenerated pools) and its repair trajectories.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bugprm.corpus_build.base import BaseRequest, chosen_packages
from bugprm.corpus_build.build import VERDICT_DIR
from bugprm.corpus_build.failure_messages import document_messages
from bugprm.corpus_build.fetch import default_destination
from bugprm.corpus_build.message_record import MESSAGE_DIR
from bugprm.corpus_build.repair_cache import cached_repairs
from bugprm.corpus_build.repair_trajectories import RepairSample
from bugprm.corpus_build.trajectories import package_trajectories
from bugprm.corpus_build.verdicts import read_verdicts


def main() -> None:
    args = _arguments()
    request = BaseRequest(Path("/nonexistent"), args.verdicts, args.work, only=tuple(args.packages))
    files = chosen_packages(request)
    for name in args.packages:
        started = time.perf_counter()
        found = package_trajectories(files[name], args.work, request.manifests)
        middle = time.perf_counter()
        messages = document_messages(args.stores, read_verdicts(files[name]), files[name], args.messages)
        repairs = cached_repairs(found, files[name], args.work, RepairSample(args.repair_bugs), args.cache,
                                 request.manifests, messages)
        print(f"{found.label}: {len(found.candidates)} bug trajectories in {middle - started:.1f}s, "
              f"{len(repairs.candidates)} repair ({repairs.by_identity} by identity, messages of {len(messages)} "
              f"bugs) in {time.perf_counter() - middle:.1f}s", flush=True)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--packages", type=lambda v: [n for n in v.split(",") if n], required=True)
    parser.add_argument("--repair-bugs", type=int, default=15)
    parser.add_argument("--verdicts", type=Path, default=VERDICT_DIR)
    parser.add_argument("--work", type=Path, default=default_destination())
    parser.add_argument("--stores", type=Path, default=None)
    parser.add_argument("--messages", type=Path, default=MESSAGE_DIR)
    return parser.parse_args()


if __name__ == "__main__":
    main()
