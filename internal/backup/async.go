package backup

import (
	"io"
	"sync"
)

// asyncWriter hands full buffers to a goroutine that writes them on, so
// that compressing (the gzip writer behind it) and producing rows use two
// cores. At most a few buffers are in flight.
type asyncWriter struct {
	w    io.Writer
	cur  []byte
	full chan []byte
	free chan []byte
	done chan struct{}
	mu   sync.Mutex
	err  error
}

const asyncBuf = 1 << 20

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, full: make(chan []byte, 4), free: make(chan []byte, 6), done: make(chan struct{})}
	for range 6 {
		a.free <- make([]byte, 0, asyncBuf)
	}
	a.cur = <-a.free
	go a.run()
	return a
}

func (a *asyncWriter) run() {
	defer close(a.done)
	for b := range a.full {
		if a.failed() == nil {
			if _, err := a.w.Write(b); err != nil {
				a.mu.Lock()
				a.err = err
				a.mu.Unlock()
			}
		}
		a.free <- b[:0]
	}
}

func (a *asyncWriter) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	if err := a.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), cap(a.cur)-len(a.cur))
		a.cur = append(a.cur, p[:k]...)
		p = p[k:]
		if len(a.cur) == cap(a.cur) {
			a.full <- a.cur
			a.cur = <-a.free
		}
	}
	return n, nil
}

// Close writes what is left and waits for the goroutine; it may be called
// more than once.
func (a *asyncWriter) Close() error {
	if a.cur != nil {
		if len(a.cur) > 0 {
			a.full <- a.cur
		}
		a.cur = nil
		close(a.full)
	}
	<-a.done
	return a.failed()
}
