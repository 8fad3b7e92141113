"""Step 2 of the estimate design's numpy replay (issue 15, sixth session): `--goal estimate`'s rounds replayed with the
real draw and estimate code (`bugprm.active.estimate`) on dumped base predictions (`estimate_design_dump.py`), the
learner replaced by the base alone (no forest refit), optionally moved toward the verdicts of labelled line-mates
(``alpha``: the prediction's weight in pseudo-verdicts; ``beta``: the same for function-mates first), recalibrated
in level (``recal``), with a uniform floor (``floor``; ``floor1``: the first round's). Each seed splits 70% of the
pool at random (not the bench's split) and draws 10% of it; printed per package and variant: the RMS error against
the plain random-sample mean's exact RMS, interval coverage, bias and mean width.

    python benchmarks/estimate_design_sim.py SEEDS '{"NAME": dict(alpha=1.0, beta=0, floor=0.2, rounds=4, recal=0)}' \
        DUMP.npz...
"""
import sys, math, numpy as np
from pathlib import Path
from collections import defaultdict
from bugprm.active.estimate import draw_round, estimate

def predictions(p, line, fn, known, y, alpha, beta, recal, labelled_only_covered):
    """Base p, blended with the labelled line-mates' and function-mates' verdicts."""
    out = p.copy()
    lab = [i for i in known if i in labelled_only_covered]
    if recal and len(lab) >= 10:
        z = np.log(np.clip(p, 1e-4, 1-1e-4) / (1 - np.clip(p, 1e-4, 1-1e-4)))
        ys = np.array([y[i] for i in lab]); shift = math.log((ys.mean()*len(ys)+0.5*1)/( (1-ys.mean())*len(ys)+0.5*1)) - np.mean(z[lab])
        # level shift only: move every log-odds so the labelled mean log-odds matches their observed log-odds
        out = 1 / (1 + np.exp(-(z + recal * shift)))
    if alpha is None:
        return out
    lk, lc, fk, fc = defaultdict(float), defaultdict(int), defaultdict(float), defaultdict(int)
    for i in lab:
        lk[line[i]] += y[i]; lc[line[i]] += 1; fk[fn[i]] += y[i]; fc[fn[i]] += 1
    prior = out
    if beta:
        prior = np.array([(fk[fn[i]] + beta * out[i]) / (fc[fn[i]] + beta) for i in range(len(p))])
    return np.array([(lk[line[i]] + alpha * prior[i]) / (lc[line[i]] + alpha) for i in range(len(p))])

def one(d, seed, alpha, beta, floor, rounds, recal, floor1=None):
    rng = np.random.default_rng(seed)
    n_all = len(d["y"]); train = rng.permutation(n_all)[: int(round(0.7 * n_all))]
    p, y, unc = d["heads"].mean(1)[train], d["y"][train].astype(int), d["unc"][train]
    line = [f"{a}:{b}" for a, b in zip(d["path"][train], d["line"][train])]; fn = [f"{a}:{b}" for a, b in zip(d["path"][train], d["fn"][train])]
    N = len(y); n = max(1, round(0.1 * N)); ids = list(range(N))
    p = np.where(unc, 0.0, p)
    known = {i: 0 for i in range(N) if unc[i]}
    covered = set(i for i in range(N) if not unc[i])
    draws = []
    for r in range(rounds):
        left = n - len(draws); cnt = math.ceil(left / (rounds - r))
        if cnt <= 0: break
        pred = predictions(p, line, fn, known, y, alpha, beta, recal, covered)
        pred = np.where(unc, 0.0, pred)
        fl = floor1 if (r == 0 and floor1 is not None) else floor
        dr = draw_round(ids, pred, known, cnt, rng, fl, r)
        draws += dr
        for dd in dr: known[dd.id] = int(y[dd.id])
    K = sum(known[i] for i in known if unc[i]); open_ = covered
    bounds = (0.0, len(covered) / N)
    e = estimate(draws, {i: int(y[i]) for i in range(N)}, N, 0.95, bounds)
    truth = y.mean()
    plain_var = y.var() * (N - n) / (N - 1) / n
    return e.value - truth, e.low <= truth <= e.high, plain_var, e.high - e.low

def main():
    seeds = int(sys.argv[1]); variants = eval(sys.argv[2]); files = sys.argv[3:]
    for f in files:
        d = dict(np.load(f)); name = Path(f).stem
        for label, kw in variants.items():
            res = [one(d, s, **kw) for s in range(seeds)]
            err = np.array([r[0] for r in res]); cov = np.mean([r[1] for r in res]); pv = np.mean([r[2] for r in res])
            print(f"{name:12s} {label:22s} ratio {math.sqrt((err**2).mean() / pv):.3f} cov {cov:.3f} bias {err.mean():+.4f} width {np.mean([r[3] for r in res]):.3f}", flush=True)

main()
