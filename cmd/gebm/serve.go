package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gebm/gebm/www"
)

func init() {
	commands["serve"] = command{"serve the demo page: the browser's sampler and the models (embedded)", runServe}
}

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	models := fs.String("models", "", "a folder of model files (*.gebm) to offer besides the bundled ones")
	quiet := fs.Bool("quiet", false, "do not log requests")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logTo := stderr
	if *quiet {
		logTo = nil
	}
	return serve(ctx, serveConfig{addr: *addr, models: *models, log: logTo}, stdout, stderr, nil)
}

type serveConfig struct {
	addr   string
	models string
	log    io.Writer // request log; nil: none
}

// serve runs the demo server on c.addr until ctx ends, then shuts it down.
// ready, if not nil, gets the page's URL once the server listens.
func serve(ctx context.Context, c serveConfig, stdout, stderr io.Writer, ready func(url string)) error {
	srv, err := www.New(www.Options{Models: c.models, Log: c.log})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", c.addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w (another program has it: pick another address with --addr, or DEMO_ADDR for make demo)", err)
	}
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + "/"
	if !srv.HasWasm() {
		fmt.Fprintf(stderr, "warning: %s.\nThe page will load but cannot sample.\n", www.MissingWasm)
	}
	idx := srv.Models()
	fmt.Fprintf(stderr, "models: %d on offer", len(idx.Models))
	if c.models != "" {
		fmt.Fprintf(stderr, " (bundled, and the folder %s)", c.models)
	}
	fmt.Fprintln(stderr)
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() {
			fmt.Fprintf(stderr, "note: listening on %s, reachable from other machines\n", host)
		}
	}
	fmt.Fprintf(stdout, "gebm demo: %s   (Ctrl-C stops it)\n", url)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		hs.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
