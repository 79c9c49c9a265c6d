package api_test

import (
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// The value is what the server stored for password "pw" and that consumer
// id (POST /consumers/alice/basic-auth password=pw).
func TestBasicAuthHashMatchesTheStoredForm(t *testing.T) {
	got := api.BasicAuthHash("a801d391-0d1f-4afc-b203-f70cdd0bd54c", "pw")
	if want := "5cfa49ef094befbdcbec3f9ee3825d3d70f199dd"; got != want {
		t.Fatalf("BasicAuthHash = %s, want %s", got, want)
	}
}
