package sampler_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/sampler"
)

// BenchmarkTrain8gaussians trains the bundled 2-D model's size and options
// (train.Defaults("8gaussians"): latent 4, base and energy 128,128, batch
// 128) for 1500 base steps, as `make demo` does, without the final phase,
// and reports base steps per second (each with its energy updates: 5, 105
// before the first, 105 at every 500th). "default" is the platform's
// kernel (gonum natively, the Go kernel in WebAssembly, SIMD128 under
// -tags wasmsimd), "go" nn.TiledGemm. Run once per platform, e.g.
//
//	go test -run='^$' -bench=Train8gaussians -benchtime=1x ./wasm/sampler/
//	GOOS=js GOARCH=wasm go test -run='^$' -bench=Train8gaussians -benchtime=1x -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec ./wasm/sampler/
func BenchmarkTrain8gaussians(b *testing.B) {
	for _, k := range []struct {
		name string
		gemm nn.Gemm
	}{{"default", nn.DefaultGemm()}, {"go", nn.TiledGemm{}}} {
		b.Run(fmt.Sprintf("kernel=%s", k.name), func(b *testing.B) {
			withGemm(k.gemm, func() {
				o := sampler.TrainDefaults("8gaussians")
				o.Steps, o.FinalEnergySteps = 1500, 0
				var secs float64
				for range b.N {
					s := sampler.New()
					tr, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
					if err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					if st, err := s.TrainSteps(tr, o.Steps, nil); err != nil || len(st) != o.Steps {
						b.Fatalf("%d steps, %v", len(st), err)
					}
					secs += time.Since(start).Seconds()
				}
				b.ReportMetric(float64(o.Steps*b.N)/secs, "steps/s")
			})
		})
	}
}
