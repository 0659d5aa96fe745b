package main

import (
	"fmt"
	"strconv"
	"strings"
)

// intList is a flag holding comma-separated layer widths ("256,512").
type intList struct{ v *[]int }

func (l intList) String() string {
	if l.v == nil {
		return ""
	}
	s := make([]string, len(*l.v))
	for i, n := range *l.v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func (l intList) Set(s string) error {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a list of positive layer widths like 256,512", s)
		}
		out = append(out, n)
	}
	*l.v = out
	return nil
}
