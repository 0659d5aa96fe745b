package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
)

// likelihoodReport is gebm eval's measure of a model whose base is a flow
// (the paper's EBM reduction): the test negative log-likelihood of the flow
// alone, −mean log q(x), and of the GEBM, −mean [log q(x) − E(x)] + log Z,
// with log Z estimated by importance sampling from the flow; and, for a toy
// set with a known density p, KL(p‖model) = mean [log p(x) − log model(x)]
// over the same rows. Values are nats per row, in the data's raw units; each
// ± is one standard error (the GEBM's includes log Z's).
type likelihoodReport struct {
	Rows        int      `json:"test_rows"`
	FlowNLL     float64  `json:"flow_nll"`
	FlowNLLSE   float64  `json:"flow_nll_se"`
	GEBMNLL     float64  `json:"gebm_nll"`
	GEBMNLLSE   float64  `json:"gebm_nll_se"`
	Diff        float64  `json:"gebm_minus_flow_nll"`
	DiffSE      float64  `json:"gebm_minus_flow_nll_se"`
	LogZ        float64  `json:"log_z"`
	LogZSE      float64  `json:"log_z_se"`
	LogZSamples int      `json:"log_z_samples"`
	LogZESS     float64  `json:"log_z_ess"`
	ModelA      float64  `json:"model_a"`
	DataNLL     *float64 `json:"data_nll,omitempty"`
	KLFlow      *float64 `json:"kl_data_flow,omitempty"`
	KLFlowSE    *float64 `json:"kl_data_flow_se,omitempty"`
	KLGEBM      *float64 `json:"kl_data_gebm,omitempty"`
	KLGEBMSE    *float64 `json:"kl_data_gebm_se,omitempty"`
}

// flowLikelihood measures m on the rows x (stored units, norm maps them to
// raw ones), with log Z from zSamples latents drawn from rng. toy, when not
// nil, is the data's distribution, for the KL when it has a density.
func flowLikelihood(m *model.GEBM, x []float32, norm data.Normalization, toy data.Toy, zSamples int, rng *rand.Rand) (*likelihoodReport, error) {
	est, err := m.LogZ(rng, zSamples)
	if err != nil {
		return nil, err
	}
	D := m.Dim()
	n := len(x) / D
	flow, gebm := make([]float64, n), make([]float64, n)
	// Rows in chunks, so that memory does not grow with the test set.
	const chunk = 4096
	for i := 0; i < n; i += chunk {
		b := min(chunk, n-i)
		if err := m.LogLikelihoods(x[i*D:(i+b)*D], b, est.LogZ, flow[i:i+b], gebm[i:i+b]); err != nil {
			return nil, err
		}
	}
	// A density of the stored values x·S + O is one of the raw values
	// times S^D: log p_raw = log p_stored + D log S.
	jac := 0.0
	if norm.Scale != 0 {
		jac = float64(D) * math.Log(math.Abs(norm.Scale))
	}
	r := &likelihoodReport{Rows: n, LogZ: est.LogZ, LogZSE: est.SE, LogZSamples: est.N, LogZESS: est.ESS, ModelA: m.A}
	negFlow, negGEBM, diff := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		negFlow[i], negGEBM[i] = -flow[i]-jac, -gebm[i]-jac
		diff[i] = negGEBM[i] - negFlow[i]
	}
	var se float64
	r.FlowNLL, r.FlowNLLSE = meanSE(negFlow)
	r.GEBMNLL, se = meanSE(negGEBM)
	r.GEBMNLLSE = math.Hypot(se, est.SE)
	r.Diff, se = meanSE(diff)
	r.DiffSE = math.Hypot(se, est.SE)
	if toy == nil {
		return r, nil
	}
	if _, ok := toy.LogDensity(make([]float64, D)); !ok {
		return r, nil
	}
	lp, row := make([]float64, n), make([]float64, D)
	klf, klg := make([]float64, n), make([]float64, n)
	for i := range n {
		for j := range D {
			row[j] = norm.Raw(float64(x[i*D+j]))
		}
		lp[i], _ = toy.LogDensity(row)
		klf[i], klg[i] = lp[i]+negFlow[i], lp[i]+negGEBM[i]
		lp[i] = -lp[i]
	}
	dn, _ := meanSE(lp)
	kf, kfse := meanSE(klf)
	kg, kgse := meanSE(klg)
	kgse = math.Hypot(kgse, est.SE)
	r.DataNLL, r.KLFlow, r.KLFlowSE, r.KLGEBM, r.KLGEBMSE = &dn, &kf, &kfse, &kg, &kgse
	return r, nil
}

// meanSE returns the mean of v and its standard error sd/√n.
func meanSE(v []float64) (mean, se float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// printLikelihood prints the likelihood report under eval's table.
func printLikelihood(w io.Writer, r *likelihoodReport) {
	fmt.Fprintf(w, "\nlikelihood (the base is a flow, so the GEBM is an EBM with density q(x) exp(−E(x)) / Z), %d test rows, nats per row:\n", r.Rows)
	fmt.Fprintf(w, "  flow alone   NLL %.4f ± %.4f", r.FlowNLL, r.FlowNLLSE)
	if r.KLFlow != nil {
		fmt.Fprintf(w, "   KL(data‖flow) %.4f ± %.4f", *r.KLFlow, *r.KLFlowSE)
	}
	fmt.Fprintf(w, "\n  GEBM         NLL %.4f ± %.4f", r.GEBMNLL, r.GEBMNLLSE)
	if r.KLGEBM != nil {
		fmt.Fprintf(w, "   KL(data‖GEBM) %.4f ± %.4f", *r.KLGEBM, *r.KLGEBMSE)
	}
	fmt.Fprintf(w, "\n  GEBM − flow  %+.4f ± %.4f (paired over the rows)\n", r.Diff, r.DiffSE)
	if r.DataNLL != nil {
		fmt.Fprintf(w, "  the data's own density: NLL %.4f (the KLs are the NLLs minus this)\n", *r.DataNLL)
	}
	fmt.Fprintf(w, "  log Z = %.4f ± %.4f by importance sampling from the flow (%d samples, ESS %.1f%%); the model's A is %.4f\n",
		r.LogZ, r.LogZSE, r.LogZSamples, 100*r.LogZESS/float64(r.LogZSamples), r.ModelA)
}
