#!/usr/bin/env python3
"""One gebm training iteration in PyTorch eager mode, for a side-by-side
iterations/s with native/cuda's BenchmarkIteration (scripts/gpu-check.sh).

The iteration is the one native/train runs, at the MNIST default size:

  energy step: y = B(z) (no gradient); e = E([x; y]);
      L = mean(E(x) + A) + mean(exp(-(E(y) + A))) - 1 (log-mean-exp form)
        + gp * mean ||grad_x E(x_hat)||^2,  x_hat = alpha x + (1 - alpha) y
      (double backward); Adam(0.5, 0.999, eps 1e-8) on E and A; one step
      of power iteration for the spectrally normalised layers
      (sigma = u^T W v with u, v constants, as gebm and PyTorch do).
  base step: y = B(z); e = E(y); w = softmax(-e) (constant); the gradient
      sum_i w_i grad_theta E(B(z_i)) through loss = sum(w * e); Adam on B.

Each step brings its logged scalars back to the host (one synchronisation),
and the batches are copied from host memory every step, as gebm does.
float32 throughout; TF32 stays off unless --tf32.

  python3 scripts/bench/torch_train.py --iters 200
  python3 scripts/bench/torch_train.py --device cpu --threads 1 --iters 30
      (the CPU baseline of make bench-train-torch, scripts/bench/train-torch.sh)

With --arch dcgan the networks are gebm's dcgan pair (shared/model/dcgan.go)
for images of --image-channels × S × S (S² · image channels = --dim; MNIST:
1 × 28 × 28) and channel width ch = --channels:

  base:   Linear(latent -> 2ch·(S/4)²), viewed as 2ch × S/4 × S/4;
          BatchNorm2d(2ch), ReLU; ConvTranspose2d(2ch -> ch, 4, 2, 1);
          BatchNorm2d(ch), ReLU; ConvTranspose2d(ch -> C, 4, 2, 1); Tanh
          (batch statistics, as gebm's training steps use)
  energy: Conv2d(C -> ch, 4, 2, 1), LeakyReLU; Conv2d(ch -> 2ch, 4, 2, 1),
          LeakyReLU; flatten; Linear(2ch·(S/4)² -> 1); each spectrally
          normalised as gebm does (a conv weight read as Out × (In·4·4))

Both read and give flat rows, so the steps are the same code. The thread
count is --threads, else OMP_NUM_THREADS or PyTorch's default; it is printed.

  OMP_NUM_THREADS=1 python3 scripts/bench/torch_train.py --device cpu --arch dcgan --batch 64 --channels 32
"""
import argparse
import math
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda", help="cuda or cpu (default cuda)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--latent", type=int, default=64)
    p.add_argument("--dim", type=int, default=784)
    p.add_argument("--base-hidden", default="256,512")
    p.add_argument("--energy-hidden", default="512,256")
    p.add_argument("--slope", type=float, default=0.2, help="LeakyReLU slope of the energy")
    p.add_argument("--gp", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--no-spectral-norm", action="store_true")
    p.add_argument("--iters", type=int, default=200, help="timed iterations")
    p.add_argument("--warmup", type=int, default=20, help="untimed iterations first")
    p.add_argument("--data-on-device", action="store_true",
                   help="keep the batches on the device (no copy per step)")
    p.add_argument("--tf32", action="store_true", help="allow TF32 matrix products")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0,
                   help="CPU threads (torch.set_num_threads; 0: PyTorch's default)")
    p.add_argument("--arch", default="mlp", choices=["mlp", "dcgan"],
                   help="mlp (--base-hidden, --energy-hidden) or gebm's dcgan pair (--channels)")
    p.add_argument("--channels", type=int, default=32, help="with --arch dcgan, the channel width")
    p.add_argument("--image-channels", type=int, default=1, help="with --arch dcgan, the images' channels")
    a = p.parse_args(argv)
    try:
        a.base_hidden = [int(v) for v in a.base_hidden.split(",") if v]
        a.energy_hidden = [int(v) for v in a.energy_hidden.split(",") if v]
    except ValueError:
        p.error("hidden widths are comma-separated integers")
    for name in ("batch", "latent", "dim", "iters"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be at least 1")
    if a.threads < 0:
        p.error("--threads must not be negative")
    if a.warmup < 0:
        p.error("--warmup must not be negative")
    if not a.base_hidden or not a.energy_hidden or min(a.base_hidden + a.energy_hidden) < 1:
        p.error("hidden widths must be positive")
    if a.arch == "dcgan":
        check_dcgan(p, a)
    return a


def check_dcgan(p, a):
    """Refuses dcgan sizes gebm refuses; the hidden widths become the
    convolutions' channel widths, which the result line prints."""
    if a.channels < 1 or a.image_channels < 1:
        p.error("--channels and --image-channels must be at least 1")
    side = math.isqrt(a.dim // a.image_channels)
    if side * side * a.image_channels != a.dim or side < 4 or side % 4:
        p.error(f"--arch dcgan needs --dim = image channels × S × S with S a multiple of 4, not {a.dim}")
    a.side = side
    a.base_hidden, a.energy_hidden = [2 * a.channels, a.channels], [a.channels, 2 * a.channels]


def build_dcgan(a, torch):
    """gebm's dcgan pair (shared/model/dcgan.go); returns what build does."""
    nn = torch.nn
    F = torch.nn.functional
    dev = torch.device(a.device)
    ch, C, S = a.channels, a.image_channels, a.side
    s4 = S // 4
    base = nn.Sequential(
        nn.Linear(a.latent, 2 * ch * s4 * s4), nn.Unflatten(1, (2 * ch, s4, s4)),
        nn.BatchNorm2d(2 * ch), nn.ReLU(),
        nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1), nn.BatchNorm2d(ch), nn.ReLU(),
        nn.ConvTranspose2d(ch, C, 4, 2, 1), nn.Tanh(), nn.Flatten()).to(dev)
    layers = [nn.Conv2d(C, ch, 4, 2, 1), nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.Linear(2 * ch * s4 * s4, 1)]
    layers = [l.to(dev) for l in layers]
    sn = not a.no_spectral_norm
    us = [F.normalize(torch.randn(l.weight.shape[0], device=dev), dim=0) for l in layers]
    vs = [torch.zeros(l.weight[0].numel(), device=dev) for l in layers]

    def power_iteration():
        with torch.no_grad():
            for l, u, v in zip(layers, us, vs):
                w = l.weight.reshape(l.weight.shape[0], -1)
                v.copy_(F.normalize(w.t() @ u, dim=0))
                u.copy_(F.normalize(w @ v, dim=0))

    def weight(i):
        w = layers[i].weight
        if sn:
            w = w / torch.dot(us[i], w.reshape(w.shape[0], -1) @ vs[i])
        return w

    def energy(x):
        h = x.view(-1, C, S, S)
        h = F.leaky_relu(F.conv2d(h, weight(0), layers[0].bias, 2, 1), a.slope)
        h = F.leaky_relu(F.conv2d(h, weight(1), layers[1].bias, 2, 1), a.slope)
        return F.linear(h.flatten(1), weight(2), layers[2].bias).squeeze(1)

    return finish(a, torch, dev, base, energy, power_iteration, layers, sn)


def finish(a, torch, dev, base, energy, power_iteration, elayers, sn):
    """What both builds end with: 20 power iterations (gebm's initial Refresh(20)) where the energy is
    spectrally normalised, the scalar A, and Adam (0.5, 0.999) for the energy's layers with A and for
    the base."""
    if sn:
        for _ in range(20):
            power_iteration()
    A = torch.zeros((), device=dev, requires_grad=True)
    eparams = [p for l in elayers for p in l.parameters()] + [A]
    opt_e = torch.optim.Adam(eparams, lr=a.lr, betas=(0.5, 0.999), eps=1e-8)
    opt_b = torch.optim.Adam(base.parameters(), lr=a.lr, betas=(0.5, 0.999), eps=1e-8)
    return base, energy, power_iteration, A, eparams, opt_e, opt_b


def build(a, torch):
    nn = torch.nn
    F = torch.nn.functional
    dev = torch.device(a.device)

    def mlp(widths, act, out_act=None):
        layers = []
        for i in range(len(widths) - 1):
            layers.append(nn.Linear(widths[i], widths[i + 1]))
            if i < len(widths) - 2:
                layers.append(act())
        if out_act is not None:
            layers.append(out_act())
        return nn.Sequential(*layers).to(dev)

    base = mlp([a.latent] + a.base_hidden + [a.dim], nn.ReLU, nn.Tanh)
    elin = [nn.Linear(i, o).to(dev) for i, o in zip([a.dim] + a.energy_hidden, a.energy_hidden + [1])]
    sn = not a.no_spectral_norm
    us = [F.normalize(torch.randn(l.out_features, device=dev), dim=0) for l in elin]
    vs = [torch.zeros(l.in_features, device=dev) for l in elin]

    def power_iteration():
        with torch.no_grad():
            for l, u, v in zip(elin, us, vs):
                v.copy_(F.normalize(l.weight.t() @ u, dim=0))
                u.copy_(F.normalize(l.weight @ v, dim=0))

    def energy(x):
        h = x
        for i, l in enumerate(elin):
            w = l.weight
            if sn:
                w = w / torch.dot(us[i], w @ vs[i])
            h = F.linear(h, w, l.bias)
            if i < len(elin) - 1:
                h = F.leaky_relu(h, a.slope)
        return h.squeeze(1)

    return finish(a, torch, dev, base, energy, power_iteration, elin, sn)


def main(argv):
    a = parse_args(argv)
    import torch  # after argument checks: --help works without PyTorch

    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_train.py: CUDA is not available to PyTorch")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
        torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    dev = torch.device(a.device)
    base, energy, power_iteration, A, eparams, opt_e, opt_b = (build_dcgan if a.arch == "dcgan" else build)(a, torch)
    if a.arch == "dcgan":
        print(f"torch dcgan: channels {a.channels}, images {a.image_channels}×{a.side}×{a.side}, "
              f"{torch.get_num_threads()} threads, mkldnn {torch.backends.mkldnn.is_available()}")
    bparams = list(base.parameters())
    B = a.batch
    pin = a.device == "cuda"
    hx = (torch.rand(B, a.dim) * 2 - 1)
    hz = torch.randn(B, a.latent)
    ha = torch.rand(B, 1)
    if pin:
        hx, hz, ha = hx.pin_memory(), hz.pin_memory(), ha.pin_memory()
    if a.data_on_device:
        dx, dz, da = hx.to(dev), hz.to(dev), ha.to(dev)
    log_b = math.log(B)

    def batches():
        if a.data_on_device:
            return dx, dz, da
        return hx.to(dev, non_blocking=True), hz.to(dev, non_blocking=True), ha.to(dev, non_blocking=True)

    def energy_step():
        x, z, alpha = batches()
        with torch.no_grad():
            y = base(z)
        e = energy(torch.cat([x, y]))
        ep, eq = e[:B], e[B:]
        mean_exp = torch.exp(torch.logsumexp(-(eq + A), 0) - log_b)
        loss = ep.mean() + A + mean_exp - 1
        xh = (alpha * x + (1 - alpha) * y).requires_grad_(True)
        (g,) = torch.autograd.grad(energy(xh).sum(), xh, create_graph=True)
        pen = g.pow(2).sum(1).mean()
        opt_e.zero_grad(set_to_none=True)
        (loss + a.gp * pen).backward()
        gnorm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in eparams[:-1]]))
        opt_e.step()
        power_iteration()
        return torch.stack([loss.detach(), pen.detach(), ep.mean().detach(), eq.mean().detach(), gnorm, A.detach()])

    def base_step():
        _, z, _ = batches()
        e = energy(base(z))
        with torch.no_grad():
            w = torch.softmax(-e, 0)
            a_hat = torch.logsumexp(-e, 0) - log_b
            ess = 1 / w.pow(2).sum()
        opt_b.zero_grad(set_to_none=True)
        (w * e).sum().backward(inputs=bparams)
        gnorm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in bparams]))
        opt_b.step()
        return torch.stack([a_hat, ess, gnorm])

    def iteration():
        s = energy_step().tolist()  # the logged scalars come back every step
        b = base_step().tolist()
        return s, b

    for _ in range(a.warmup):
        s, b = iteration()
    if a.device == "cuda":
        torch.cuda.synchronize()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.iters):
        s, b = iteration()
    if a.device == "cuda":
        torch.cuda.synchronize()
    el, cpu = time.perf_counter() - t0, time.process_time() - c0
    name = torch.cuda.get_device_name(0) if a.device == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__} eager {a.device} ({name}): {a.iters / el:.1f} it/s, "
          f"{a.iters / cpu:.2f} it/CPU-s, {1e3 * el / a.iters:.3f} ms/it (batch {B}, latent {a.latent}, base {a.base_hidden}, "
          f"energy {a.energy_hidden}, spectral norm {not a.no_spectral_norm}, gp {a.gp}, "
          f"data on device {a.data_on_device}, tf32 {a.tf32}); last loss {s[0]:.5f} penalty {s[1]:.5f}")


if __name__ == "__main__":
    main(sys.argv[1:])
