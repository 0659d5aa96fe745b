package train

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/gebm/gebm/shared/backend"
	"os"
	"strconv"
	"strings"
)

// logColumns is the header of log.csv.
var logColumns = []string{"step", "energy_steps", "kale_train", "kale_test", "A",
	"energy_data", "energy_gen", "loss_energy", "penalty", "loss_base", "ess",
	"grad_norm_energy", "grad_norm_base", "seconds"}

// logRow is one line of log.csv: the held-out evaluation with the latest
// training-step statistics.
type logRow struct {
	Step, EnergySteps int
	Eval              backend.EvalStats
	A                 float64
	Seconds           float64
}

// logWriter appends rows to log.csv. It holds the latest step statistics,
// which the trainer updates as it goes.
type logWriter struct {
	f      *os.File
	w      *bufio.Writer
	energy backend.EnergyStats
	base   backend.BaseStats
	rows   []logRow // kept for the curves plot
	kale   []float64
}

// openLog opens DIR/log.csv for appending after base step `from`: rows of
// an earlier run beyond that step (written after its last checkpoint) are
// dropped, so a resumed log reads as one run.
func openLog(path string, from int) (*logWriter, error) {
	var keep [][]byte
	if from > 0 {
		old, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for i, line := range bytes.Split(old, []byte("\n")) {
			if i == 0 || len(line) == 0 {
				continue
			}
			step, err := strconv.Atoi(string(line[:max(0, bytes.IndexByte(line, ','))]))
			if err == nil && step <= from {
				keep = append(keep, line)
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	lw := &logWriter{f: f, w: bufio.NewWriter(f)}
	fmt.Fprintln(lw.w, strings.Join(logColumns, ","))
	for _, line := range keep {
		lw.w.Write(line)
		lw.w.WriteByte('\n')
		lw.parseKept(string(line))
	}
	return lw, lw.w.Flush()
}

// parseKept restores a kept row into the in-memory series for the plot.
func (l *logWriter) parseKept(line string) {
	cells := strings.Split(line, ",")
	if len(cells) != len(logColumns) {
		return
	}
	num := func(i int) float64 { v, _ := strconv.ParseFloat(cells[i], 64); return v }
	step, _ := strconv.Atoi(cells[0])
	l.rows = append(l.rows, logRow{Step: step, Eval: backend.EvalStats{KALE: num(3)}, Seconds: num(13)})
	l.kale = append(l.kale, num(2))
}

// Write appends a row and flushes it to the file.
func (l *logWriter) Write(r logRow) error {
	e, b := l.energy, l.base
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	lossBase := -e.EnergyData - b.AHat
	cells := []string{strconv.Itoa(r.Step), strconv.Itoa(r.EnergySteps), f(e.KALE()), f(r.Eval.KALE), f(r.A),
		f(r.Eval.EnergyData), f(r.Eval.EnergyGen), f(e.Loss), f(e.Penalty), f(lossBase), f(b.ESS),
		f(e.GradNorm), f(b.GradNorm), strconv.FormatFloat(r.Seconds, 'f', 2, 64)}
	fmt.Fprintln(l.w, strings.Join(cells, ","))
	l.rows = append(l.rows, r)
	l.kale = append(l.kale, e.KALE())
	return l.w.Flush()
}

// Flush writes what is buffered.
func (l *logWriter) Flush() error { return l.w.Flush() }

// Close flushes and closes the file.
func (l *logWriter) Close() error {
	l.w.Flush()
	return l.f.Close()
}
