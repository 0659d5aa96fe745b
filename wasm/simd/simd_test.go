package simd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/testenv"
)

// TestKernelIsBuiltFromSource: gemm.wasm is what build.sh makes of
// src/gemm.c, checked where the clang recorded in clang-version.txt (the
// one that built the committed file) and wasm-ld are installed; skipped
// elsewhere, or failed in CI (CI set), whose machine installs them.
func TestKernelIsBuiltFromSource(t *testing.T) {
	want, err := os.ReadFile("clang-version.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("clang", "--version").Output()
	_, lldErr := exec.LookPath("wasm-ld")
	have := strings.SplitN(string(out), "\n", 2)[0]
	if err != nil || lldErr != nil || have != strings.TrimSpace(string(want)) {
		msg := "clang " + strings.TrimSpace(string(want)) + " and wasm-ld are needed to rebuild gemm.wasm (apt-get install clang lld); found " + strings.TrimSpace(have)
		testenv.Missing(t, "%s", msg)
	}
	tmp := filepath.Join(t.TempDir(), "gemm.wasm")
	if b, err := exec.Command("./build.sh", tmp).CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, b)
	}
	got, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, Kernel) {
		t.Fatal("gemm.wasm is stale: src/gemm.c builds to other bytes; run `make wasm` (or wasm/simd/build.sh) and commit gemm.wasm")
	}
}

// TestKernelShape: the module imports nothing but its memory (env.memory),
// exports one function (gemm) and nothing else, and has no data segments:
// it owns no part of the memory it works on. (That it also never uses its
// stack pointer, which would point into the Go module's memory, is what
// simdhost's TestKernelWritesOnlyC checks by running it.)
func TestKernelShape(t *testing.T) {
	secs, err := sections(Kernel)
	if err != nil {
		t.Fatal(err)
	}
	for id := range secs {
		switch id {
		case 1, 2, 3, 4, 6, 7, 10: // type, import, function, table, global, export, code
		default:
			t.Errorf("unexpected section %d (11 and 12 are data)", id)
		}
	}
	imports, err := names(secs[2], true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{MemoryModule + "." + MemoryName + "/memory"}; !slices.Equal(imports, want) {
		t.Errorf("imports %q, want %q", imports, want)
	}
	exports, err := names(secs[7], false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{Export + "/func"}; !slices.Equal(exports, want) {
		t.Errorf("exports %q, want %q", exports, want)
	}
}

// sections splits a module into its sections' contents by id (custom
// sections, id 0, are dropped).
func sections(b []byte) (map[byte][]byte, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module")
	}
	r := &reader{b: b[8:]}
	out := map[byte][]byte{}
	for len(r.b) > 0 {
		id := r.byte()
		body := r.bytes()
		if r.err != nil {
			return nil, r.err
		}
		if id != 0 {
			out[id] = body
		}
	}
	return out, nil
}

// names lists an import section's entries as "module.name/kind" or an
// export section's as "name/kind".
func names(sec []byte, imports bool) ([]string, error) {
	r := &reader{b: sec}
	var out []string
	for n := r.uleb(); n > 0 && r.err == nil; n-- {
		name := string(r.bytes())
		if imports {
			name += "." + string(r.bytes())
		}
		kind := r.byte()
		switch kind {
		case 0, 3: // func: type index; global: index or (type, mut)
			r.uleb()
			if imports && kind == 3 {
				r.byte()
			}
		case 1: // table
			if imports {
				r.byte()
				r.limits()
			} else {
				r.uleb()
			}
		case 2: // memory
			if imports {
				r.limits()
			} else {
				r.uleb()
			}
		}
		out = append(out, name+"/"+[]string{"func", "table", "memory", "global"}[min(kind, 3)])
	}
	return out, r.err
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errors.New("truncated module")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64 && r.err == nil; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	return v
}

func (r *reader) bytes() []byte {
	n := r.uleb()
	if r.err != nil || uint64(len(r.b)) < n {
		r.err = errors.New("truncated module")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) limits() {
	if flags := r.byte(); flags&1 != 0 {
		r.uleb()
	}
	r.uleb()
}
