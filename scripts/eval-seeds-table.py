#!/usr/bin/env python3
# eval-seeds-table.py DIR: the "Over 5 seeds" table of docs/EVAL.md from DIR/<data>-<seed>.json
# (gebm eval --json of the bundled 2-D models): mean ± standard error over seeds of each measure for
# the generator, the GEBM at β = 1 (SIR; and IS, the generator's own samples weighted by exp(−E)) and at
# β = 100, and of the within-seed gains (positive = GEBM better), with the seeds where the GEBM is better.
#
# eval-seeds-table.py --fid FILE...: for image models (gebm eval --json on MNIST, one file per sampling
# seed), FID per seed and mean ± standard error: the generator, β = 1 by SIR, β = 1 by IS with its
# permutation control (the same weights shuffled: mean ± spread, p) and the bias-matched gain
# (control mean − IS FID, positive = the energy's weights do better than chance), and β = 100; then KID's
# gain (generator KID − IS KID) with its permutation p-value where the JSON has the KID control.
import json, glob, math, sys, os
def ms(xs):
    n = len(xs); m = sum(xs)/n
    se = math.sqrt(sum((x-m)**2 for x in xs)/(n-1)/n) if n > 1 else 0
    return m, se
def f(v, kind):
    m, se = v
    if kind == "pct": t = f"{100*m:.1f} ± {100*se:.1f}"
    elif kind == "modes": t = f"{m:.1f} ± {se:.1f}"
    elif kind == "nll": t = f"{m:.2f} ± {se:.2f}"
    else: t = f"{m:.5f} ± {se:.5f}"
    return t.replace("-", "−")
def control(c, key):
    # the control's mean and spread; "mean_fid"/"std_fid" in JSON written before the KID control
    return c.get(key, c.get(key + "_fid"))
def fid_table(paths):
    runs = [(p, json.load(open(p))) for p in paths]
    print("| seed | n | generator | β=1 (SIR) | β=1 (IS) | IS's shuffles (mean ± spread) | p | gain of IS over its shuffles | β=100 | ESS (IS) | KID gain of IS | KID p |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    cols = {k: [] for k in ["g", "s", "i", "c", "gain", "t", "kgain"]}
    for p, r in runs:
        fid = lambda k: r[k]["fid_classifier_features"]
        c = r["gebm_beta1_is"]["fid_weights_shuffled"]
        kc = r["gebm_beta1_is"].get("kid_weights_shuffled")
        v = {"g": fid("generator"), "s": fid("gebm_beta1_sir"), "i": fid("gebm_beta1_is"), "c": control(c, "mean"),
             "gain": control(c, "mean") - fid("gebm_beta1_is"), "t": fid("gebm"),
             "kgain": r["generator"]["kid_classifier_features"] - r["gebm_beta1_is"]["kid_classifier_features"]}
        for k in cols: cols[k].append(v[k])
        kp = f"{kc['p_value']:.3f}" if kc else "–"
        seed = f"{r['seed']}" + (f" (test rows from {r['test_offset']})" if r.get("test_offset") else "")
        print(f"| {seed} | {r['n']} | {v['g']:.3f} | {v['s']:.3f} | {v['i']:.3f} | {control(c, 'mean'):.3f} ± {control(c, 'std'):.3f} | "
              f"{c['p_value']:.3f} | {v['gain']:+.3f} | {v['t']:.3f} | {100*r['is_ess_fraction']:.1f}% | {v['kgain']:+.4f} | {kp} |".replace("-", "−"))
    if len(runs) > 1:
        m = {k: ms(x) for k, x in cols.items()}
        t = lambda k: f"{m[k][0]:.3f} ± {m[k][1]:.3f}"
        won = lambda k: sum(1 for x in cols[k] if x > 0)
        print(f"| mean ± s.e. | | {t('g')} | {t('s')} | {t('i')} | {t('c')} | | {m['gain'][0]:+.3f} ± {m['gain'][1]:.3f} ({won('gain')}/{len(runs)}) | {t('t')} | | "
              f"{m['kgain'][0]:+.4f} ± {m['kgain'][1]:.4f} ({won('kgain')}/{len(runs)}) | |".replace("-", "−"))

if sys.argv[1] == "--fid":
    fid_table(sys.argv[2:])
    sys.exit(0)
d = sys.argv[1]
print("| data | measure | generator | GEBM β=1 (SIR) | gain at β=1 (SIR) | GEBM β=1 (IS) | gain at β=1 (IS) | GEBM β=100 | gain at β=100 |")
print("|---|---|---|---|---|---|---|---|---|")
for data in ["8gaussians", "25gaussians", "rings"]:
    runs = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(d, f"{data}-*.json")))]
    if not runs: continue
    rows = []
    if runs[0]["generator"].get("modes"):
        rows += [("modes covered", lambda r: r["modes"]["Covered"], "modes", +1),
                 ("high-quality %", lambda r: r["modes"]["HighQuality"], "pct", +1)]
    rows += [("MMD²", lambda r: r["mmd2"], "num", -1), ("NLL", lambda r: r["nll"], "nll", -1), ("KALE", lambda r: r["kale"], "num", -1)]
    first = True
    for name, get, kind, sign in rows:
        g = [get(r["generator"]) for r in runs]; s = [get(r["gebm_beta1_sir"]) for r in runs]; t = [get(r["gebm"]) for r in runs]
        i = [get(r["gebm_beta1_is"]) for r in runs]
        gs = [sign*(b-a) for a, b in zip(g, s)]; gt = [sign*(b-a) for a, b in zip(g, t)]; gi = [sign*(b-a) for a, b in zip(g, i)]
        def gain(v):
            m, se = ms(v)
            txt = f(ms(v), kind)
            won = sum(1 for x in v if x > 0)
            return (("+" + txt) if m >= 0 else txt) + f" ({won}/{len(v)})"
        print(f"| {data if first else ''} | {name} | {f(ms(g), kind)} | {f(ms(s), kind)} | {gain(gs)} | {f(ms(i), kind)} | {gain(gi)} | {f(ms(t), kind)} | {gain(gt)} |")
        first = False
    ess = [r["sir"]["ess_fraction"] for r in runs]; iess = [r["is_ess_fraction"] for r in runs]
    print(f"|  | ESS of the weights | | {100*min(ess):.2f}–{100*max(ess):.2f}% (pool) | | {100*min(iess):.2f}–{100*max(iess):.2f}% | | | |")
