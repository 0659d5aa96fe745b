package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"strings"
)

// Container is the byte layout of gebm's files (see the package
// documentation): magic, version, a JSON header, float32 tensors and a
// CRC-32C. The model file is one; the MNIST classifier's file
// (native/classifier) is another, with its own magic and header.
type Container struct {
	Magic   string // 8 bytes
	Version uint32 // the version Write records, and the newest Open accepts
	Oldest  uint32 // the oldest version Open accepts (0: Version only)
	Noun    string // what the file is called in messages ("model file")
}

// FileVersion is the version recorded in b, a file that Open accepted.
func (c Container) FileVersion(b []byte) uint32 { return binary.LittleEndian.Uint32(b[8:]) }

// Write lays out header (marshalled to JSON) and the tensors' values in
// order.
func (c Container) Write(header any, tensors [][]float32) ([]byte, error) {
	js, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("ckpt: encoding header: %w", err)
	}
	if len(js) > MaxHeader {
		return nil, fmt.Errorf("ckpt: header of %d bytes exceeds %d", len(js), MaxHeader)
	}
	total := 0
	for _, t := range tensors {
		total += len(t)
	}
	buf := make([]byte, 0, prefixLen+len(js)+4*total+4)
	buf = append(buf, c.Magic...)
	buf = binary.LittleEndian.AppendUint32(buf, c.Version)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(js)))
	buf = append(buf, js...)
	for _, t := range tensors {
		for _, v := range t {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	return binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli)), nil
}

// Open checks the magic, the version and the header's length against the
// bytes present, and returns the header's JSON, the tensor bytes, and
// whether the checksum holds (the caller decides when to report it, so
// that a truncation can be named as such).
func (c Container) Open(b []byte) (header, body []byte, checksumOK bool, err error) {
	if len(b) < prefixLen+4 {
		if len(b) >= len(c.Magic) && string(b[:len(c.Magic)]) != c.Magic || len(b) < len(c.Magic) && !strings.HasPrefix(c.Magic, string(b)) {
			return nil, nil, false, fmt.Errorf("not a gebm %s (wrong magic bytes)", c.Noun)
		}
		return nil, nil, false, fmt.Errorf("%s truncated: %d bytes, a %s has at least %d", c.Noun, len(b), c.Noun, prefixLen+4)
	}
	if string(b[:len(c.Magic)]) != c.Magic {
		return nil, nil, false, fmt.Errorf("not a gebm %s (wrong magic bytes)", c.Noun)
	}
	oldest := c.Oldest
	if oldest == 0 {
		oldest = c.Version
	}
	if v := c.FileVersion(b); v < oldest || v > c.Version {
		if oldest == c.Version {
			return nil, nil, false, fmt.Errorf("%s format version %d is not supported (this gebm reads version %d)", c.Noun, v, c.Version)
		}
		return nil, nil, false, fmt.Errorf("%s format version %d is not supported (this gebm reads versions %d to %d)", c.Noun, v, oldest, c.Version)
	}
	hlen := binary.LittleEndian.Uint32(b[12:])
	if hlen > MaxHeader {
		return nil, nil, false, fmt.Errorf("%s header declares %d bytes, more than the limit %d", c.Noun, hlen, MaxHeader)
	}
	if int(hlen) > len(b)-prefixLen-4 {
		return nil, nil, false, fmt.Errorf("%s truncated: header declares %d bytes, only %d follow", c.Noun, hlen, len(b)-prefixLen-4)
	}
	sumOK := crc32.Checksum(b[:len(b)-4], castagnoli) == binary.LittleEndian.Uint32(b[len(b)-4:])
	return b[prefixLen : prefixLen+int(hlen)], b[prefixLen+int(hlen) : len(b)-4], sumOK, nil
}

// DecodeHeader decodes the header's JSON into h, refusing unknown fields. A
// header that does not parse in a file whose checksum fails is reported as
// corruption.
func (c Container) DecodeHeader(js []byte, checksumOK bool, h any) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(h); err != nil {
		if !checksumOK {
			return c.ChecksumError()
		}
		return fmt.Errorf("%s header: %v", c.Noun, err)
	}
	return nil
}

// ChecksumError is the error for a file whose CRC does not match.
func (c Container) ChecksumError() error { return fmt.Errorf("%s corrupt: checksum mismatch", c.Noun) }

// CheckSize compares the number of values the header declares with the
// tensor bytes present, before anything is allocated for them.
func (c Container) CheckSize(total int, body []byte) error {
	if total == len(body)/4 && len(body)%4 == 0 {
		return nil
	}
	if total > len(body)/4 {
		return fmt.Errorf("%s truncated: header declares %d tensor values (%d bytes), %d bytes present", c.Noun, total, 4*total, len(body))
	}
	return fmt.Errorf("%s corrupt: %d bytes of tensor data where the header declares %d", c.Noun, len(body), 4*total)
}

// ReadTensors fills dst[i] (allocated by the caller with each tensor's
// size, after CheckSize) from the tensor bytes in order, refusing
// non-finite values; names are for messages.
func (c Container) ReadTensors(body []byte, names []string, dst [][]float32) error {
	off := 0
	for i, d := range dst {
		for j := range d {
			v := math.Float32frombits(binary.LittleEndian.Uint32(body[4*(off+j):]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s: tensor %s has a non-finite value (%v) at index %d", c.Noun, names[i], v, j)
			}
			d[j] = v
		}
		off += len(d)
	}
	return nil
}
