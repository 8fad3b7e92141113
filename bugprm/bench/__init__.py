"""``bugprm bench``: learning curves of active learning, simulated from verdicts cached by one full execution.

Each repository's whole pool is executed once (ground truth, kept in its store); every strategy, budget and seed
then replays the active-learning loop with an oracle that reads those verdicts, so a curve costs training only.
"""

from bugprm.bench.request import BASELINES, BenchRequest, bench_request
from bugprm.bench.run import BENCH_VERSION, BenchResult, run_bench

__all__ = ["BASELINES", "BENCH_VERSION", "BenchRequest", "BenchResult", "bench_request", "run_bench"]
