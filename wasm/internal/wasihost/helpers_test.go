package wasihost

import "strconv"

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 2, 64) }
