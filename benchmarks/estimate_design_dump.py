"""Step 1 of the estimate design's numpy replay (issue 15, sixth session): every judged candidate's base probability
(mean over the base's heads of the weakest step), verdict, coverage, file, line, function and operator, one .npz per
package, so that draw designs can be replayed without rerunning the loop (`estimate_design_sim.py`).

    python benchmarks/estimate_design_dump.py BASE OUT_DIR REPO...
"""
import sys, numpy as np
from pathlib import Path
from bugprm.bench.pools import recorded_pool
from bugprm.scoring.adapter import load_scorer
from bugprm.model.pmt_forest import is_valid_bug
from bugprm.active.coverage_known import known_uncovered
base_path, out = Path(sys.argv[1]), Path(sys.argv[2])
scorer = load_scorer(base_path)
for repo in map(Path, sys.argv[3:]):
    pool = recorded_pool(repo)
    cands = list(pool.candidates)
    scores = scorer.score(cands)
    heads = np.stack([np.min(np.array(s.per_head, dtype=float), axis=1) for s in scores])  # [cands, heads]
    np.savez(out / f"{repo.name}.npz", ids=np.array([c.id for c in cands]), heads=heads,
             y=np.array([is_valid_bug(pool.verdicts[c.id]) for c in cands]),
             unc=np.array([known_uncovered(c) for c in cands]),
             path=np.array([c.file for c in cands]), line=np.array([c.line for c in cands]),
             op=np.array([c.operator for c in cands]), fn=np.array([c.function for c in cands]))
    print(repo.name, len(cands), flush=True)
