// Command terraform-provider-gatewayd is the Terraform provider for
// gatewayd (and Kong 3.x) gateways, served over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/gatewayd-toolkit/gatewayd/provider/gatewayd"
)

// version is set at build time: -ldflags "-X main.version=0.1.0".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), gatewayd.New(version), providerserver.ServeOpts{
		Address:         gatewayd.Address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
