package data

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Toy is a 2-D distribution that can be sampled with a caller-supplied random
// source. Implementations are stateless values: the same rng state gives the
// same samples.
type Toy interface {
	// Name is the registry name, e.g. "8gaussians".
	Name() string
	// Dim is the dimension of a sample; 2 for every toy here.
	Dim() int
	// Sample writes len(dst)/2 independent samples into dst, row-major
	// (x0, y0, x1, y1, ...). It panics if len(dst) is odd.
	Sample(rng *rand.Rand, dst []float32)
	// Modes returns the mixture components when the distribution is a
	// mixture of isotropic Gaussians, nil otherwise. The slice is a copy.
	Modes() []Mode
	// LogDensity returns log p(x) for x of length 2 and true when the
	// density has a closed form; (0, false) otherwise. Outside the support
	// of a distribution with bounded support it returns (-Inf, true).
	LogDensity(x []float64) (float64, bool)
}

// Mode is one isotropic Gaussian component N(Center, Std² I) of a mixture,
// drawn with probability Weight.
type Mode struct {
	Center [2]float64
	Std    float64
	Weight float64
}

// toyMakers maps each registry name to a constructor.
var toyMakers = map[string]func() Toy{
	"8gaussians":   func() Toy { return EightGaussians() },
	"25gaussians":  func() Toy { return TwentyFiveGaussians() },
	"swissroll":    func() Toy { return SwissRoll() },
	"2spirals":     func() Toy { return TwoSpirals() },
	"rings":        func() Toy { return Rings() },
	"moons":        func() Toy { return Moons() },
	"checkerboard": func() Toy { return Checkerboard() },
	"circle":       func() Toy { return Circle() },
}

// ToyNames returns the names accepted by ToyByName, sorted.
func ToyNames() []string {
	names := make([]string, 0, len(toyMakers))
	for n := range toyMakers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ToyByName returns the toy distribution registered under name. Matching
// ignores case and surrounding space; an unknown name gives an error that
// lists the valid ones.
func ToyByName(name string) (Toy, error) {
	mk, ok := toyMakers[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, fmt.Errorf("data: unknown toy distribution %q: want one of %s",
			name, strings.Join(ToyNames(), ", "))
	}
	return mk(), nil
}

// checkPairs panics unless dst holds whole 2-D rows, and returns the number
// of rows.
func checkPairs(dst []float32) int {
	if len(dst)%2 != 0 {
		panic(fmt.Sprintf("data: Sample: len(dst) = %d is not a multiple of 2", len(dst)))
	}
	return len(dst) / 2
}
