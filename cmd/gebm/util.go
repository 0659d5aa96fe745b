package main

import (
	"os"
	"strings"
)

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tempDir makes a scratch directory for runs whose files are not kept
// (benchmarks); the caller removes it.
func tempDir() string {
	d, err := os.MkdirTemp("", "gebm-bench-")
	if err != nil {
		return os.TempDir()
	}
	return d
}
