// Package tagjson writes and reads JSON for tagged Go structs: the part of
// encoding/json that gebm's file headers (shared/ckpt) and the browser's
// calls (wasm/js) use, without encoding/json, which was a sixth of the
// browser's sampler module gzipped (docs/RATIONALE.md). It covers structs
// (a field's name from its json tag, "-" to skip it, omitempty), bool, the
// integer and float kinds, string, []byte (base64), slices, maps with
// string keys, pointers and, for Marshal only, interfaces. Marshal's output
// is encoding/json's, byte for byte (HTML characters escaped, map keys
// sorted, floats in strconv's shortest form, 'e' notation below 1e-6 and
// from 1e21); Unmarshal accepts what encoding/json's Decoder accepts with
// DisallowUnknownFields, except data after the value, which it refuses. The
// tests hold both to encoding/json. An untagged embedded struct's fields are
// promoted as encoding/json promotes them. Other kinds, embedded pointers,
// field names two fields share and tag options other than omitempty are
// errors, never silent differences.
package tagjson

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Marshal is json.Marshal(v) for the kinds the package covers.
func Marshal(v any) ([]byte, error) {
	return appendJSON(nil, reflect.ValueOf(v))
}

func appendJSON(b []byte, v reflect.Value) ([]byte, error) {
	switch v.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, v.Float(), v.Type().Bits())
	case reflect.String:
		return appendString(b, v.String()), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return appendJSON(b, v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b = append(b, '"')
			b = appendBase64(b, v.Bytes())
			return append(b, '"'), nil
		}
		b = append(b, '[')
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("json: unsupported type: %s", v.Type())
		}
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		k := reflect.New(v.Type().Key()).Elem()
		b = append(b, '{')
		for i, key := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, key), ':')
			k.SetString(key)
			var err error
			if b, err = appendJSON(b, v.MapIndex(k)); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case reflect.Struct:
		fields, err := fieldsOf(v.Type())
		if err != nil {
			return nil, err
		}
		b = append(b, '{')
		first := true
		for _, f := range fields {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(appendString(b, f.name), ':')
			var err error
			if b, err = appendJSON(b, fv); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("json: unsupported type: %s", v.Type())
}

// appendFloat writes f as encoding/json does: strconv's shortest form, in
// 'e' notation (with at least one exponent digit) below 1e-6 and from 1e21.
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, bits))
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 {
		if bits == 64 && (a < 1e-6 || a >= 1e21) || bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendString writes s quoted as encoding/json does: <, > and & as \u003c,
// \u003e and \u0026, U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// isEmpty is what omitempty leaves out, as encoding/json: false, 0 (−0
// too), "", nil, and empty slices and maps.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// field is a struct field that has a JSON name.
type field struct {
	name      string
	index     []int // reflect.Value.FieldByIndex's path: more than one for a promoted field
	omitEmpty bool
}

// Tag returns a struct field's json tag: what reflect.StructTag.Get("json")
// returns, but for a value with escapes, returned as written (gebm's tags
// have none), which spares the module strconv.Unquote.
func Tag(f reflect.StructField) string {
	tag := string(f.Tag)
	for tag != "" {
		i := 0
		for i < len(tag) && tag[i] == ' ' {
			i++
		}
		tag = tag[i:]
		i = 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			break
		}
		key := tag[:i]
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			break
		}
		value := tag[1:i]
		tag = tag[i+1:]
		if key == "json" {
			return value
		}
	}
	return ""
}

// fieldsOf lists t's exported fields with their JSON names (the tag's, or
// the Go name), in declaration order, skipping those tagged "-". The fields
// of an embedded struct without a tag are promoted in its place, as
// encoding/json does; a name that two fields would then share is refused
// (encoding/json's rules for choosing between them are not reproduced), as
// are embedded pointers, tagged embedded structs and options other than
// omitempty.
func fieldsOf(t reflect.Type) ([]field, error) {
	fs, err := appendFields(nil, t, nil)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(fs))
	for _, f := range fs {
		if seen[f.name] {
			return nil, fmt.Errorf("json: two fields of %s are named %q", t, f.name)
		}
		seen[f.name] = true
	}
	return fs, nil
}

// appendFields appends the fields of struct type t, whose value is reached
// from the outer struct by the path index, to fs.
func appendFields(fs []field, t reflect.Type, index []int) ([]field, error) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := Tag(sf)
		if tag == "-" || !sf.IsExported() && !sf.Anonymous {
			continue
		}
		path := append(slices.Clip(index), i)
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous {
			if tag != "" || sf.Type.Kind() != reflect.Struct {
				return nil, fmt.Errorf("json: embedded field %s of %s not supported (only untagged structs)", sf.Name, t)
			}
			var err error
			if fs, err = appendFields(fs, sf.Type, path); err != nil {
				return nil, err
			}
			continue
		}
		if opts != "" && opts != "omitempty" {
			return nil, fmt.Errorf("json: option %q of field %s of %s not supported", opts, sf.Name, t)
		}
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, field{name: name, index: path, omitEmpty: opts == "omitempty"})
	}
	return fs, nil
}

// Unmarshal decodes the JSON value in data into the value v points to, as
// a json.Decoder with DisallowUnknownFields does (an object's key matches a
// field's name exactly or, failing that, ignoring case; an unknown key is an
// error; null leaves a value as it is but for pointers, slices and maps,
// which it sets to nil), and refuses anything after the value but white
// space.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("json: decode into a non-pointer")
	}
	d := &decoder{data: data}
	d.space()
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	d.space()
	if d.pos < len(d.data) {
		return d.syntax("after the top-level value")
	}
	return nil
}

type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) syntax(what string) error {
	if d.pos >= len(d.data) {
		return errors.New("json: unexpected end of JSON input")
	}
	return fmt.Errorf("json: invalid character %q %s (offset %d)", d.data[d.pos], what, d.pos)
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// literal consumes word (true, false, null) or fails at its first
// difference.
func (d *decoder) literal(word string) error {
	for i := range len(word) {
		if d.pos >= len(d.data) || d.data[d.pos] != word[i] {
			return d.syntax("in literal " + word)
		}
		d.pos++
	}
	return nil
}

func typeError(what string, t reflect.Type, off int) error {
	return fmt.Errorf("json: cannot unmarshal %s into Go value of type %s (offset %d)", what, t, off)
}

// value decodes the next value into v.
func (d *decoder) value(v reflect.Value) error {
	if d.pos >= len(d.data) {
		return d.syntax("")
	}
	start := d.pos
	switch c := d.data[d.pos]; {
	case c == 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			v.SetZero()
		}
		return nil
	case c == 't' || c == 'f':
		word := "true"
		if c == 'f' {
			word = "false"
		}
		if err := d.literal(word); err != nil {
			return err
		}
		if v.Kind() == reflect.Pointer {
			return d.into(v, func(e reflect.Value) error { return d.boolInto(e, c == 't', start) })
		}
		return d.boolInto(v, c == 't', start)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return err
		}
		return d.into(v, func(e reflect.Value) error { return stringInto(e, s, start) })
	case c == '-' || c >= '0' && c <= '9':
		num, err := d.number()
		if err != nil {
			return err
		}
		return d.into(v, func(e reflect.Value) error { return numberInto(e, num, start) })
	case c == '[':
		return d.into(v, func(e reflect.Value) error { return d.array(e) })
	case c == '{':
		return d.into(v, func(e reflect.Value) error { return d.object(e) })
	}
	return d.syntax("looking for beginning of value")
}

// into calls f on v, or through v's pointers, allocated as needed.
func (d *decoder) into(v reflect.Value, f func(reflect.Value) error) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	return f(v)
}

func (d *decoder) boolInto(v reflect.Value, b bool, off int) error {
	if v.Kind() != reflect.Bool {
		return typeError("bool", v.Type(), off)
	}
	v.SetBool(b)
	return nil
}

func stringInto(v reflect.Value, s string, off int) error {
	switch {
	case v.Kind() == reflect.String:
		v.SetString(s)
		return nil
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		b, err := decodeBase64(s)
		if err != nil {
			return err
		}
		v.SetBytes(b)
		return nil
	}
	return typeError("string", v.Type(), off)
}

func numberInto(v reflect.Value, num string, off int) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return typeError("number "+num, v.Type(), off)
		}
		v.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return typeError("number "+num, v.Type(), off)
		}
		v.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(num, v.Type().Bits())
		if err != nil || v.OverflowFloat(f) {
			return typeError("number "+num, v.Type(), off)
		}
		v.SetFloat(f)
		return nil
	}
	return typeError("number", v.Type(), off)
}

// number consumes a JSON number and returns its text.
func (d *decoder) number() (string, error) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	if d.pos < len(d.data) && d.data[d.pos] == '0' {
		d.pos++
	} else if digits() == 0 {
		return "", d.syntax("in numeric literal")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return "", d.syntax("after decimal point in numeric literal")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return "", d.syntax("in exponent of numeric literal")
		}
	}
	return string(d.data[start:d.pos]), nil
}

// str consumes a JSON string and returns its value: escapes resolved,
// invalid UTF-8 and unpaired surrogates as U+FFFD, as encoding/json does.
func (d *decoder) str() (string, error) {
	d.pos++ // the opening quote
	var b []byte
	start := d.pos
	for {
		if d.pos >= len(d.data) {
			return "", d.syntax("")
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := string(append(b, d.data[start:d.pos]...))
			d.pos++
			return s, nil
		case c < 0x20:
			return "", d.syntax("in string literal")
		case c == '\\':
			b = append(b, d.data[start:d.pos]...)
			d.pos++
			if d.pos >= len(d.data) {
				return "", d.syntax("")
			}
			switch e := d.data[d.pos]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := d.hex4(d.pos + 1)
				if !ok {
					return "", d.syntaxAtBadHex()
				}
				d.pos += 4
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(-1), false
					if d.pos+2 < len(d.data) && d.data[d.pos+1] == '\\' && d.data[d.pos+2] == 'u' {
						r2, ok2 = d.hex4(d.pos + 3)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						r = dec
						d.pos += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", d.syntax("in string escape code")
			}
			d.pos++
			start = d.pos
		case c < utf8.RuneSelf:
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, d.data[start:d.pos]...)
				b = utf8.AppendRune(b, utf8.RuneError)
				d.pos++
				start = d.pos
				continue
			}
			d.pos += size
		}
	}
}

// hex4 reads four hex digits at i.
func (d *decoder) hex4(i int) (rune, bool) {
	if i+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// syntaxAtBadHex reports the first non-hex character of a \u escape.
func (d *decoder) syntaxAtBadHex() error {
	d.pos++
	for i := 0; i < 4 && d.pos < len(d.data); i++ {
		c := d.data[d.pos]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return d.syntax("in \\u hexadecimal character escape")
		}
		d.pos++
	}
	return d.syntax("")
}

// array decodes a JSON array into a slice (replacing its elements).
func (d *decoder) array(v reflect.Value) error {
	start := d.pos
	if v.Kind() != reflect.Slice {
		return typeError("array", v.Type(), start)
	}
	d.pos++ // [
	s := reflect.MakeSlice(v.Type(), 0, 0)
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		v.Set(s)
		return nil
	}
	for {
		d.space()
		e := reflect.New(v.Type().Elem()).Elem()
		if err := d.value(e); err != nil {
			return err
		}
		s = reflect.Append(s, e)
		d.space()
		if d.pos >= len(d.data) {
			return d.syntax("")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			v.Set(s)
			return nil
		default:
			return d.syntax("after array element")
		}
	}
}

// object decodes a JSON object into a struct (fields by name, unknown keys
// refused) or a map with string keys.
func (d *decoder) object(v reflect.Value) error {
	start := d.pos
	var fields []field
	switch {
	case v.Kind() == reflect.Struct:
		var err error
		if fields, err = fieldsOf(v.Type()); err != nil {
			return err
		}
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	default:
		return typeError("object", v.Type(), start)
	}
	d.pos++ // {
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return nil
	}
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return d.syntax("looking for beginning of object key string")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return d.syntax("after object key")
		}
		d.pos++
		d.space()
		if v.Kind() == reflect.Map {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := d.value(e); err != nil {
				return err
			}
			k := reflect.New(v.Type().Key()).Elem()
			k.SetString(key)
			v.SetMapIndex(k, e)
		} else {
			f := matchField(fields, key)
			if f == nil {
				return fmt.Errorf("json: unknown field %q", key)
			}
			if err := d.value(v.FieldByIndex(f.index)); err != nil {
				return err
			}
		}
		d.space()
		if d.pos >= len(d.data) {
			return d.syntax("")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.syntax("after object key:value pair")
		}
	}
}

// matchField finds the field named key exactly or, failing that, ignoring
// case (Unicode simple folding, as encoding/json).
func matchField(fields []field, key string) *field {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].name, key) {
			return &fields[i]
		}
	}
	return nil
}

// base64 is the alphabet of standard base64 (RFC 4648), which encoding/json
// uses for []byte. Written here, not taken from encoding/base64, whose
// tables and initialisation the browser's module would carry for one field
// (a checkpoint's random-stream state).
const base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendBase64 appends src in standard base64, padded with '='.
func appendBase64(b, src []byte) []byte {
	for len(src) >= 3 {
		v := uint(src[0])<<16 | uint(src[1])<<8 | uint(src[2])
		b = append(b, base64[v>>18], base64[v>>12&63], base64[v>>6&63], base64[v&63])
		src = src[3:]
	}
	switch len(src) {
	case 1:
		v := uint(src[0]) << 16
		b = append(b, base64[v>>18], base64[v>>12&63], '=', '=')
	case 2:
		v := uint(src[0])<<16 | uint(src[1])<<8
		b = append(b, base64[v>>18], base64[v>>12&63], base64[v>>6&63], '=')
	}
	return b
}

// decodeBase64 decodes standard base64 as base64.StdEncoding.DecodeString
// does: '\r' and '\n' are skipped, the padding must be complete, and the
// unused bits of the last character may be anything.
func decodeBase64(s string) ([]byte, error) {
	q := make([]byte, 0, len(s))
	for i := range len(s) {
		if s[i] != '\r' && s[i] != '\n' {
			q = append(q, s[i])
		}
	}
	out := make([]byte, 0, len(q)/4*3)
	for i := 0; i < len(q); i += 4 {
		var v uint
		n := 0 // characters before the padding
		for j := range 4 {
			if i+j >= len(q) {
				return nil, fmt.Errorf("json: illegal base64 data at input byte %d", len(q))
			}
			c := q[i+j]
			if c == '=' {
				if j < 2 || i+4 != len(q) || j == 2 && q[i+3] != '=' {
					return nil, fmt.Errorf("json: illegal base64 data at input byte %d", i+j)
				}
				break
			}
			k := strings.IndexByte(base64, c)
			if k < 0 {
				return nil, fmt.Errorf("json: illegal base64 data at input byte %d", i+j)
			}
			v |= uint(k) << (18 - 6*j)
			n++
		}
		out = append(out, byte(v>>16), byte(v>>8), byte(v))[:len(out)+n-1]
	}
	return out, nil
}
