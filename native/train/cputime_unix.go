//go:build unix

package train

import "syscall"

// processCPU is the CPU time the process has used so far, user and system,
// in seconds (0 if the system does not say).
func processCPU() float64 {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return float64(r.Utime.Nano()+r.Stime.Nano()) / 1e9
}
