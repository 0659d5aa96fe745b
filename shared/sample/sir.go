package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Tilt is a function V on R^Dim(), evaluated for a batch of points, that tilts the standard
// normal into the target of [SIR],
//
//	π(z) ∝ N(z; 0, I) exp(−V(z)).
//
// For the GEBM's latent posterior V(z) = β E(B(z)): the potential U(z) = ||z||²/2 + V(z)
// without its Gaussian part, and without the gradient, which SIR does not need.
type Tilt interface {
	// Dim is the dimension d of the space; it must not change.
	Dim() int
	// Eval stores V(z_i) in v[i] for the n = len(v) points stored row-major in z
	// (n*Dim() float32s). It must not keep z. A non-finite value gives the point
	// weight 0.
	Eval(z []float32, v []float64)
}

// SIRConfig sizes one sampling–importance–resampling draw.
type SIRConfig struct {
	// N is the number of samples to return, ≥ 1.
	N int
	// Pool is the number M of proposals z_j ~ N(0, I), N ≤ M ≤ MaxSIRPool.
	Pool int
	// Batch is the most proposals one Tilt.Eval call sees (0: min(Pool,
	// DefaultSIRBatch)). It bounds the memory of the evaluation and does not change
	// the result.
	Batch int
}

const (
	// MaxSIRPool is the largest pool: SIR keeps one float64 weight per proposal,
	// so a pool at the limit holds 512 MiB of weights.
	MaxSIRPool = 1 << 26
	// DefaultSIRBatch is the batch of proposals evaluated at once when
	// SIRConfig.Batch is 0.
	DefaultSIRBatch = 1024
	// sirBlock is the number of consecutive proposals drawn from one child
	// random stream: SIR keeps the streams' seeds (16 bytes per block) instead of
	// the proposals, and draws a block's proposals again when it resamples.
	sirBlock = 256
)

// SIRStats describes the importance weights w_j = exp(−V(z_j)) of one SIR draw's pool.
type SIRStats struct {
	// Pool is the number M of proposals.
	Pool int
	// Zero is the number of proposals whose V was not finite (NaN or ±Inf), given
	// weight 0.
	Zero int
	// ESS is the effective sample size of the weights, (Σ_j w_j)² / Σ_j w_j², in
	// [1, M]: M for equal weights, 1 when one proposal holds all the weight.
	ESS float64
	// LogSumW and LogSumW2 are log Σ_j w_j and log Σ_j w_j² (computed about the largest
	// log-weight, so they are finite even where every w_j overflows or underflows).
	// The pools of several draws merge: the ESS of their union is
	// exp(2 logsumexp(LogSumW) − logsumexp(LogSumW2)).
	LogSumW, LogSumW2 float64
	// Distinct is the number of different proposals among the N samples.
	Distinct int
}

// ESSFraction returns ESS/M, in (0, 1].
func (s SIRStats) ESSFraction() float64 { return s.ESS / float64(s.Pool) }

// LogMeanWeight returns log((1/M) Σ_j w_j), the Monte-Carlo estimate of
// log E_{z~N(0, I)}[exp(−V(z))] = log ∫ N(z; 0, I) exp(−V(z)) dz: π's normaliser
// relative to N(0, I). For the GEBM at β = 1 that is log Z, which the model's learned
// A also estimates.
func (s SIRStats) LogMeanWeight() float64 { return s.LogSumW - logP(float64(s.Pool)) }

// ErrSIRWeights is wrapped by the error SIR returns when every proposal has weight 0.
var ErrSIRWeights = errors.New("sample: SIR: no proposal has a finite weight")

// SIR draws cfg.N latents approximately from π(z) ∝ N(z; 0, I) exp(−V(z)) by
// sampling–importance–resampling (Rubin 1987):
//
//  1. draw M = cfg.Pool proposals z_j ~ N(0, I) and evaluate their log-weights
//     ℓ_j = −V(z_j), with ℓ_j = −∞ (weight 0) where V(z_j) is not finite;
//  2. with m = max_j ℓ_j, compute in float64 w̃_j = exp(ℓ_j − m) ∈ [0, 1],
//     S₁ = Σ w̃_j and S₂ = Σ w̃_j², hence ESS = S₁²/S₂, log Σ w_j = m + log S₁ and
//     log Σ w_j² = 2m + log S₂;
//  3. resample N of the proposals with probabilities w̃_j/S₁ by systematic resampling:
//     one u ~ U[0, 1), the points p_k = (k + u) S₁/N for k = 0 … N−1, and sample k is
//     the proposal j whose interval [Σ_{i<j} w̃_i, Σ_{i≤j} w̃_i) holds p_k.
//
// As M → ∞ with N fixed the samples' law tends to π; for finite M each sample's law is
// between N(0, I) and π, and the ESS says how far: an ESS near M means the weights are
// nearly equal (π is nearly N(0, I), and so are the samples), an ESS near N or below
// means the samples repeat a few proposals.
//
// Systematic rather than multinomial resampling: proposal j is returned either
// ⌊N w̃_j/S₁⌋ or ⌈N w̃_j/S₁⌉ times (multinomial draws that count at random), so
// the samples' empirical law has less Monte-Carlo error (the counts' variance is
// below multinomial's binomial variance), equal weights with M ≥ N return N distinct
// proposals, and duplicates appear only where the weights call for them. The samples
// are not independent (they are negatively correlated, as stratified draws are);
// systematic resampling's known weakness, a variance above multinomial's when the
// order of the proposals correlates with their weights, cannot arise here, where the
// proposals are independent and resampled in the order they were drawn. Its points
// are sorted, so one pass over the pool, in order, finds every sample.
//
// visit receives the samples in order (sample k is proposal j_k, with j_k
// non-decreasing), as consecutive row-major chunks of at most cfg.Batch rows of
// Dim() values; a chunk is valid only during the call. An error from visit stops SIR
// and is returned.
//
// Memory: M float64 weights, the seeds of ⌈M/256⌉ child random streams and a batch of
// proposals; the proposals themselves are drawn again, from their streams, when
// resampled, and V is evaluated once per proposal.
//
// Randomness: for each block of 256 consecutive proposals, in order, two Uint64 from
// rng seed a PCG that draws the block's coordinates (float32 of NormFloat64, row by
// row); then one Float64 from rng is u. So the result depends on rng's state, N and
// M, and not on Batch; the same seed gives the same samples on every platform.
//
// It fails, without calling visit, if every weight is 0 (an error wrapping
// ErrSIRWeights).
func SIR(t Tilt, cfg SIRConfig, rng *rand.Rand, visit func(z []float32) error) (SIRStats, error) {
	var st SIRStats
	if t == nil {
		return st, errors.New("sample: SIR: nil tilt")
	}
	if rng == nil {
		return st, errNilRand
	}
	if visit == nil {
		return st, errors.New("sample: SIR: nil visit function")
	}
	d := t.Dim()
	M, N := cfg.Pool, cfg.N
	switch {
	case d < 1:
		return st, fmt.Errorf("%w: SIR: dimension %d < 1", ErrConfig, d)
	case N < 1:
		return st, fmt.Errorf("%w: SIR: %d samples: need at least 1", ErrConfig, N)
	case M < N || M > MaxSIRPool:
		return st, fmt.Errorf("%w: SIR: pool of %d proposals for %d samples: must be in %d..%d", ErrConfig, M, N, N, MaxSIRPool)
	case cfg.Batch < 0:
		return st, fmt.Errorf("%w: SIR: batch %d < 0", ErrConfig, cfg.Batch)
	}
	batch := cfg.Batch
	if batch == 0 {
		batch = DefaultSIRBatch
	}
	batch = min(batch, M)
	if batch > math.MaxInt/(4*d) {
		return st, fmt.Errorf("%w: SIR: batch %d of dimension %d is too large", ErrConfig, batch, d)
	}
	st.Pool = M

	// 1. The proposals' log-weights, block streams seeded as they are reached.
	blocks := (M + sirBlock - 1) / sirBlock
	seeds := make([][2]uint64, blocks)
	w := make([]float64, M)
	z := make([]float32, batch*d)
	src := rand.NewPCG(0, 0)
	child := rand.New(src)
	top := math.Inf(-1)
	for lo := 0; lo < M; lo += batch {
		hi := min(lo+batch, M)
		for j := lo; j < hi; j++ {
			if j%sirBlock == 0 {
				b := j / sirBlock
				seeds[b] = [2]uint64{rng.Uint64(), rng.Uint64()}
				src.Seed(seeds[b][0], seeds[b][1])
			}
			row := z[(j-lo)*d : (j-lo+1)*d]
			for k := range row {
				row[k] = float32(child.NormFloat64())
			}
		}
		v := w[lo:hi]
		t.Eval(z[:(hi-lo)*d], v)
		for j, vj := range v {
			if !finite64(vj) {
				v[j] = math.Inf(-1)
				st.Zero++
				continue
			}
			v[j] = -vj
			top = math.Max(top, v[j])
		}
	}
	if st.Zero == M {
		return st, fmt.Errorf("%w: V is not finite at any of the %d proposals", ErrSIRWeights, M)
	}

	// 2. Weights about the largest, their sums and the ESS.
	var s1, s2 float64
	last := 0 // the last proposal with a positive weight
	for j, l := range w {
		x := expP(l - top) // exp(−∞) = 0
		w[j] = x
		s1 += x
		s2 += float64(x * x)
		if x > 0 {
			last = j
		}
	}
	st.ESS = s1 * s1 / s2
	st.LogSumW = top + logP(s1)
	st.LogSumW2 = 2*top + logP(s2)

	// 3. Systematic resampling, one pass over the pool in order; a block's proposals
	// are drawn again when one of them is first taken.
	u := rng.Float64()
	step := s1 / float64(N)
	out := z[:0]
	k := 0      // the next sample
	cum := 0.0  // Σ_{i<j} w̃_i
	drawn := -1 // the block whose proposals z holds (rows from blockRow)
	zb := make([]float32, sirBlock*d)
	flush := func() error {
		if len(out) == 0 {
			return nil
		}
		err := visit(out)
		out = out[:0]
		return err
	}
	for j := 0; j <= last && k < N; j++ {
		cum += w[j]
		taken := 0
		// p_k < Σ_{i≤j} w̃_i; the last positive weight takes every remaining point,
		// which rounding can leave at or beyond S₁.
		for k < N && (j == last || float64(float64(float64(k)+u)*step) < cum) {
			if taken == 0 {
				if b := j / sirBlock; b != drawn {
					src.Seed(seeds[b][0], seeds[b][1])
					rows := min(sirBlock, M-b*sirBlock)
					for i := range zb[:rows*d] {
						zb[i] = float32(child.NormFloat64())
					}
					drawn = b
				}
				st.Distinct++
			}
			r := j % sirBlock
			out = append(out, zb[r*d:(r+1)*d]...)
			taken++
			k++
			if len(out) == batch*d {
				if err := flush(); err != nil {
					return st, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return st, err
	}
	return st, nil
}
