package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"zeren/internal/config"
	"zeren/internal/i18n"
	"zeren/internal/store/storetest"
)

// TestServeShutsDownCleanly serves on a free port, answers a request, and
// returns without error when the process is told to stop (SIGINT/SIGTERM
// cancel the same context).
func TestServeShutsDownCleanly(t *testing.T) {
	st := storetest.New(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var logs bytes.Buffer
	e := &env{stdin: os.Stdin, stdout: io.Discard, stderr: &logs, getenv: os.Getenv, cat: cat, ctx: ctx, locale: "en"}
	c := config.Defaults()
	c.Addr = "127.0.0.1:0"
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- e.serveStore(c, st, func(u string) { urls <- u }) }()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Fatalf("logs: %s", logs.String())
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("database closed by serve, not by its owner: %v", err)
	}
}
