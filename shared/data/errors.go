package data

import "fmt"

// ParseError reports a problem in a data file: which file, where in it, and
// what. Line and Col (1-based) locate text formats; Place locates binary
// ones ("header", "element 12 (row 4, column 0)").
type ParseError struct {
	File  string // the name given to the reader, usually the path
	Line  int    // 1-based line, 0 if not applicable
	Col   int    // 1-based column (field for CSV), 0 if not applicable
	Place string // place in a binary file, "" if not applicable
	Msg   string
}

// Error formats the error as "file:line:col: msg" or "file: place: msg".
func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.Place != "":
		return fmt.Sprintf("%s: %s: %s", e.File, e.Place, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// errAt returns a ParseError for a binary file.
func errAt(file, place, format string, args ...any) error {
	return &ParseError{File: file, Place: place, Msg: fmt.Sprintf(format, args...)}
}
