//go:build cuda

package cuda

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPTXOnePerModule checks what Open loads: one PTX file per .cu file,
// compiled for ptxTarget, with the header naming the command that remakes it,
// and nothing else in ptx/ (a leftover second target would be embedded for
// nothing). Whether the PTX matches the .cu sources is make test-cuda's check.
func TestPTXOnePerModule(t *testing.T) {
	entries, err := fs.ReadDir(ptxFiles, "ptx")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sources, err := filepath.Glob("*.cu")
	if err != nil || len(sources) == 0 {
		t.Fatalf("no .cu sources beside the test (%v)", err)
	}
	var want []string
	for _, cu := range sources {
		want = append(want, strings.TrimSuffix(cu, ".cu")+".ptx")
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("ptx/ holds %v, want one file per module: %v", got, want)
	}
	for _, name := range want {
		b, err := ptxFiles.ReadFile("ptx/" + name)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if !strings.HasPrefix(src, "// Generated from native/cuda/"+strings.TrimSuffix(name, ".ptx")+".cu by scripts/cuda-kernels.sh") {
			t.Errorf("%s: no header naming scripts/cuda-kernels.sh", name)
		}
		if !strings.Contains(src, "\n.target "+ptxTarget+"\n") {
			t.Errorf("%s: not compiled for %s", name, ptxTarget)
		}
		if len(kernelNames(src)) == 0 {
			t.Errorf("%s: no .entry", name)
		}
	}
}
