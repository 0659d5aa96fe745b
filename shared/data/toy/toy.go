package toy

import (
	"fmt"
	"math/rand/v2"
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

// toys are the registry's names and constructors, sorted by name. A
// sorted table rather than a map, so that Names needs no sort: the
// browser's sampler links this package, and a string sort costs its module
// about 5 KB gzipped (docs/WASM-BENCH.md); TestToyRegistrySorted keeps the
// order.
var toys = []struct {
	name string
	make func() Toy
}{
	{"25gaussians", func() Toy { return TwentyFiveGaussians() }},
	{"2spirals", func() Toy { return TwoSpirals() }},
	{"8gaussians", func() Toy { return EightGaussians() }},
	{"checkerboard", func() Toy { return Checkerboard() }},
	{"circle", func() Toy { return Circle() }},
	{"moons", func() Toy { return Moons() }},
	{"rings", func() Toy { return Rings() }},
	{"swissroll", func() Toy { return SwissRoll() }},
}

// Names returns the names accepted by ByName, sorted.
func Names() []string {
	names := make([]string, len(toys))
	for i, t := range toys {
		names[i] = t.name
	}
	return names
}

// ByName returns the toy distribution registered under name. Matching
// ignores case and surrounding space; an unknown name gives an error that
// lists the valid ones.
func ByName(name string) (Toy, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	for _, t := range toys {
		if t.name == key {
			return t.make(), nil
		}
	}
	return nil, fmt.Errorf("data: unknown toy distribution %q: want one of %s",
		name, strings.Join(Names(), ", "))
}

// checkPairs panics unless dst holds whole 2-D rows, and returns the number
// of rows.
func checkPairs(dst []float32) int {
	if len(dst)%2 != 0 {
		panic(fmt.Sprintf("data: Sample: len(dst) = %d is not a multiple of 2", len(dst)))
	}
	return len(dst) / 2
}
