package data

import (
	"fmt"
	"strconv"
)

// npyHeader is the parsed dictionary of a .npy header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int64
}

// maxNpyDims bounds the number of dimensions accepted in a header's shape
// (numpy's own limit is 64).
const maxNpyDims = 64

// parseNpyHeader parses the Python dict literal of a .npy header: exactly the
// keys 'descr' (a string), 'fortran_order' (True or False) and 'shape' (a
// tuple of non-negative integers, Python-2 'L' suffixes allowed), in any
// order, with an optional trailing comma, followed only by spaces and a
// newline. Anything else is an error.
func parseNpyHeader(s string) (npyHeader, error) {
	p := &pyLexer{s: s}
	var h npyHeader
	seen := map[string]bool{}
	if err := p.expect('{'); err != nil {
		return h, err
	}
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			break
		}
		key, err := p.str()
		if err != nil {
			return h, fmt.Errorf("dict key: %w", err)
		}
		if seen[key] {
			return h, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if err := p.expect(':'); err != nil {
			return h, err
		}
		switch key {
		case "descr":
			if h.descr, err = p.str(); err != nil {
				return h, fmt.Errorf("'descr': %w", err)
			}
		case "fortran_order":
			if h.fortran, err = p.boolean(); err != nil {
				return h, fmt.Errorf("'fortran_order': %w", err)
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, fmt.Errorf("'shape': %w", err)
			}
		default:
			return h, fmt.Errorf("unexpected key %q", key)
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return h, fmt.Errorf("want ',' or '}' at offset %d, got %s", p.i, p.near())
		}
	}
	for p.i < len(p.s) {
		if c := p.s[p.i]; c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != 0 {
			return h, fmt.Errorf("unexpected %s after the dict", p.near())
		}
		p.i++
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key '%s'", k)
		}
	}
	return h, nil
}

// pyLexer scans the small subset of Python literal syntax used in .npy headers.
type pyLexer struct {
	s string
	i int
}

func (p *pyLexer) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyLexer) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// near quotes the text at the current offset for error messages.
func (p *pyLexer) near() string {
	if p.i >= len(p.s) {
		return "end of header"
	}
	return strconv.Quote(p.s[p.i:min(len(p.s), p.i+10)])
}

func (p *pyLexer) expect(c byte) error {
	p.space()
	if p.peek() != c {
		return fmt.Errorf("want %q at offset %d, got %s", c, p.i, p.near())
	}
	p.i++
	return nil
}

// str scans a quoted string without escapes (none occur in npy headers).
func (p *pyLexer) str() (string, error) {
	p.space()
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", fmt.Errorf("want a quoted string at offset %d, got %s", p.i, p.near())
	}
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch p.s[j] {
		case q:
			p.i = j + 1
			return p.s[start:j], nil
		case '\\', '\n':
			return "", fmt.Errorf("unsupported character in string at offset %d", j)
		}
	}
	return "", fmt.Errorf("unterminated string at offset %d", p.i)
}

func (p *pyLexer) boolean() (bool, error) {
	p.space()
	switch {
	case len(p.s)-p.i >= 4 && p.s[p.i:p.i+4] == "True":
		p.i += 4
		return true, nil
	case len(p.s)-p.i >= 5 && p.s[p.i:p.i+5] == "False":
		p.i += 5
		return false, nil
	}
	return false, fmt.Errorf("want True or False at offset %d, got %s", p.i, p.near())
}

// tuple scans "(a, b, ...)" of non-negative integers, allowing "()" and the
// one-element form "(a,)".
func (p *pyLexer) tuple() ([]int64, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	dims := []int64{}
	for {
		p.space()
		if p.peek() == ')' {
			p.i++
			return dims, nil
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == start {
			return nil, fmt.Errorf("want a non-negative integer at offset %d, got %s", start, p.near())
		}
		v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("dimension %s at offset %d: too large", p.s[start:p.i], start)
		}
		if p.peek() == 'L' {
			p.i++
		}
		if len(dims) == maxNpyDims {
			return nil, fmt.Errorf("more than %d dimensions", maxNpyDims)
		}
		dims = append(dims, v)
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case ')':
		default:
			return nil, fmt.Errorf("want ',' or ')' at offset %d, got %s", p.i, p.near())
		}
	}
}
