package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// rowsDataset returns a Dataset whose row i is (i, -i) with label i%3.
func rowsDataset(n int) *Dataset {
	d := &Dataset{Name: "rows", Dim: 2, X: make([]float32, 2*n), Labels: make([]int, n), Classes: 3, Norm: Identity()}
	for i := 0; i < n; i++ {
		d.X[2*i], d.X[2*i+1] = float32(i), float32(-i)
		d.Labels[i] = i % 3
	}
	return d
}

func TestSplit(t *testing.T) {
	d := rowsDataset(1000)
	train, test, err := d.Split(0.1, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if train.Rows() != 900 || test.Rows() != 100 {
		t.Fatalf("split %d/%d, want 900/100", train.Rows(), test.Rows())
	}
	if train.Name != "rows-train" || test.Name != "rows-test" {
		t.Errorf("names %q, %q", train.Name, test.Name)
	}
	seen := make([]int, 1000)
	for _, s := range []*Dataset{train, test} {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < s.Rows(); i++ {
			r := s.Row(i)
			k := int(r[0])
			if r[1] != -r[0] || s.Labels[i] != k%3 {
				t.Fatalf("row %v with label %d is not an input row", r, s.Labels[i])
			}
			seen[k]++
		}
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("row %d appears %d times across the split", k, c)
		}
	}
	// Shuffled: the test set is not simply the first or last rows.
	if test.Row(0)[0] == 0 && test.Row(99)[0] == 99 {
		t.Error("test set looks unshuffled")
	}
	// Same seed, same split.
	train2, _, _ := d.Split(0.1, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(train.X, train2.X) {
		t.Error("equal seeds give different splits")
	}
	if _, test0, err := d.Split(0, rand.New(rand.NewPCG(1, 1))); err != nil || test0 == nil || test0.Rows() != 0 {
		t.Errorf("Split(0): test %v, err %v", test0, err)
	}
	for _, f := range []float64{-0.1, 1, math.NaN()} {
		if _, _, err := d.Split(f, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("Split(%g) gave no error", f)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := []struct {
		mod  func(*Dataset)
		want string
	}{
		{func(d *Dataset) { d.Dim = 0 }, "dimension"},
		{func(d *Dataset) { d.X = d.X[:3] }, "do not fill"},
		{func(d *Dataset) { d.X[3] = float32(math.NaN()) }, "row 1, column 1"},
		{func(d *Dataset) { d.Labels = d.Labels[:2] }, "labels"},
		{func(d *Dataset) { d.Labels[1] = 3 }, "label 3"},
		{func(d *Dataset) { d.Columns = []string{"a"} }, "column names"},
		{func(d *Dataset) { d.Norm = Normalization{Scale: 1, Bounded: true, Min: -1, Max: 1} }, "outside"},
	}
	for _, b := range bad {
		d := rowsDataset(4)
		b.mod(d)
		err := d.Validate()
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "rows") {
			t.Errorf("Validate() = %v, want an error naming the set and containing %q", err, b.want)
		}
	}
	if err := rowsDataset(4).Validate(); err != nil {
		t.Error(err)
	}
	if err := rowsDataset(4).CheckDim(3); err == nil || !strings.Contains(err.Error(), "rows") {
		t.Errorf("CheckDim(3) = %v", err)
	}
}

func TestNormalizationRaw(t *testing.T) {
	n := MNISTNorm()
	for _, p := range []float64{0, 1, 127, 255} {
		stored := float64(float32(p/127.5 - 1))
		if got := n.Raw(stored); math.Abs(got-p) > 1e-4 {
			t.Errorf("Raw(%g) = %g, want %g", stored, got, p)
		}
	}
	if Identity().Raw(3.5) != 3.5 {
		t.Error("Identity().Raw is not the identity")
	}
}

func TestSampleDataset(t *testing.T) {
	d := SampleDataset(EightGaussians(), 100, rand.New(rand.NewPCG(1, 2)))
	if d.Rows() != 100 || d.Dim != 2 || d.Name != "8gaussians" {
		t.Fatalf("got %d×%d %q", d.Rows(), d.Dim, d.Name)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBatcherEpochs(t *testing.T) {
	const n = 10
	d := rowsDataset(n)
	b, err := NewBatcher(d, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 2*4)
	labels := make([]int, 4)
	var drawn []int
	for len(drawn) < 3*n-2 { // 7 batches of 4 = 28 rows, crossing epochs
		b.Next(x, labels)
		for i := 0; i < 4; i++ {
			k := int(x[2*i])
			if x[2*i+1] != -x[2*i] || labels[i] != k%3 {
				t.Fatalf("batch row (%g, %g) label %d is not a dataset row", x[2*i], x[2*i+1], labels[i])
			}
			drawn = append(drawn, k)
		}
	}
	// Each full epoch is a permutation of the rows.
	for e := 0; e < 2; e++ {
		ep := slices.Clone(drawn[e*n : (e+1)*n])
		slices.Sort(ep)
		for i, k := range ep {
			if k != i {
				t.Fatalf("epoch %d draws %v, not a permutation", e, drawn[e*n:(e+1)*n])
			}
		}
	}
	if b.Epoch() != 2 {
		t.Errorf("Epoch() = %d after 28 of 10 rows, want 2", b.Epoch())
	}
	if slices.Equal(drawn[:n], drawn[n:2*n]) {
		t.Error("the second epoch repeats the first order")
	}
}

func TestBatcherNoAllocs(t *testing.T) {
	d := rowsDataset(100)
	b, _ := NewBatcher(d, rand.New(rand.NewPCG(4, 4)))
	x := make([]float32, 2*32)
	labels := make([]int, 32)
	if a := testing.AllocsPerRun(100, func() { b.Next(x, labels) }); a != 0 {
		t.Errorf("Next allocates %g times per call", a)
	}
	if a := testing.AllocsPerRun(100, func() { b.Next(x, nil) }); a != 0 {
		t.Errorf("Next without labels allocates %g times per call", a)
	}
}

func TestBatcherErrors(t *testing.T) {
	if _, err := NewBatcher(&Dataset{Name: "none", Dim: 2}, rand.New(rand.NewPCG(1, 1))); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("NewBatcher on an empty set: %v", err)
	}
	b, _ := NewBatcher(rowsDataset(5), rand.New(rand.NewPCG(1, 1)))
	for _, f := range []func(){
		func() { b.Next(make([]float32, 3), nil) },
		func() { b.Next(make([]float32, 4), make([]int, 3)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic for a wrong buffer size")
				}
			}()
			f()
		}()
	}
	u := SampleDataset(Moons(), 5, rand.New(rand.NewPCG(1, 1)))
	bu, _ := NewBatcher(u, rand.New(rand.NewPCG(1, 1)))
	defer func() {
		if recover() == nil {
			t.Error("no panic for labels from an unlabelled set")
		}
	}()
	bu.Next(make([]float32, 4), make([]int, 2))
}
