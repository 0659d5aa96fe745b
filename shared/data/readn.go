package data

import (
	"errors"
	"io"
)

// readChunk is the first buffer size of readN and the granularity of its reads.
const readChunk = 64 << 10

// readN reads exactly n bytes from r and returns them, or the bytes it got and
// io.ErrUnexpectedEOF if r ends first. It does not trust n for allocation: the
// buffer starts at min(n, 64 KiB) and at most doubles as data actually
// arrives, so a header that declares more than the input holds costs no more
// than twice the input's size.
func readN(r io.Reader, n int64) ([]byte, error) {
	if n < 0 {
		return nil, errors.New("negative size")
	}
	buf := make([]byte, 0, min(n, readChunk))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grow := min(n, 2*int64(cap(buf)))
			nb := make([]byte, len(buf), grow)
			copy(nb, buf)
			buf = nb
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			if int64(len(buf)) < n {
				return buf, io.ErrUnexpectedEOF
			}
			break
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// trailing reports how many bytes remain in r, counting at most limit+1 of
// them (so the caller can say "at least"), and any read error other than EOF.
func trailing(r io.Reader, limit int64) (int64, error) {
	n, err := io.Copy(io.Discard, io.LimitReader(r, limit+1))
	return n, err
}
