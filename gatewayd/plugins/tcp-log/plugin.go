// Package tcplog is Kong's tcp-log plugin: it sends Kong's log entry of
// every request as one JSON line to a TCP (optionally TLS) server, over a
// kept connection, from a background sender.
package tcplog

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "tcp-log"
	Priority = 7
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Send request and response logs to a TCP server as JSON lines.",
		Config:      configFields(),
		New:         New,
	})
}

// tcpLog is one compiled tcp-log configuration.
type tcpLog struct {
	s *sender
}

// New compiles one tcp-log configuration. Instances with the same
// destination share a sender, kept across configuration changes and
// closed when no configuration uses it any more.
func New(env *plugin.Env) (any, error) {
	o, err := optionsFrom(env.Config)
	if err != nil {
		return nil, err
	}
	log := env.Logger
	if log == nil {
		log = env.Host.Logger
	}
	v, err := env.Host.Keep(keepKey(o), func() (any, error) {
		s := newSender(o, queueCapacity, log)
		s.start()
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	return &tcpLog{s: v.(*sender)}, nil
}

func optionsFrom(cfg map[string]any) (options, error) {
	host, _ := cfg["host"].(string)
	port, ok := cfg["port"].(float64)
	if host == "" || !ok {
		return options{}, fmt.Errorf("tcp-log: host and port are required")
	}
	o := options{
		addr:      net.JoinHostPort(host, strconv.Itoa(int(port))),
		timeout:   millis(cfg["timeout"], 10000),
		keepalive: keepaliveMillis(cfg["keepalive"]),
		tls:       cfg["tls"] == true,
	}
	o.sni, _ = cfg["tls_sni"].(string)
	return o, nil
}

// keepKey names the sender of a destination in the Host.
func keepKey(o options) string {
	return fmt.Sprintf("tcp-log/%s/%t/%s/%s/%s", o.addr, o.tls, o.sni, o.timeout, o.keepalive)
}

// Log serializes the request and hands the line to the sender.
func (t *tcpLog) Log(c *plugin.Context) {
	line, err := c.LogLine()
	if err != nil {
		c.Logger().Error("tcp-log: encoding the log entry", "error", err)
		return
	}
	t.s.enqueue(line)
}

// keepaliveMillis is the idle lifetime of the kept connection; 0 (or
// less) keeps it open, as a zero keepalive timeout does for OpenResty's
// connection pool.
func keepaliveMillis(v any) time.Duration {
	n, ok := v.(float64)
	if !ok {
		n = 60000
	}
	if n <= 0 {
		return 0
	}
	return time.Duration(n * float64(time.Millisecond))
}

func millis(v any, def float64) time.Duration {
	n, ok := v.(float64)
	if !ok || n <= 0 {
		n = def
	}
	return time.Duration(n * float64(time.Millisecond))
}
