//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gebm/gebm/shared/nn"
)

func init() { builders[nn.KindBatchNorm] = newBatchNorm }

// batchnorm is shared/nn's batch normalisation on the device: its input
// read as c channels of plane values, normalised per channel by the
// batch's statistics in training mode (Network.SetTraining), which also
// updates the running statistics, and by the running statistics otherwise.
// stats holds the μ and inv of the last forward pass (c each) and the
// backward pass's sums (2c), in double; backward must follow the forward
// pass of the same batch.
type batchnorm struct {
	d                 *Device
	c, plane          int
	gamma, beta       Buffer // parameters
	dgamma, dbeta     Buffer // their gradients
	runMean, runVar   Buffer // state
	training, batched bool   // the mode, and the mode of the last forward pass
	stats             Doubles
	mean, inv, sums   Doubles
}

// bnBlock is the threads of the per-channel reductions' blocks, and
// bnChunk the values of a channel each block sums (32 a thread): at batch
// 512 the generator's 64-channel layer at 14×14 has 13 parts a channel.
const bnBlock, bnChunk = 256, 8192

// partialSums launches batchnorm.cu's bn_partial_sums for the n samples
// of x (and dy, mode 2) and returns its sums, two per part of a channel,
// and the number of parts per channel.
func (l *batchnorm) partialSums(x, dy Buffer, n, mode int) (Doubles, int) {
	parts := blocks(n*l.plane, bnChunk)
	part := l.d.scratch(2 * l.c * parts)
	l.d.launch2D("bn_partial_sums", parts, min(l.c, maxGridY), bnBlock, ptr(x), ptr(dy), i64(n), i64(l.c), i64(l.plane), i64(bnChunk),
		i64(mode), dptr(l.mean), dptr(l.inv), dptr(part))
	return part, parts
}

func newBatchNorm(d *Device, ls nn.LayerSpec, in int, t layerTensors) (layer, error) {
	if len(t.params) != 2 || len(t.state) != 2 {
		return nil, fmt.Errorf("cuda: batchnorm layer with %d parameters and %d state tensors", len(t.params), len(t.state))
	}
	c := ls.Channels
	l := &batchnorm{d: d, c: c, plane: in / c, gamma: t.params[0], beta: t.params[1], dgamma: t.grads[0], dbeta: t.grads[1],
		runMean: t.state[0], runVar: t.state[1], stats: d.allocDoubles(4 * c)}
	l.mean, l.inv, l.sums = l.stats.Range(0, c), l.stats.Range(c, 2*c), l.stats.Range(2*c, 4*c)
	return l, nil
}

func (l *batchnorm) setTraining(on bool) { l.training = on }

func (l *batchnorm) forward(_ Gemm, x, y Buffer, n int) {
	if !l.d.fits32("batchnorm", n*l.c*l.plane) {
		return
	}
	l.batched = l.training
	if l.training {
		M := n * l.plane
		part, parts := l.partialSums(x, Buffer{}, n, 0)
		l.d.elementwise("bn_mean", l.c, dptr(part), i64(l.c), i64(parts), i64(M), dptr(l.mean))
		part, parts = l.partialSums(x, Buffer{}, n, 1)
		l.d.elementwise("bn_finish_stats", l.c, dptr(part), i64(l.c), i64(parts), i64(M), dptr(l.mean), dptr(l.inv),
			ptr(l.runMean), ptr(l.runVar))
	} else {
		l.d.elementwise("bn_running_stats", l.c, ptr(l.runMean), ptr(l.runVar), i64(l.c), dptr(l.mean), dptr(l.inv))
	}
	l.d.elementwise("bn_apply", n*l.c*l.plane, ptr(x), ptr(y), i64(n), i64(l.c), i64(l.plane), ptr(l.gamma), ptr(l.beta),
		dptr(l.mean), dptr(l.inv))
}

func (l *batchnorm) backward(_ Gemm, x, _, dy, dx Buffer, n int, params bool) {
	if dx.isNil() && !params || !l.d.fits32("batchnorm", n*l.c*l.plane) {
		return
	}
	part, parts := l.partialSums(x, dy, n, 2)
	l.d.elementwise("bn_backward_sums", l.c, dptr(part), i64(l.c), i64(parts), dptr(l.sums), ptr(l.dgamma), ptr(l.dbeta),
		boolArg(params))
	if !dx.isNil() {
		l.d.elementwise("bn_backward_dx", n*l.c*l.plane, ptr(x), ptr(dy), ptr(dx), i64(n), i64(l.c), i64(l.plane),
			ptr(l.gamma), dptr(l.mean), dptr(l.inv), dptr(l.sums), boolArg(l.batched))
	}
}

// tangent and backwardTangent do not exist for batch normalisation, as in
// shared/nn: a network holding it cannot take the gradient penalty
// (nn.Spec.TangentError), and no caller reaches them.
func (l *batchnorm) tangent(Gemm, Buffer, Buffer, Buffer, Buffer, int) {
	panic("cuda: batchnorm has no tangent pass (nn.Spec.TangentError)")
}

func (l *batchnorm) backwardTangent(Gemm, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, int) {
	panic("cuda: batchnorm has no tangent pass (nn.Spec.TangentError)")
}

func (l *batchnorm) refresh(int)  {}
func (l *batchnorm) finishGrads() {}
func (l *batchnorm) free()        { l.d.freeDoubles(l.stats) }
