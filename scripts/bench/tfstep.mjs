// The TensorFlow.js half of the latent-step benchmark, shared by
// latentstep.mjs (Node) and browser/bench.js (Chromium): the ULA step of the
// MNIST-size GEBM written in tf ops on the Go model's weights (see
// latentstep.mjs for the two forms), checked against the Go model's U and ∇U,
// then timed at each batch size.

// tfjsVariants measures each named variant ("tf.grad (naive)",
// "pre-transposed") on backend env (a label) and calls out(impl, batch,
// stepsPerS, note) for each batch size. tf is the TF.js module, its backend
// set and ready; layers, weights and check are wasm/internal/latentstep/inputs.go's files;
// suffix is appended to the row's name, note to its note.
export async function tfjsVariants(tf, { layers, weights, check, batches, h, measure, out, env, variants, suffix = "", note: extra = "" }) {
  // net turns a layer list into tensors: W (out×in), WT (in×out), b.
  function net(list) {
    return list.map((l) => {
      if (l.kind !== "linear") return { kind: l.kind, slope: l.slope ?? 0 };
      const w = weights.subarray(l.w, l.w + l.in * l.out);
      const W = tf.tensor2d(w, [l.out, l.in]);
      return { kind: "linear", W, WT: tf.keep(W.transpose()), b: tf.tensor1d(weights.subarray(l.b, l.b + l.out)) };
    });
  }

  function act(kind, slope, x) {
    switch (kind) {
      case "relu": return tf.relu(x);
      case "leakyrelu": return tf.leakyRelu(x, slope);
      case "tanh": return tf.tanh(x);
      default: throw new Error(`layer kind ${kind}`);
    }
  }

  // naive: forward with out×in weights (matMul with transposeB); tf.grad
  // derives the backward.
  function naivePotential(base, energy) {
    const forward = (layersOf, x) => {
      for (const l of layersOf) x = l.kind === "linear" ? tf.add(tf.matMul(x, l.W, false, true), l.b) : act(l.kind, l.slope, x);
      return x;
    };
    const U = (z) => tf.add(tf.mul(0.5, tf.sum(tf.square(z), 1)), tf.reshape(forward(energy, forward(base, z)), [-1]));
    const grad = tf.grad((z) => tf.sum(U(z)));
    return (z) => ({ u: U(z), g: grad(z) });
  }

  // pre-transposed: forward x·WT, and a hand-written backward dx = dy·W, with
  // both layouts stored, so that no product has a transpose flag.
  function manualPotential(base, energy) {
    const forward = (layersOf, x, tape) => {
      for (const l of layersOf) {
        tape.push(x);
        x = l.kind === "linear" ? tf.add(tf.matMul(x, l.WT), l.b) : act(l.kind, l.slope, x);
      }
      return x;
    };
    const backward = (layersOf, tape, outp, dy) => {
      for (let i = layersOf.length - 1; i >= 0; i--) {
        const l = layersOf[i], x = tape[i], y = i + 1 < tape.length ? tape[i + 1] : outp;
        if (l.kind === "linear") dy = tf.matMul(dy, l.W);
        else if (l.kind === "relu") dy = tf.mul(dy, tf.step(x, 0));
        else if (l.kind === "leakyrelu") dy = tf.mul(dy, tf.where(tf.greater(x, 0), 1, l.slope));
        else if (l.kind === "tanh") dy = tf.mul(dy, tf.sub(1, tf.square(y)));
        else throw new Error(`layer kind ${l.kind}`);
      }
      return dy;
    };
    return (z) => {
      const tb = [], te = [];
      const x = forward(base, z, tb);
      const e = forward(energy, x, te);
      const de = tf.onesLike(e);
      const gx = backward(energy, te, e, de);
      const gz = backward(base, tb, x, gx);
      return { u: tf.add(tf.mul(0.5, tf.sum(tf.square(z), 1)), tf.reshape(e, [-1])), g: tf.add(z, gz) };
    };
  }

  // maxRel is the largest |a − b| / max(1, |b|).
  function maxRel(a, b) {
    let d = 0;
    for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
    return d;
  }

  const makers = { "tf.grad (naive)": naivePotential, "pre-transposed": manualPotential };
  const base = net(layers.base), energy = net(layers.energy);
  for (const name of variants) {
    const pot = makers[name](base, energy);
    const zc = tf.tensor2d(check.z, [check.n, check.z.length / check.n]);
    const { u, g } = pot(zc);
    const diff = Math.max(maxRel(await u.data(), check.u), maxRel(await g.data(), check.grad));
    tf.dispose([zc, u, g]);
    const note = `max rel. diff of U, ∇U from Go: ${diff.toExponential(1)}${extra}`;
    if (!(diff < 1e-3)) throw new Error(`TF.js ${env} ${name}: U or ∇U differ from Go's by ${diff}`);
    for (const b of batches) {
      let z = tf.randomNormal([b, check.z.length / check.n], 0, 1, "float32", 1);
      const step = async (n) => {
        for (let i = 0; i < n; i++) {
          const next = tf.tidy(() => {
            const { g } = pot(z);
            return tf.add(tf.sub(z, tf.mul(h, g)), tf.mul(Math.sqrt(2 * h), tf.randomNormal(z.shape)));
          });
          z.dispose();
          z = next;
        }
        await z.data(); // wait for the last step (wasm and cpu run eagerly; this only reads back)
      };
      out(`TensorFlow.js ${tf.version.tfjs} ${env}, ${name}${suffix}`, b, await measure(step), note);
      z.dispose();
    }
  }
}
