package data

import "github.com/gebm/gebm/shared/data/toy"

// The 2-D toy distributions live in package toy (shared/data/toy), which
// the browser's sampler imports without this package's file readers; these
// are the same types and functions under data's names.
type (
	// Toy is a 2-D distribution (toy.Toy).
	Toy = toy.Toy
	// Mode is one isotropic Gaussian component of a mixture (toy.Mode).
	Mode = toy.Mode
	// Mixture is a mixture of isotropic Gaussians (toy.Mixture).
	Mixture = toy.Mixture
	// RingSet is the "rings" distribution (toy.RingSet).
	RingSet = toy.RingSet
)

// CircleStd is the radial noise of Circle (toy.CircleStd).
const CircleStd = toy.CircleStd

// ToyNames returns the names accepted by ToyByName, sorted (toy.Names).
func ToyNames() []string { return toy.Names() }

// ToyByName returns the toy distribution registered under name, ignoring
// case and surrounding space (toy.ByName).
func ToyByName(name string) (Toy, error) { return toy.ByName(name) }

// NewMixture is toy.NewMixture.
func NewMixture(name string, modes []Mode) *Mixture { return toy.NewMixture(name, modes) }

// EightGaussians is toy.EightGaussians.
func EightGaussians() *Mixture { return toy.EightGaussians() }

// TwentyFiveGaussians is toy.TwentyFiveGaussians.
func TwentyFiveGaussians() *Mixture { return toy.TwentyFiveGaussians() }

// Rings is toy.Rings.
func Rings() *RingSet { return toy.Rings() }

// SwissRoll is toy.SwissRoll.
func SwissRoll() Toy { return toy.SwissRoll() }

// TwoSpirals is toy.TwoSpirals.
func TwoSpirals() Toy { return toy.TwoSpirals() }

// Moons is toy.Moons.
func Moons() Toy { return toy.Moons() }

// Checkerboard is toy.Checkerboard.
func Checkerboard() Toy { return toy.Checkerboard() }

// Circle is toy.Circle.
func Circle() Toy { return toy.Circle() }
