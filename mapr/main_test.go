package mapr_test

import (
	"os"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

func TestMain(m *testing.M) { os.Exit(simtest.RunMain(m)) }
