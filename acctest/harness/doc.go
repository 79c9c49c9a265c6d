// Package harness runs the real gatewayd binary for acceptance tests: it builds it once per
// test process, writes a gatewayd.conf with free loopback ports into a temporary prefix,
// starts `gatewayd start` in the foreground, waits until the status endpoint says ready,
// and stops it when the test ends. Everything listens on 127.0.0.1 and every wait is bounded.
//
//	func TestMain(m *testing.M) { os.Exit(harness.RunMain(m)) } // removes the built binary
//
//	func TestServiceCreate(t *testing.T) {
//		gw := harness.StartGatewayd(t, harness.Options{})
//		status, body := gw.AdminJSON(t, "POST", "/services", map[string]any{"name": "s", "url": up.URL})
//		...
//	}
//
// When a test fails, the daemon's captured stdout, stderr and logs/error.log are written to
// the test log.
package harness
