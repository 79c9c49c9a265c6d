package acctest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

// TestProxyInlineIOCarriesTLSAndLargeBodies runs the same traffic with
// proxy_inline_io on (the default: raw read/write system calls on the
// proxy's sockets) and off (Go's ordinary socket I/O): plain and TLS
// clients, a TLS upstream, and 4 MiB bodies both ways, more than the
// socket buffers hold, so writes come back partial and wait on the poller.
func TestProxyInlineIOCarriesTLSAndLargeBodies(t *testing.T) {
	// A TLS upstream answering with the body's size and digest, followed by
	// the body itself.
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(body)
		w.Header().Set("X-Body-Sha256", hex.EncodeToString(sum[:]))
		w.Header().Set("X-Upstream-Tls", r.TLS.NegotiatedProtocol+"/ok")
		_, _ = w.Write(body)
	}))
	up.StartTLS()
	t.Cleanup(up.Close)

	payload := make([]byte, 4<<20)
	if _, err := rand.Read(payload); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(payload)
	want := hex.EncodeToString(sum[:])

	for _, mode := range []string{"on", "off"} {
		t.Run("proxy_inline_io="+mode, func(t *testing.T) {
			gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"proxy_inline_io": mode}})
			setup(t, gw, "tls-up", up.URL, map[string]any{"paths": []string{"/big"}})
			client := harness.Client()
			for _, base := range []string{gw.ProxyURL, gw.ProxyTLSURL} {
				eventually(t, "route at "+base, func() bool {
					resp, err := client.Get(base + "/big")
					if err != nil {
						return false
					}
					resp.Body.Close()
					return resp.StatusCode == http.StatusOK
				})
				for i := 0; i < 3; i++ {
					resp, err := client.Post(base+"/big", "application/octet-stream", bytes.NewReader(payload))
					if err != nil {
						t.Fatalf("%s: %v", base, err)
					}
					got, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil {
						t.Fatalf("%s: reading the response: %v", base, err)
					}
					if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Body-Sha256") != want || resp.Header.Get("X-Upstream-Tls") != "/ok" {
						t.Fatalf("%s: %d, upstream saw digest %q (want %q), tls %q", base, resp.StatusCode,
							resp.Header.Get("X-Body-Sha256"), want, resp.Header.Get("X-Upstream-Tls"))
					}
					if !bytes.Equal(got, payload) {
						t.Fatalf("%s: response body %d bytes, not the %d sent", base, len(got), len(payload))
					}
				}
			}
		})
	}
}
