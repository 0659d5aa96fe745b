//go:build cuda

package cuda

import (
	"math"

	"github.com/gebm/gebm/shared/nn"
)

// Adam is the device copy of an nn.Adam (shared/nn/adam.go) over one arena
// of parameters: one kernel updates them all. The host optimiser keeps the
// hyper-parameters and the step count; its moments live here until
// Download.
type Adam struct {
	d     *Device
	host  *nn.Adam
	p, g  Buffer // parameters and gradients, in the host's parameter order
	m, v  Buffer
	sizes []int
}

// NewAdam makes the device state of host for the parameters in p with
// gradients g (laid out in the order of host's parameters).
func NewAdam(d *Device, host *nn.Adam, p, g Buffer) *Adam {
	defer d.bind()()
	a := &Adam{d: d, host: host, p: p, g: g, m: d.Alloc(p.n), v: d.Alloc(p.n)}
	st := host.StateTensors()
	for k := 0; k < len(st); k += 2 {
		a.sizes = append(a.sizes, len(st[k].Value))
	}
	return a
}

// Upload copies the host optimiser's moments to the device.
func (a *Adam) Upload() error {
	defer a.d.bind()()
	m, v := a.hostMoments()
	a.d.Upload(a.m, gather(m))
	a.d.Upload(a.v, gather(v))
	return a.d.check()
}

// Download copies the moments back into the host optimiser.
func (a *Adam) Download() error {
	defer a.d.bind()()
	m, v := a.hostMoments()
	scatter(m, a.d, a.m)
	scatter(v, a.d, a.v)
	return a.d.check()
}

func (a *Adam) hostMoments() (m, v []*nn.Param) {
	st := a.host.StateTensors()
	for k := 0; k < len(st); k += 2 {
		m, v = append(m, st[k]), append(v, st[k+1])
	}
	return m, v
}

// Update queues step host.Step+1 with learning rate lr, skipped on the
// device when one of the guard values is not finite. The caller advances
// host.Step once it knows the step was taken.
func (a *Adam) Update(lr float64, guard Doubles) {
	h := a.host
	t := float64(h.Step + 1)
	bc1 := 1 - math.Pow(h.Beta1, t)
	bc2 := 1 - math.Pow(h.Beta2, t)
	stepSize := float32(lr / bc1)
	invSqrtBC2 := float32(1 / math.Sqrt(bc2))
	a.d.elementwise("adam", a.p.n, ptr(a.p), ptr(a.g), ptr(a.m), ptr(a.v), i64(a.p.n),
		f64(float64(float32(h.Beta1))), f64(float64(float32(h.Beta2))), f64(float64(float32(h.Eps))),
		f64(float64(stepSize)), f64(float64(invSqrtBC2)), dptr(guard), i64(guard.n))
}

// Free releases the moments.
func (a *Adam) Free() {
	defer a.d.bind()()
	a.d.Free(a.m)
	a.d.Free(a.v)
}
