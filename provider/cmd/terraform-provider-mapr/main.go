// Command terraform-provider-mapr is the Terraform provider for MapR (HPE
// Ezmeral Data Fabric) node bootstrap over SSH: licenses and cluster ids,
// served over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/gatewayd-toolkit/gatewayd/provider/mapr"
)

// version is set at build time: -ldflags "-X main.version=0.1.0".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	err := providerserver.Serve(context.Background(), mapr.New(version), providerserver.ServeOpts{
		Address:         mapr.Address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
