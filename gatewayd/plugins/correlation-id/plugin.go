// Package correlationid implements Kong's correlation-id plugin
// (kong/plugins/correlation-id): every request sent upstream carries an
// id header, kept from the client when present, and optionally echoed to
// the client.
package correlationid

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "correlation-id",
		Priority:    100001,
		Description: "Correlate requests and responses using a unique id transmitted over an HTTP header.",
		Config:      configFields(),
		New:         New,
	})
}

// counterKey is the Host.Keep key of the process-wide uuid#counter state:
// the counter keeps counting across configuration changes.
const counterKey = "correlation-id/uuid#counter"

// counter is Kong's per-worker uuid and counter, here per process.
type counter struct {
	prefix string // "<uuid>#"
	n      atomic.Uint64
}

func (c *counter) next() string {
	return c.prefix + strconv.FormatUint(c.n.Add(1), 10)
}

// Correlator is one compiled correlation-id configuration.
type Correlator struct {
	header   string
	echo     bool
	generate func(c *plugin.Context) string
	host     *plugin.Host
	pid      string
}

// New resolves the generator; uuid#counter shares the process counter.
func New(env *plugin.Env) (any, error) {
	p := &Correlator{echo: env.Config["echo_downstream"] == true, host: env.Host, pid: strconv.Itoa(os.Getpid())}
	p.header, _ = env.Config["header_name"].(string)
	switch gen, _ := env.Config["generator"].(string); gen {
	case "uuid":
		p.generate = func(*plugin.Context) string { return newUUID() }
	case "tracker":
		p.generate = p.tracker
	default: // uuid#counter
		v, err := env.Host.Keep(counterKey, func() (any, error) {
			return &counter{prefix: newUUID() + "#"}, nil
		})
		if err != nil {
			return nil, err
		}
		ctr := v.(*counter)
		p.generate = func(*plugin.Context) string { return ctr.next() }
	}
	return p, nil
}

// Access keeps the client's id or sets a new one on the upstream request.
func (p *Correlator) Access(c *plugin.Context) {
	if p.header == "" {
		return
	}
	id := c.Header(p.header)
	var s string
	if len(id) == 0 {
		s = p.generate(c)
		c.SetHeader(p.header, s)
	} else if p.echo {
		s = string(id)
	}
	if p.echo {
		c.SetLocal(s)
	}
}

// Response echoes the id to the client. When access did not run (an
// earlier plugin ended the request) the client's id or a new one is used,
// as Kong's header_filter does.
func (p *Correlator) Response(c *plugin.Context) {
	if !p.echo || p.header == "" {
		return
	}
	id, _ := c.Local().(string)
	if id == "" {
		id = string(c.Header(p.header))
	}
	if id == "" {
		id = p.generate(c)
	}
	c.SetResponseHeader(p.header, id)
}

// tracker formats Kong's "%s-%s-%d-%s-%s-%0.3f": server address, server
// port, worker pid, connection serial, requests on the connection and the
// time in seconds.
func (p *Correlator) tracker(c *plugin.Context) string {
	now := p.host.Now()
	secs := float64(now.UnixMilli()) / 1000
	b := make([]byte, 0, 64)
	b = append(b, c.ServerIP()...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(c.Port()), 10)
	b = append(b, '-')
	b = append(b, p.pid...)
	b = append(b, '-')
	b = strconv.AppendUint(b, c.ConnectionID(), 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, c.ConnectionRequests(), 10)
	b = append(b, '-')
	b = strconv.AppendFloat(b, secs, 'f', 3, 64)
	return string(b)
}

// newUUID returns a random (version 4) UUID, as kong.tools.utils.uuid.
func newUUID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
