package data

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ReadCSV reads a matrix of numbers from comma-separated text and returns it
// as a Dataset of float32 rows named name, with the identity normalisation.
// If wantCols > 0 the data must have that many columns.
//
// The format: RFC 4180 records (quotes allowed), blank lines skipped, lines
// starting with '#' skipped as comments (np.savetxt's header style), a UTF-8
// byte-order mark ignored, spaces around cells ignored. The first record is
// a header, kept in Columns, when none of its cells is a number; otherwise it
// is data. Every data cell must parse as a finite number within the float32
// range (strconv.ParseFloat syntax, which
// also takes "0x1p-2" and "1_000"), and every record must have as many
// fields as the first.
//
// Errors are *ParseError values "name:line:col: msg", where col is the byte
// column of the offending field and msg names the field number.
func ReadCSV(r io.Reader, name string, wantCols int) (*Dataset, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true

	d := &Dataset{Name: name, Norm: Identity()}
	firstLine := 0 // line of the record that fixed the column count
	for rec := 0; ; rec++ {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ParseError{File: name, Line: pe.Line, Col: pe.Column, Msg: pe.Err.Error()}
			}
			return nil, &ParseError{File: name, Msg: err.Error()}
		}
		line, _ := cr.FieldPos(0)
		if rec == 0 {
			d.Dim = len(fields)
			firstLine = line
			if wantCols > 0 && d.Dim != wantCols {
				return nil, &ParseError{File: name, Line: line, Msg: fmt.Sprintf("%d columns, want %d", d.Dim, wantCols)}
			}
			if isHeader(fields) {
				d.Columns = make([]string, len(fields))
				for j, f := range fields {
					d.Columns[j] = strings.TrimSpace(f)
				}
				continue
			}
		}
		if len(fields) != d.Dim {
			l, c := cr.FieldPos(min(len(fields), d.Dim) - 1)
			what := "the first data row"
			if d.Columns != nil {
				what = "the header"
			}
			return nil, &ParseError{File: name, Line: l, Col: c,
				Msg: fmt.Sprintf("ragged row: %d fields, want %d as in %s (line %d)", len(fields), d.Dim, what, firstLine)}
		}
		for j, f := range fields {
			v, msg := parseCell(f)
			if msg != "" {
				l, c := cr.FieldPos(j)
				return nil, &ParseError{File: name, Line: l, Col: c, Msg: fmt.Sprintf("field %d: %s", j+1, msg)}
			}
			d.X = append(d.X, v)
		}
	}
	switch {
	case d.Dim == 0:
		return nil, &ParseError{File: name, Msg: "empty file: no records"}
	case len(d.X) == 0:
		return nil, &ParseError{File: name, Msg: "no data rows after the header"}
	}
	return d, nil
}

// parseCell parses one CSV cell as a finite float32, returning a message
// saying what is wrong otherwise.
func parseCell(f string) (float32, string) {
	s := strings.TrimSpace(f)
	if s == "" {
		return 0, "empty cell"
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		hint := ""
		if strings.ContainsAny(s, ";\t ") {
			hint = " (is the file comma-separated?)"
		}
		return 0, fmt.Sprintf("non-numeric cell %q%s", clip(s, 40), hint)
	}
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		return 0, fmt.Sprintf("non-finite value %q", clip(s, 40))
	}
	v32 := float32(v)
	if err != nil || math.IsInf(float64(v32), 0) {
		return 0, fmt.Sprintf("%q is outside the float32 range", clip(s, 40))
	}
	return v32, ""
}

// isHeader reports whether a first record is a header: no cell parses as a
// number and at least one is not empty.
func isHeader(fields []string) bool {
	nonEmpty := false
	for _, f := range fields {
		s := strings.TrimSpace(f)
		if _, err := strconv.ParseFloat(s, 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return false
		}
		nonEmpty = nonEmpty || s != ""
	}
	return nonEmpty
}

// clip shortens s to at most n bytes for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// WriteCSV writes x, a row-major matrix with cols columns, to w as CSV: an
// optional header line (when header is not nil) and one line per row, each
// value in the shortest decimal form that reads back as the same float32.
// It returns an error, writing nothing, if cols < 1, len(x) is not a multiple
// of cols, a value is NaN or ±Inf, or the header does not have cols names or
// has one that ReadCSV would not take as a header (empty, a number, or a
// first name starting with '#').
func WriteCSV(w io.Writer, x []float32, cols int, header []string) error {
	if err := checkWritable(x, cols); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if header != nil {
		if len(header) != cols {
			return fmt.Errorf("data: write: %d header names for %d columns", len(header), cols)
		}
		for j, h := range header {
			s := strings.TrimSpace(h)
			_, err := strconv.ParseFloat(s, 64)
			if s == "" || err == nil || errors.Is(err, strconv.ErrRange) || (j == 0 && strings.HasPrefix(s, "#")) {
				return fmt.Errorf("data: write: header name %q would not read back as a header", h)
			}
		}
		cw := csv.NewWriter(bw)
		cw.Write(header)
		cw.Flush()
	}
	var buf []byte
	for i := 0; i < len(x); i += cols {
		buf = buf[:0]
		for j, v := range x[i : i+cols] {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
		}
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}
