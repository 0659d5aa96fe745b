//go:build cuda

package cuda

// energyLoss queues the KALE loss of kale.EnergyLoss on the device: with A
// the one value in a, the energies ep (n data rows) and eq (m generated
// rows), it writes the gradients into gp and gq, dA into gradA (unless
// nil), L and dA into out[0:2] and the means of ep and eq into means[0:2].
func (d *Device) energyLoss(ep, eq, a, gp, gq, gradA Buffer, out, means Doubles) {
	d.launch("energy_loss", 1, 1024, ptr(ep), i64(ep.n), ptr(eq), i64(eq.n), ptr(a), ptr(gp), ptr(gq), ptr(gradA),
		dptr(out), dptr(means))
}

// importanceWeights queues the base step's weights: from the model's
// weights softmax(-e), out[0] = Σ exp(-e - max), out[1] = Â =
// logsumexp(-e) - log n and ess = 1/Σw²; into w the weights with tilt
// gamma, softmax(-gamma e) (kale.TiltedWeights; kale.ImportanceWeights's
// weights for gamma = 1).
func (d *Device) importanceWeights(e Buffer, gamma float64, w Buffer, out, ess Doubles) {
	d.launch("importance_weights", 1, 1024, ptr(e), i64(e.n), f64(gamma), ptr(w), dptr(out), dptr(ess))
}
