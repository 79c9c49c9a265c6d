// Command gatewayd is the API gateway daemon and its operator CLI:
// start, stop, reload, check, health, version, migrations and config.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Version is gatewayd's own version; KongVersion is the Kong Admin API level
// implemented, reported as "version" by GET / so Kong tooling works.
var (
	Version     = "0.1.0"
	KongVersion = "3.9.1"
)

// globalFlags are shared by every command that reads the configuration.
type globalFlags struct {
	conf   string
	prefix string
}

func (g *globalFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&g.conf, "conf", "c", "", "configuration file (default: /etc/gatewayd/gatewayd.conf if present)")
	cmd.Flags().StringVarP(&g.prefix, "prefix", "p", "", "prefix directory (overrides the prefix key; default ./.gatewayd)")
}

func main() {
	root := &cobra.Command{
		Use:   "gatewayd",
		Short: "gatewayd: a Kong-compatible API gateway",
		Long: `gatewayd is an API gateway that speaks Kong Gateway's Admin API.

Start it with 'gatewayd start'; by default the proxy listens on 0.0.0.0:8000
(and 8443 with TLS), the Admin API on 127.0.0.1:8001 and the status API on
127.0.0.1:8007, storing its configuration in SQLite under ./.gatewayd.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(startCmd(), stopCmd(), reloadCmd(), checkCmd(), healthCmd(), versionCmd(), migrationsCmd(), configCmd())
	if err := root.Execute(); err != nil {
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "Error:", msg)
		}
		os.Exit(code)
	}
}
