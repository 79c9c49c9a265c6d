// Package filelog is Kong's file-log plugin: it appends one JSON line per
// request (Kong's log serializer output) to a file. Lines are written by a
// background writer per file, so requests never wait on the disk.
package filelog

import (
	"fmt"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "file-log"
	Priority = 9
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Append request and response data to a log file as JSON lines.",
		Config:      configFields(),
		New:         New,
	})
}

// fileLog is one compiled file-log configuration.
type fileLog struct {
	w      *writer
	reopen bool
}

// New compiles one file-log configuration; the writer of its path is
// shared with every instance naming the same file and survives
// configuration changes.
func New(env *plugin.Env) (any, error) {
	path, _ := env.Config["path"].(string)
	if path == "" {
		return nil, fmt.Errorf("file-log: path is required")
	}
	v, err := env.Host.Keep("file-log/"+path, func() (any, error) {
		log := env.Logger
		if log == nil {
			log = env.Host.Logger
		}
		w := newWriter(path, queueCapacity, log)
		w.start()
		return w, nil
	})
	if err != nil {
		return nil, err
	}
	return &fileLog{w: v.(*writer), reopen: env.Config["reopen"] == true}, nil
}

// Log serializes the request and hands the line to the writer.
func (f *fileLog) Log(c *plugin.Context) {
	line, err := c.LogLine()
	if err != nil {
		c.Logger().Error("file-log: encoding the log entry", "error", err)
		return
	}
	f.w.enqueue(line, f.reopen)
}
