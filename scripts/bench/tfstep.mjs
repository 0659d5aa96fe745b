// The TensorFlow.js half of the latent-step benchmark, shared by
// latentstep.mjs (Node) and browser/bench.js (Chromium): the ULA step of the
// benchmark's GEBM (the MNIST-size MLP, or the convolutional dcgan pair)
// written in tf ops on the Go model's weights (see latentstep.mjs for the
// two forms), checked against the Go model's U and ∇U, then timed at each
// batch size.

// tfjsVariants measures each named variant ("tf.grad (naive)",
// "pre-transposed") on backend env (a label) and calls out(impl, batch,
// stepsPerS, note) for each batch size. tf is the TF.js module, its backend
// set and ready; layers, weights and check are wasm/internal/latentstep/inputs.go's files;
// suffix is appended to the row's name, note to its note.
export async function tfjsVariants(tf, { layers, weights, check, batches, h, measure, out, env, variants, suffix = "", note: extra = "" }) {
  // net turns a layer list into tensors. Images are NHWC here (TF.js's
  // convolutions' layout; the Go model's are NCHW), so each weight is
  // reordered once, before timing: a linear layer's W (out×in) and WT
  // (in×out) with the columns of an image input and the rows (and bias) of
  // an image output in NHWC order; a conv2d's [Out, In, k, k] as TF.js's
  // [k, k, In, Out] filter, a conv_transpose2d's [In, Out, k, k] as TF.js's
  // [k, k, Out, In] (conv2dTranspose's); a batchnorm is a scale and a shift
  // per channel, the last axis.
  function net(list) {
    return list.map((l) => {
      const w = (n) => weights.subarray(l.w, l.w + n), b = (n) => weights.subarray(l.b, l.b + n);
      switch (l.kind) {
        case "linear": {
          let W = tf.tensor2d(w(l.in * l.out), [l.out, l.in]), bias = tf.tensor1d(b(l.out));
          if (l.inImage) {
            const [c, hh, ww] = l.inImage;
            W = W.reshape([l.out, c, hh, ww]).transpose([0, 2, 3, 1]).reshape([l.out, l.in]);
          }
          let outShape = null;
          if (l.outImage) {
            const [c, hh, ww] = l.outImage;
            W = W.reshape([c, hh, ww, l.in]).transpose([1, 2, 0, 3]).reshape([l.out, l.in]);
            bias = bias.reshape([c, hh, ww]).transpose([1, 2, 0]).reshape([l.out]);
            outShape = [-1, hh, ww, c];
          }
          return { kind: "linear", W: tf.keep(W), WT: tf.keep(W.transpose()), b: tf.keep(bias), inImage: !!l.inImage, outShape };
        }
        case "conv2d": case "conv_transpose2d": {
          const t = l.kind === "conv2d";
          const f = tf.tensor4d(w(l.in * l.out * l.kernel * l.kernel), t ? [l.out, l.in, l.kernel, l.kernel] : [l.in, l.out, l.kernel, l.kernel]);
          const oh = t ? Math.floor((l.height + 2 * l.padding - l.kernel) / l.stride) + 1 : (l.height - 1) * l.stride - 2 * l.padding + l.kernel;
          const ow = t ? Math.floor((l.width + 2 * l.padding - l.kernel) / l.stride) + 1 : (l.width - 1) * l.stride - 2 * l.padding + l.kernel;
          return { kind: l.kind, f: tf.keep(f.transpose([2, 3, 1, 0])), b: tf.tensor1d(b(l.out)), stride: l.stride, pad: l.padding,
            inShape: [l.height, l.width, l.in], outShape: [oh, ow, l.out] };
        }
        case "batchnorm":
          return { kind: "batchnorm", scale: tf.tensor1d(w(l.out)), shift: tf.tensor1d(b(l.out)) };
        default:
          return { kind: l.kind, slope: l.slope ?? 0, floor: l.floor ?? 0 };
      }
    });
  }

  // layer is the forward of one layer; wt says to multiply by the stored
  // WT (in×out) rather than by W with the transpose flag.
  function layer(l, x, wt) {
    switch (l.kind) {
      case "linear": {
        if (l.inImage) x = tf.reshape(x, [x.shape[0], -1]);
        const y = tf.add(wt ? tf.matMul(x, l.WT) : tf.matMul(x, l.W, false, true), l.b);
        return l.outShape ? tf.reshape(y, l.outShape) : y;
      }
      case "conv2d": return tf.add(tf.conv2d(x, l.f, l.stride, l.pad), l.b);
      case "conv_transpose2d": return tf.add(tf.conv2dTranspose(x, l.f, [x.shape[0], ...l.outShape], l.stride, l.pad), l.b);
      case "batchnorm": return tf.add(tf.mul(x, l.scale), l.shift);
      case "relu": return tf.relu(x);
      case "leakyrelu": return tf.leakyRelu(x, l.slope);
      case "tanh": return tf.tanh(x);
      case "floor": return tf.maximum(x, l.floor);
      default: throw new Error(`layer kind ${l.kind}`);
    }
  }

  // naive: forward with out×in weights (matMul with transposeB); tf.grad
  // derives the backward.
  function naivePotential(base, energy) {
    const forward = (layersOf, x) => {
      for (const l of layersOf) x = layer(l, x, false);
      return x;
    };
    const U = (z) => tf.add(tf.mul(0.5, tf.sum(tf.square(z), 1)), tf.reshape(forward(energy, forward(base, z)), [-1]));
    const grad = tf.grad((z) => tf.sum(U(z)));
    return (z) => ({ u: U(z), g: grad(z) });
  }

  // pre-transposed: forward x·WT, and a hand-written backward dx = dy·W, with
  // both layouts stored, so that no product has a transpose flag; a
  // convolution's backward is the other convolution with the same filter
  // (conv2dTranspose for conv2d, conv2d for conv2dTranspose).
  function manualPotential(base, energy) {
    const forward = (layersOf, x, tape) => {
      for (const l of layersOf) {
        tape.push(x);
        x = layer(l, x, true);
      }
      return x;
    };
    const backward = (layersOf, tape, outp, dy) => {
      for (let i = layersOf.length - 1; i >= 0; i--) {
        const l = layersOf[i], x = tape[i], y = i + 1 < tape.length ? tape[i + 1] : outp;
        if (l.kind === "linear") {
          if (l.outShape) dy = tf.reshape(dy, [dy.shape[0], -1]);
          dy = tf.matMul(dy, l.W);
          if (l.inImage) dy = tf.reshape(dy, x.shape);
        } else if (l.kind === "conv2d") dy = tf.conv2dTranspose(dy, l.f, x.shape, l.stride, l.pad);
        else if (l.kind === "conv_transpose2d") dy = tf.conv2d(dy, l.f, l.stride, l.pad);
        else if (l.kind === "batchnorm") dy = tf.mul(dy, l.scale);
        else if (l.kind === "relu") dy = tf.mul(dy, tf.step(x, 0));
        else if (l.kind === "leakyrelu") dy = tf.mul(dy, tf.where(tf.greater(x, 0), 1, l.slope));
        else if (l.kind === "tanh") dy = tf.mul(dy, tf.sub(1, tf.square(y)));
        else if (l.kind === "floor") dy = tf.mul(dy, tf.cast(tf.greater(x, l.floor), "float32"));
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
