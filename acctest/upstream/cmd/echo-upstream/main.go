// Command echo-upstream runs the acceptance tests' echo upstream on its own, so README
// examples have a local service to proxy to without reaching the internet:
//
//	go run ./acctest/upstream/cmd/echo-upstream -listen 127.0.0.1:9000
//	curl -s localhost:9000/anything?x=1
//
// Every path answers 200 with a JSON description of the request; /status/{code},
// /delay/{ms} and /close behave as documented in package upstream.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9000", "address to listen on (host:port)")
	flag.Parse()

	s, err := upstream.Listen(*listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo-upstream: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "echo-upstream: listening on %s\n", s.URL)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()

	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.Shutdown(shutdown)
}
