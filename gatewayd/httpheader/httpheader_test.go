package httpheader_test

import (
	"bufio"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httpheader"
	"github.com/valyala/fasthttp"
)

// parse reads a raw response the way the upstream client does, with name
// normalization off.
func parse(t *testing.T, raw string) *fasthttp.Response {
	t.Helper()
	var r fasthttp.Response
	r.Header.DisableNormalizing()
	if err := r.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestNamesKeepTheirCaseAndMatchCaseInsensitively(t *testing.T) {
	r := parse(t, "HTTP/1.1 200 OK\r\nx-request-id: abc\r\nKeep-Alive: timeout=5\r\nkeep-alive: x\r\nContent-Length: 0\r\n\r\n")
	if got := string(httpheader.Peek(&r.Header, "X-Request-Id")); got != "abc" {
		t.Fatalf("Peek = %q", got)
	}
	httpheader.Del(&r.Header, "KEEP-ALIVE")
	if httpheader.Peek(&r.Header, "keep-alive") != nil {
		t.Fatal("a keep-alive variant survived Del")
	}
	httpheader.Set(&r.Header, "X-RateLimit-Remaining-Minute", "4")
	httpheader.Set(&r.Header, "X-RateLimit-Remaining-Minute", "3")
	out := r.Header.String()
	if !strings.Contains(out, "x-request-id: abc\r\n") || !strings.Contains(out, "X-RateLimit-Remaining-Minute: 3\r\n") ||
		strings.Count(out, "Remaining") != 1 {
		t.Fatalf("written headers:\n%s", out)
	}
}
