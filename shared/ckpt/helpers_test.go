package ckpt

import (
	"encoding/json"
	"strconv"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func quoteBytes(b []byte) string { return strconv.Quote(string(b)) }
